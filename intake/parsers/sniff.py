"""Media type from the bytes. The declared Content-Type and the file name
never decide alone: senders mislabel, and hostile files lie."""

from __future__ import annotations

import codecs
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


# Text is sniffed on a sample: enough for the detector, cheap on a large file.
_SAMPLE = 16384
_BOMS = [
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# C0 controls that never occur in text (tab, LF, FF, CR and ESC do: ESC
# introduces ISO-2022-JP shifts).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def text_encoding(data: bytes) -> str | None:
    """The encoding of `data` if it is text, else None (binary).

    A BOM decides; then UTF-8; then charset-normalizer, which tells
    Shift-JIS, GB18030, Big5, EUC-KR, KOI8-R and the Windows code pages
    apart by their byte statistics. A cp1252 probe alone took any byte it
    leaves undefined (0x81, 0x8D...) for binary, so Japanese mail was
    "binary". Where the detector finds several Western code pages equally
    plausible, cp1252 is preferred: Outlook on Windows sends it unlabelled.
    """
    sample = data[:_SAMPLE]
    for bom, enc in _BOMS:
        if sample.startswith(bom):
            return enc
    if not sample:
        return None
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is still UTF-8.
        if exc.start >= len(sample) - 4 and len(data) > len(sample):
            return "utf-8"
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(sample) if not (
        # Without NUL bytes it is not BOM-less UTF-16/32, whatever the
        # statistics of a short sample say.
        m.encoding.startswith(("utf_16", "utf_32")) and b"\x00" not in sample)]
    if not matches:
        return None
    best = min(matches, key=lambda m: m.chaos)
    if best.chaos > 0.3:
        return None
    enc = best.encoding
    if enc != "cp1252" and any("cp1252" in m.could_be_from_charset and m.chaos <= best.chaos for m in matches):
        enc = "cp1252"
    text = sample.decode(enc, "replace")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 200):
        return None
    return enc


def _looks_like_text(data: bytes) -> bool:
    return text_encoding(data) is not None


def sniff_media_type(data: bytes, filename: str | None = None) -> str:
    head = data[:16]
    if data[:1024].lstrip().startswith(b"%PDF"):
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
    # Mail before anything that reads the body: an e-mail is its header
    # block, whatever its body holds (HTML in the first 2 KB, Shift-JIS,
    # 8-bit binary).
    if looks_like_email(data):
        return EML
    if b"%PDF-" in data[:1024]:
        return PDF
    enc = text_encoding(data)
    if enc is None:
        return OCTET
    lower = data[:4096].decode(enc, "replace")[:2048].lower()
    if "<html" in lower or "<!doctype html" in lower or _html_fragment(lower):
        return HTML
    return TEXT


# Header fields that only mail has (a typed form may well say "From:",
# "To:", "Date:" and "Subject:").
_MAIL_ONLY = ("message-id", "received", "mime-version", "return-path", "content-type",
              "content-transfer-encoding", "delivered-to", "x-mailer", "dkim-signature",
              "in-reply-to", "references", "x-originating-ip", "thread-index", "user-agent")
_KNOWN = ("from", "to", "cc", "subject", "date", "sender", "reply-to") + _MAIL_ONLY
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_ADDRESS = re.compile(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HEADER_WINDOW = 32768
_BLANK_LINE = re.compile(rb"[ \t]*\r?\n")


def mail_start(data: bytes) -> int:
    """Where the header block of a message starts: after a UTF-8 BOM,
    blank lines and an mbox "From " envelope line (or Outlook's header
    banner), which mail saved by hand often carries. 0 for a message that
    starts with its headers."""
    pos = 3 if data.startswith(codecs.BOM_UTF8) else 0
    while True:  # blank or whitespace-only lines
        m = _BLANK_LINE.match(data, pos)
        if m is None:
            break
        pos = m.end()
    # An mbox envelope line, or the banner Outlook puts before the transport
    # headers it keeps (tools that save those headers as .eml keep it too).
    if data.startswith((b"From ", b"Microsoft Mail Internet Headers Version 2.0"), pos):
        nl = data.find(b"\n", pos)
        if nl != -1:
            pos = nl + 1
    return pos


def looks_like_email(data: bytes) -> bool:
    """An RFC 5322 header block: every line a field or a continuation, at
    least two fields every mail has, and one that only mail has (or an
    address in From/To), so a typed "Name:/Date:" form is not mail."""
    start = mail_start(data)
    window = data[start:start + _HEADER_WINDOW]
    lines = window.replace(b"\r\n", b"\n").split(b"\n")
    if start + _HEADER_WINDOW < len(data):
        lines.pop()  # cut by the window
    names: list[bytes] = []
    addressed = False
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t") and names:
            continue
        m = _FIELD.match(line)
        if m is None:
            # A stray line in a long header block is tolerated after many
            # good fields (real mail has them); at the top it is not mail.
            if len(names) < 5:
                return False
            continue
        name = m.group(1).lower()
        names.append(name)
        if name in (b"from", b"to", b"cc", b"sender", b"reply-to") and _ADDRESS.search(line):
            addressed = True
    known = {n.decode() for n in names} & set(_KNOWN)
    return len(known) >= 2 and (addressed or bool(known & set(_MAIL_ONLY)))


_HTML_TAGS = re.compile(r"<(?:div|p|br|table|tr|td|span|font|body|b|i|u|ul|li|strong|em)\b[^>]*>")


def _html_fragment(lower: str) -> bool:
    """An HTML body without <html>: starts with a tag and is full of them."""
    return lower.lstrip().startswith("<") and len(_HTML_TAGS.findall(lower)) >= 3
