"""Bytes → Layout → canonical Record. Pure functions of bytes and config:
no database, no e-mail, no network."""

from intake.parsers.sniff import sniff_media_type

__all__ = ["parse_document", "sniff_media_type"]


def __getattr__(name: str):
    # The parse machinery (templates, dateparser) is imported on first use,
    # not by whoever only sniffs a media type (the MIME walk in the
    # process that hands documents to the analysis workers).
    if name == "parse_document":
        from intake.parsers.parse import parse_document

        return parse_document
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
