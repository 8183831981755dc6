"""Formats intake does not read: plain-English names for the officer, and
the password-protected Office files that get their own code.

An OLE compound file or a zip that the sniffer could not place is looked
into here, so the officer reads "a password-protected PowerPoint file" or
"an XPS document", not "an unrecognised Office file" or "a zip archive"."""

from __future__ import annotations

import io
import zipfile

from intake.exception_codes import ENCRYPTED_DOCUMENT, UNSUPPORTED_FORMAT
from intake.parsers.readers.registry import reader
from intake.parsers.sniff import OLE, ZIP
from intake.parsers.support.options import ParsingOptions
from intake.types import Document, IntakeError, Layout

_NAMES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "An Excel spreadsheet",
    "application/vnd.ms-excel": "An Excel spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "A spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "A presentation",
    "application/vnd.oasis.opendocument.graphics": "A drawing",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "A PowerPoint file",
    "application/vnd.ms-powerpoint": "A PowerPoint file",
    "application/epub+zip": "An e-book (EPUB)",
    "application/vnd.ms-xpsdocument": "An XPS document (a fixed-page format like PDF)",
    "application/oxps": "An OpenXPS document (a fixed-page format like PDF)",
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

_UNREAD = "is not a form format intake reads; open it and key it in by hand."
_LOCKED = ("ask the sender for an unprotected copy (never put the password in an e-mail to this inbox).")


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
    raise IntakeError(ENCRYPTED_DOCUMENT, f"The Office document is password-protected; {_LOCKED}")


# PowerPoint 97-2003 (MS-PPT 2.3.2): the CurrentUserAtom's headerToken says
# whether the presentation is encrypted.
_PPT_ENCRYPTED_TOKEN = 0xF3D1C4DF
_OLE_KINDS = (  # (a stream or storage the kind always has, its name)
    ("PowerPoint Document", "A PowerPoint 97-2003 presentation"),
    ("VisioDocument", "A Visio drawing"),
    ("Quill", "A Publisher document"),
    ("FileHeader", "A Hangul (HWP) document"),
    ("\x01Ole10Native", "An embedded OLE package"),
)


def _ppt_encrypted(ole) -> bool:
    if ole.exists("EncryptedSummary"):
        return True
    try:
        with ole.openstream("Current User") as stream:
            head = stream.read(16)
    except Exception:  # olefile raises a zoo of types on damaged files
        return False
    return len(head) >= 16 and int.from_bytes(head[12:16], "little") == _PPT_ENCRYPTED_TOKEN


@reader(OLE)
def refuse_ole(doc: Document, opts: ParsingOptions) -> Layout:
    """An OLE compound file the sniffer did not place: name its kind."""
    import olefile  # shipped with extract-msg

    name = describe(OLE)
    try:
        ole = olefile.OleFileIO(io.BytesIO(doc.data))
    except Exception:  # olefile raises a zoo of types on damaged files
        ole = None
    if ole is not None:
        try:
            for stream, kind in _OLE_KINDS:
                if ole.exists(stream):
                    name = kind
                    if stream == "PowerPoint Document" and _ppt_encrypted(ole):
                        raise IntakeError(ENCRYPTED_DOCUMENT,
                                          f"The PowerPoint presentation is password-protected; {_LOCKED}")
                    break
        finally:
            ole.close()
    raise IntakeError(UNSUPPORTED_FORMAT, f"{name} {_UNREAD}")


def zip_kind(data: bytes) -> str:
    """The media type of a zip the sniffer left as a plain archive, when its
    parts say what it is (XPS and OpenXPS keep a FixedDocumentSequence)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {n.lower() for n in zf.namelist()}
            types = b""
            if "[Content_Types].xml" in zf.namelist() and zf.getinfo("[Content_Types].xml").file_size < 1 << 20:
                types = zf.read("[Content_Types].xml").lower()
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, KeyError):
        return ZIP
    if b"application/oxps" in types or b"openxps" in types:
        return "application/oxps"
    if "fixeddocumentsequence.fdseq" in names or b"xps-fixeddocumentsequence" in types:
        return "application/vnd.ms-xpsdocument"
    if "visio/document.xml" in names:
        return "application/vnd.ms-visio.drawing"
    return ZIP


_NAMES["application/vnd.ms-visio.drawing"] = "A Visio drawing"


@reader(ZIP)
def refuse_zip(doc: Document, opts: ParsingOptions) -> Layout:
    raise IntakeError(UNSUPPORTED_FORMAT, f"{describe(zip_kind(doc.data))} {_UNREAD}")
