"""Formats intake does not read: plain-English names for the officer, and
the password-protected Office files that get their own code."""

from __future__ import annotations

from intake.exception_codes import ENCRYPTED_DOCUMENT
from intake.parsers.readers.registry import reader
from intake.parsers.support.options import ParsingOptions
from intake.types import Document, IntakeError, Layout

_NAMES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "An Excel spreadsheet",
    "application/vnd.ms-excel": "An Excel spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "A spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "A PowerPoint file",
    "application/vnd.ms-powerpoint": "A PowerPoint file",
    "application/zip": "A zip archive",
    "application/x-7z-compressed": "A 7-zip archive",
    "application/x-rar": "A RAR archive",
    "application/x-msdownload": "A Windows program",
    "application/x-executable": "A program",
    "application/x-ole-storage": "An unrecognised Office (OLE) file",
    "application/x-encrypted-office": "A password-protected Office file",
    "application/vnd.ms-outlook": "An Outlook message",
    "message/rfc822": "An e-mail message",
    "application/octet-stream": "An unrecognised binary file",
    "application/x-empty": "An empty file",
    "image/gif": "A GIF image",
}


def describe(media_type: str) -> str:
    name = _NAMES.get(media_type)
    if name:
        return name
    major = media_type.split("/", 1)[0]
    if major in ("audio", "video"):
        return f"An {major} file" if major == "audio" else "A video file"
    return f"A file of type {media_type}"



@reader("application/x-encrypted-office")
def refuse_encrypted(doc: Document, opts: ParsingOptions) -> Layout:
    raise IntakeError(
        ENCRYPTED_DOCUMENT,
        "The Office document is password-protected; ask the sender for an unprotected copy "
        "(never put the password in an e-mail to this inbox).",
    )
