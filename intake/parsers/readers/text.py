"""Plain text (e-mail bodies, .txt attachments) → paragraphs split at blank
lines, line breaks inside a paragraph kept."""

from __future__ import annotations

import re

from intake.parsers.readers.registry import reader
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


@reader("text/plain")
def read_text(doc: Document, opts: ParsingOptions) -> Layout:
    return text_to_layout(decode_text(doc.data), "body" if doc.kind == "body" else "text")
