"""What the review queue calls a message's *source*: its origin (docs/export.md)
without the part that names one message, so every message read from one
inbox folder or one archive shares it."""

from __future__ import annotations

import re

_IMAP_TAIL = re.compile(r";UIDVALIDITY=\d+;UID=\d+$")
_MAILDIR_TAIL = re.compile(r"/(?:cur|new|tmp)/[^/]*$")


def source_of(origin: str | None) -> str | None:
    if not origin:
        return None
    if origin.startswith("imap://"):
        return _IMAP_TAIL.sub("", origin)
    if origin.startswith("mbox:"):
        return origin.rsplit("#", 1)[0]
    if origin.startswith("maildir:"):
        return _MAILDIR_TAIL.sub("", origin)
    if ":" in origin and "/" in origin:
        # eml:/dir/x.eml, msg:/dir/x.msg: the folder they were read from
        kind, path = origin.split(":", 1)
        return f"{kind}:{path.rsplit('/', 1)[0] or '/'}"
    return origin
