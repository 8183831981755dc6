"""Bytes → Layout → canonical Record. Pure functions of bytes and config:
no database, no e-mail, no network.

``parse_document`` is imported when first asked for, not with the package:
the process that reads mail needs only ``intake.parsers.sniff`` and the
mail-body helpers, and importing every reader and template module with them
cost each `intake replay` a third of a second of start-up."""

from __future__ import annotations

__all__ = ["parse_document", "sniff_media_type"]


def __getattr__(name: str):
    if name == "parse_document":
        from intake.parsers.parse import parse_document

        return parse_document
    if name == "sniff_media_type":
        from intake.parsers.sniff import sniff_media_type

        return sniff_media_type
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
