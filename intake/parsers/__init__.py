"""Bytes → Layout → canonical Record. Pure functions of bytes and config:
no database, no e-mail, no network."""

from intake.parsers.parse import parse_document
from intake.parsers.sniff import sniff_media_type

__all__ = ["parse_document", "sniff_media_type"]
