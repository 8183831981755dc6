"""Media type from the bytes. The declared Content-Type and the file name
never decide alone: senders mislabel, and hostile files lie."""

from __future__ import annotations

import io
import re
import zipfile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
MSG = "application/vnd.ms-outlook"
OLE = "application/x-ole-storage"
PDF = "application/pdf"
RTF = "application/rtf"
ZIP = "application/zip"
TEXT = "text/plain"
HTML = "text/html"
EML = "message/rfc822"
OCTET = "application/octet-stream"

_IMAGE_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
]


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "ppt/presentation.xml" in names:
                return PPTX
            if "mimetype" in names:
                mt = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mt:
                    return mt
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        # A truncated or damaged zip has no central directory, but its local
        # headers still name the parts: a broken .docx should reach the docx
        # reader and be reported as damaged, not as "a zip archive".
        head = data[:65536]
        for marker, mt in ((b"word/", DOCX), (b"xl/", XLSX), (b"ppt/", PPTX)):
            if marker in head:
                return mt
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
            return ODT
    return ZIP


def _sniff_ole(data: bytes) -> str:
    import olefile  # shipped with extract-msg

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # olefile raises a zoo of types on damaged files
        return OLE
    try:
        if ole.exists("WordDocument"):
            if _word_encrypted(ole):
                return "application/x-encrypted-office"
            return DOC
        if ole.exists("Workbook") or ole.exists("Book"):
            return XLS
        if ole.exists("__properties_version1.0") or any(
            e[0].startswith("__substg1.0_") for e in ole.listdir()
        ):
            return MSG
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            # An encrypted OOXML file is wrapped in OLE.
            return "application/x-encrypted-office"
    finally:
        ole.close()
    return OLE


def _word_encrypted(ole) -> bool:
    """The fEncrypted bit of a Word 97-2003 file's FIB: LibreOffice cannot
    open such a file without its password, so say so up front."""
    try:
        with ole.openstream("WordDocument") as stream:
            fib = stream.read(12)
    except Exception:  # olefile raises a zoo of types on damaged files
        return False
    return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still text.
        if exc.start >= len(sample) - 4:
            return True
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / max(1, len(text)) > 0.95


def sniff_media_type(data: bytes, filename: str | None = None) -> str:
    head = data[:16]
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _sniff_ole(data)
    if head.startswith(b"{\\rtf"):
        return RTF
    for magic, mt in _IMAGE_MAGIC:
        if head.startswith(magic):
            return mt
    if not data:
        return "application/x-empty"
    if _looks_like_text(data):
        lower = data[:2048].lower()
        if b"<html" in lower or b"<!doctype html" in lower or _html_fragment(lower):
            return HTML
        if _looks_like_email(data[:4096]):
            return EML
        return TEXT
    return OCTET


def _looks_like_email(head: bytes) -> bool:
    text = head.decode("latin-1")
    header_block = text.split("\n\n", 1)[0].split("\r\n\r\n", 1)[0]
    lines = header_block.splitlines()
    if len(lines) < 2:
        return False
    known = ("from:", "to:", "subject:", "date:", "message-id:", "received:",
             "mime-version:", "return-path:", "content-type:")
    hits = sum(1 for ln in lines if ln.lower().startswith(known))
    return hits >= 2 and lines[0].split(":", 1)[0].replace("-", "").isalnum()


_HTML_TAGS = re.compile(rb"<(?:div|p|br|table|tr|td|span|font|body|b|i|u|ul|li|strong|em)\b[^>]*>")


def _html_fragment(lower: bytes) -> bool:
    """An HTML body without <html>: starts with a tag and is full of them."""
    return lower.lstrip().startswith(b"<") and len(_HTML_TAGS.findall(lower)) >= 3
