"""Plain text (e-mail bodies, .txt attachments) → paragraphs split at blank
lines, line breaks inside a paragraph kept. An e-mail body is first cut to
the report it carries (support/mail_body.py): the forwarded or quoted
message, without forward headers and disclaimers, and without greeting and
sign-off when it is a form pasted in."""

from __future__ import annotations

import re

from intake.parsers.readers.registry import reader
from intake.parsers.support.mail_body import form_body, unwrap
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.text_decode import decode_text
from intake.types import Document, Layout, Paragraph, Provenance

_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n+")


def text_to_layout(text: str, source: str) -> Layout:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    layout = Layout(source=source)
    for chunk in _BLANK_LINES.split(text):
        lines = [ln.rstrip() for ln in chunk.split("\n")]
        para = "\n".join(lines).strip("\n")
        if para.strip():
            layout.blocks.append(Paragraph(text=para.strip(), provenance=Provenance(source=source)))
    return layout


# A pasted table row whose first cell ends in a sentence of guidance
# ("Your name, role, agency and how we can contact you.<tab>Name: ...", "...
# (5 = Always Reliable and 1 = Unreliable)<tab>Don't know"): the value starts
# a line of its own, as it does under the label in the form's cell, so the
# guidance's words and numbers are never read as the value.
_GUIDANCE_THEN_VALUE = re.compile(r"^([^\t\n]+[.?!)])\t+(?=\S)", re.M)


def body_to_layout(text: str) -> Layout:
    parts = unwrap(text)
    report = parts.text
    if form_body(report):
        end = parts.signoff_start if parts.signoff_start is not None else len(report)
        if end > parts.greeting_end:
            report = report[parts.greeting_end:end]
        report = _GUIDANCE_THEN_VALUE.sub(
            lambda m: m.group(1) + ("\n" if len(m.group(1).split()) >= 5 else "\t"), report)
    layout = text_to_layout(report, "body")
    if parts.forwarded is not None:
        layout.forwarded = parts.forwarded.as_dict()
    if parts.dropped:
        layout.notes.append("e-mail body: left out " + ", ".join(parts.dropped))
    return layout


@reader("text/plain")
def read_text(doc: Document, opts: ParsingOptions) -> Layout:
    if doc.kind == "body":
        return body_to_layout(decode_text(doc.data))
    return text_to_layout(decode_text(doc.data), "text")
