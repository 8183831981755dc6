"""What makes two copies of an e-mail the same message.

The raw bytes differ between copies of one message: each mailbox adds its
own Received, Delivered-To, Return-Path and X-* headers, mbox writers add
Status lines, and archivers re-serialise the MIME structure (re-folding
headers, re-encoding file names as RFC 2231, re-wrapping base64). So a
message's identity is its Message-ID plus a hash of what the sender wrote:
the author headers, decoded, and each leaf part's type, decoded file name
and decoded content. Same Message-ID with a different content hash is a
clash, not a duplicate (issue 6)."""

from __future__ import annotations

import hashlib
import re

from intake.ingest.headers import decode_filename, decode_header_value, message_from_bytes

_AUTHOR_HEADERS = ("message-id", "from", "to", "cc", "date", "subject", "in-reply-to", "references")
_WS = re.compile(r"\s+")


def split_message(data: bytes) -> tuple[bytes, bytes]:
    parts = re.split(rb"\r?\n\r?\n", data, maxsplit=1)
    return (parts[0], parts[1] if len(parts) > 1 else b"")


def content_sha256(data: bytes) -> str:
    h = hashlib.sha256()
    try:
        msg = message_from_bytes(data)
        for name in _AUTHOR_HEADERS:
            for value in msg.get_all(name, []):
                h.update(f"{name}:{_WS.sub(' ', decode_header_value(value)).strip()}\n".encode())
        for part in msg.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            if part.get_content_maintype() == "text":
                # Line endings and trailing blanks change in transit.
                payload = b"\n".join(ln.rstrip() for ln in payload.replace(b"\r\n", b"\n").split(b"\n")).strip()
            h.update(f"\x00{part.get_content_type()}\x00{decode_filename(part) or ''}\x00".encode())
            h.update(hashlib.sha256(payload).digest())
    except Exception:
        # Unparseable: its bytes, less line-ending differences, are its identity.
        h = hashlib.sha256(data.replace(b"\r\n", b"\n"))
    return h.hexdigest()
