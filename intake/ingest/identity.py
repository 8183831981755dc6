"""What makes two copies of an e-mail the same message.

The raw bytes differ between copies of one message: each mailbox adds its
own Received, Delivered-To, Return-Path and X-* headers, mbox writers add
Status lines, and archivers re-serialise the MIME structure (re-folding
headers, re-encoding file names as RFC 2231, re-wrapping base64). So a
message's identity is its Message-ID plus a hash of what the sender wrote:
the author headers, decoded, and each leaf part's type, decoded file name
and decoded content. Same Message-ID with a different content hash is a
clash, not a duplicate.

Transport changes line endings too: IMAP gives CRLF, a Maildir, mbox or
.eml copy of the same message holds LF. The hash is taken over the message
with CRLF made LF (identity only: the raw bytes are stored as received), so
both copies are one message. Before that, the hash was taken
over the bytes as received; it agrees with today's for every message whose
LF and CRLF copies already hashed alike, which is nearly all of them, so
stored ids do not move. For the rest (a text part whose line endings stayed
in the hash: a broken multipart, a non-text part sent as 8bit), a store may
hold the old hash: ``identity_keys`` gives both, and the store is searched
by each (ingest/processing/message_steps.py) rather than rewritten by a migration, which
would change document ids that exports have already handed out."""

from __future__ import annotations

import hashlib
import re
from email.message import Message

from intake.ingest.headers import decode_filename, decode_header_value, message_from_bytes

_AUTHOR_HEADERS = ("message-id", "from", "to", "cc", "date", "subject", "in-reply-to", "references")
_WS = re.compile(r"\s+")


def split_message(data: bytes) -> tuple[bytes, bytes]:
    parts = re.split(rb"\r?\n\r?\n", data, maxsplit=1)
    return (parts[0], parts[1] if len(parts) > 1 else b"")


def canonical_line_endings(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def content_sha256(data: bytes) -> str:
    """The message's identity with its Message-ID, the same over IMAP and
    from any archive copy."""
    return _content_hash(canonical_line_endings(data))[0]


def identity_keys(data: bytes, parsed: Message | None = None) -> list[str]:
    """Every content hash this message may be stored under: today's first,
    then those an earlier intake computed over the copy it read (CRLF over
    IMAP, or these very bytes), when they can differ: only when a part's
    line endings reached the hash. So nearly every message is hashed once.
    ``parsed``: ``data`` parsed by headers.message_from_bytes, if the
    caller has it (used when the bytes hold no CRLF: then they are what the
    hash is taken over)."""
    lf = canonical_line_endings(data)
    key, line_sensitive = _content_hash(lf, parsed if b"\r\n" not in data else None)
    keys = [key]
    if line_sensitive:
        for copy in (lf.replace(b"\n", b"\r\n"), data):
            other = _content_hash(copy)[0]
            if other not in keys:
                keys.append(other)
    return keys


def _content_hash(data: bytes, parsed: Message | None = None) -> tuple[str, bool]:
    """The hash earlier versions stored, and whether the line endings of
    ``data`` went into it (a non-text part sent as lines, a multipart
    with no readable parts)."""
    h = hashlib.sha256()
    line_sensitive = False
    try:
        msg = parsed if parsed is not None else message_from_bytes(data)
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
            elif b"\n" in payload and str(part.get("Content-Transfer-Encoding") or "").strip().lower() != "base64":
                line_sensitive = True
            h.update(f"\x00{part.get_content_type()}\x00{decode_filename(part) or ''}\x00".encode())
            h.update(hashlib.sha256(payload).digest())
    except Exception:
        # Unparseable: its bytes, less line-ending differences, are its identity.
        h = hashlib.sha256(data.replace(b"\r\n", b"\n"))
    return h.hexdigest(), line_sensitive
