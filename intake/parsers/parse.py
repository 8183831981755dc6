"""Entry point of the parsing stage: one Document in, one ParseOutcome out.

Skeleton: plain-text bodies become a free_text record; every other format is
an unsupported_format exception until its reader exists (issue 3)."""

from __future__ import annotations

import re

from intake.types import (
    Document,
    ExceptionInfo,
    FieldValue,
    Paragraph,
    ParseOutcome,
    Provenance,
    Record,
)

_WS = re.compile(r"[ \t\r\f\v]+")


def _collapse(text: str) -> str:
    lines = [_WS.sub(" ", ln).strip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_document(doc: Document, settings=None) -> ParseOutcome:
    if doc.media_type == "text/plain":
        text = _collapse(doc.data.decode("utf-8", "replace"))
        para = Paragraph(text=text, provenance=Provenance(source="text"))
        record = Record(
            template="free_text",
            version="1",
            fields={"incident.narrative": FieldValue(text, raw=text, provenance=para.provenance)},
        )
        return ParseOutcome(status="parsed", record=record, text=text, reader="text")
    return ParseOutcome(
        status="exception",
        exception=ExceptionInfo(
            "unsupported_format",
            f"No reader for {doc.media_type}; open the original and key the report in by hand.",
        ),
    )
