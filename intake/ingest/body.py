"""Is this e-mail body a report? A body that is only a covering note
("please find attached", a greeting, a signature, a disclaimer) is not; one
that carries the intelligence itself is."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from intake.parsers.sniff import text_encoding
from intake.parsers.support.mail_body import unwrap

# Below these counts of substantive words a body is a covering note. With no
# attachment almost any text is the report; beside an attachment the body
# must say something of its own.
MIN_WORDS_ALONE = 8
MIN_WORDS_WITH_ATTACHMENT = 40

_COVERING = [
    r"please (?:find|see) (?:the )?attached\b.*",
    r"(?:i )?(?:have )?attached (?:is |please find )?.*(?:form|report|information|intel\w*)\b.*",
    r"see attached\b.*",
    r"attached (?:is|are|please find)\b.*",
    r"(?:many |kind |best |warm )?(?:regards|thanks|thank you|wishes)\b.*",
    r"(?:hi|hello|dear|good (?:morning|afternoon|evening))\b.{0,40}",
    r"sent from my \w+.*",
    r"get outlook for \w+.*",
    r"(?:this|the) (?:e-?mail|message)(?: and any attachments?)? (?:is|are|may be) (?:confidential|intended).*",
    r".*\bintended (?:solely )?for the (?:use of the )?(?:named |addressee|individual|recipient).*",
    r".*\b(?:virus|malware)(?:es)? (?:check|scan|free)\w*.*",
    r"-{2,}\s*(?:original message|forwarded message)\s*-*",
    r"(?:from|sent|to|cc|subject|date)\s*:.*",
    r"on .{5,80} wrote:\s*",
]
_COVERING_RE = re.compile(r"^\s*(?:" + "|".join(_COVERING) + r")\s*$", re.IGNORECASE)
_SIGNATURE_DELIM = re.compile(r"^--\s*$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def substantive_text(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if _SIGNATURE_DELIM.match(line):
            break
        stripped = line.strip()
        if not stripped or stripped.startswith(">"):
            continue
        if _COVERING_RE.match(stripped):
            continue
        lines.append(stripped)
    return "\n".join(lines)


def body_is_report(text: str, has_attachments: bool) -> bool:
    words = len(_WORD.findall(substantive_text(text)))
    if not has_attachments and words < MIN_WORDS_ALONE:
        # "FYI" over a forwarded or "> "-quoted report: the report is the
        # message inside (beside an attachment, a quoted thread is history).
        words = len(_WORD.findall(substantive_text(unwrap(text).text)))
    return words >= (MIN_WORDS_WITH_ATTACHMENT if has_attachments else MIN_WORDS_ALONE)


# Marks for a table's rows and cells while the text is built: a form pasted
# into Outlook is a table whose cells hold paragraphs, and a cell's first and
# last paragraph must not split its row (a label and its tick box on one line).
_ROW, _CELL = "\x01", "\x00"


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._cells = 0  # open table cells: a block inside one breaks a line, not a paragraph

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        elif tag == "tr":
            self.parts.append(_ROW)
        elif tag in ("td", "th"):
            self._cells += 1
            self.parts.append(_CELL)

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in ("td", "th") and self._cells:
            self._cells -= 1
        elif tag in self._BLOCK and self._cells and tag != "table":
            pass  # the next block's start breaks the line
        elif tag in self._BLOCK or tag == "tr":
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """HTML body to text. The stdlib parser is enough: we need the words, not
    the rendering, and nothing is ever fetched."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; never let a body stop the walk
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    text = "".join(parser.parts)
    # A row on one line, its cells after tabs; paragraphs inside a cell keep
    # their line breaks between them.
    text = re.sub(r"[\s\xa0]*\x00[\s\xa0]*", _CELL, text)
    text = re.sub(r"[\s\xa0]*\x01\x00?", "\n", text)
    text = text.replace(_CELL, "\t").replace(_ROW, "\n")
    text = re.sub(r"[ \t\xa0]+\n", "\n", text)
    text = re.sub(r"[ \xa0]{2,}", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def decode_text_bytes(payload: bytes, declared: str | None) -> str:
    """The declared charset when it decodes the bytes; else what the
    detector finds (an undeclared or wrongly declared Shift-JIS, KOI8-R or
    cp1252 body); never fails."""
    for cs in (declared, "utf-8"):
        if not cs:
            continue
        try:
            return payload.decode(cs)
        except (LookupError, UnicodeDecodeError, ValueError):  # ValueError: NUL in a charset name
            continue
    detected = text_encoding(payload)
    try:
        return payload.decode(detected or "cp1252", "replace")
    except LookupError:
        return payload.decode("latin-1")
