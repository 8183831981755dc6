"""Header decoding that never raises: RFC 2047 encoded words, RFC 2231
parameters, raw 8-bit headers in unknown charsets."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from intake.parsers.sniff import looks_like_email, mail_start, text_encoding

_WS = re.compile(r"\s+")


def message_from_bytes(data: bytes) -> Message:
    """Parse a message as Python's parser does, after what precedes its
    headers in files saved by hand (a BOM, blank lines): Python would read
    a message whose first line is blank as one with no headers at all."""
    start = mail_start(data)
    if start and not data.startswith(b"From ") and looks_like_email(data):
        data = data[start:]
    return email.message_from_bytes(data, policy=email.policy.compat32)


def _bytes_to_str(b: bytes, charset: str | None) -> str:
    for cs in (charset, "utf-8"):
        if not cs or cs.lower() in ("unknown-8bit", "x-unknown"):
            continue
        try:
            return b.decode(cs)
        except (LookupError, UnicodeDecodeError, ValueError):  # ValueError: NUL in a charset name
            continue
    # Raw 8-bit in an unknown charset: Shift-JIS, KOI8-R... as well as cp1252.
    try:
        return b.decode(text_encoding(b) or "cp1252", "replace")
    except LookupError:
        return b.decode("latin-1")


def decode_header_value(value) -> str:
    """A header value as text. Raw 8-bit bytes (illegal, but common from old
    clients) come through compat32 as surrogate-escaped str; they are tried as
    UTF-8 then Windows-1252."""
    if value is None:
        return ""
    if isinstance(value, Header):
        # compat32 hands back raw 8-bit headers as a Header in "unknown-8bit".
        try:
            parts = decode_header(value)
        except Exception:
            parts = [(str(value), None)]
        text = "".join(_bytes_to_str(c, cs) if isinstance(c, bytes) else c for c, cs in parts)
        return decode_header_value(text) if "=?" in text else _WS.sub(" ", text).strip()
    if not isinstance(value, str):
        value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("ascii", "surrogateescape")
        value = _bytes_to_str(raw, None)
    try:
        parts = decode_header(value)
    except Exception:  # malformed encoded words: keep the raw text
        return _WS.sub(" ", value).strip()
    try:
        text = str(make_header(parts))
    except Exception:  # an unknown charset name: decode each chunk ourselves
        text = " ".join(
            _bytes_to_str(chunk, cs) if isinstance(chunk, bytes) else chunk for chunk, cs in parts
        )
    return _WS.sub(" ", text).strip()


def header_text(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    if value is None:
        return None
    return decode_header_value(value)


def _raw_param_header(part: Message, name: str) -> str | None:
    """A header holding raw 8-bit bytes (a UTF-8 file name sent without RFC
    2231), decoded: compat32 hands such a header back with every non-ASCII
    byte replaced by U+FFFD, so the name would be lost."""
    for key, value in part.raw_items():
        if key.lower() == name and isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
            return _bytes_to_str(value.encode("ascii", "surrogateescape"), None)
    return None


def _filename_from_raw(part: Message) -> str | None:
    disp = _raw_param_header(part, "content-disposition")
    ctype = _raw_param_header(part, "content-type")
    if disp is None and ctype is None:
        return None
    shim = Message()
    shim["Content-Disposition"] = " ".join((disp or str(part.get("Content-Disposition") or "")).splitlines())
    shim["Content-Type"] = " ".join((ctype or part.get_content_type()).splitlines())
    return shim.get_filename() or shim.get_param("name")


def decode_filename(part: Message) -> str | None:
    """The attachment's name: RFC 2231 (filename*=) is handled by
    get_filename; RFC 2047 words inside a quoted name (Outlook does this) are
    decoded here, and raw 8-bit names by their charset. Path separators are
    stripped: a name is never a path."""
    try:
        name = _filename_from_raw(part)
    except Exception:  # a header the shim cannot hold: use the parser's reading
        name = None
    if name is None:
        try:
            name = part.get_filename()
        except Exception:
            name = None
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231 tuple (charset, lang, value)
            try:
                name = name[2].encode("latin-1", "surrogateescape").decode(name[0] or "utf-8")
            except (LookupError, UnicodeError, ValueError):
                name = name[2]
    if name is None:
        return None
    if isinstance(name, tuple):
        name = name[2]
    name = decode_header_value(name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip("\x00")
    return name or None


@dataclass
class MessageHeaders:
    message_id: str | None = None
    from_addr: str | None = None
    to_addrs: str | None = None
    subject: str | None = None
    date: datetime | None = None


_ADDR_SPEC = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _addresses(values: list[str]) -> list[str]:
    """Addresses in address headers. The stdlib parser recurses once per
    phrase, so a header of thousands of folded words (seen in the wild)
    exhausts the stack; then the addr-specs are picked out by pattern."""
    try:
        return [a for _, a in getaddresses(values) if a]
    except (RecursionError, ValueError, IndexError, TypeError):
        return _ADDR_SPEC.findall(" ".join(values))


def parse_headers(msg: Message) -> MessageHeaders:
    h = MessageHeaders()
    mid = header_text(msg, "Message-ID")
    if mid:
        h.message_id = mid.strip()
    frm = header_text(msg, "From")
    if frm:
        addrs = _addresses([frm])
        h.from_addr = addrs[0].lower() if addrs else frm.strip()
    tos = msg.get_all("To", []) + msg.get_all("Cc", [])
    if tos:
        addrs = [a.lower() for a in _addresses([decode_header_value(str(t)) for t in tos])]
        h.to_addrs = ", ".join(addrs) or None
    subj = header_text(msg, "Subject")
    h.subject = subj if subj is not None else None
    date_raw = header_text(msg, "Date")
    if date_raw:
        try:
            dt = parsedate_to_datetime(date_raw)
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
            h.date = dt
        except (TypeError, ValueError, IndexError, OverflowError):
            h.date = None
    return h
