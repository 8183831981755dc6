"""What makes two copies of an e-mail the same message.

The raw bytes differ between copies of one message: each mailbox adds its
own Received, Delivered-To, Return-Path and X-* headers, and mbox writers
add Status lines. So a message's identity is its Message-ID plus a hash of
what its sender wrote: the author headers and the body, line endings
normalised. Same Message-ID with a different content hash is a clash, not
a duplicate (issue 6)."""

from __future__ import annotations

import hashlib
import re

_AUTHOR_HEADERS = ("message-id", "from", "to", "cc", "date", "subject", "in-reply-to", "references")
_SPLIT = re.compile(rb"\r?\n\r?\n")


def split_message(data: bytes) -> tuple[bytes, bytes]:
    parts = _SPLIT.split(data, maxsplit=1)
    return (parts[0], parts[1] if len(parts) > 1 else b"")


def content_sha256(data: bytes) -> str:
    head, body = split_message(data)
    unfolded = re.sub(rb"\r?\n[ \t]+", b" ", head)
    picked: list[bytes] = []
    for line in unfolded.splitlines():
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower().decode("latin-1") in _AUTHOR_HEADERS:
            picked.append(name.strip().lower() + b":" + b" ".join(value.split()))
    picked.sort()
    body = body.replace(b"\r\n", b"\n").rstrip(b"\n \t")
    h = hashlib.sha256()
    h.update(b"\n".join(picked))
    h.update(b"\n\n")
    h.update(body)
    return h.hexdigest()
