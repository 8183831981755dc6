"""Outlook .msg files, turned into RFC 822 bytes so the one MIME walk
serves every source. extract-msg does the OLE and property work."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

from intake.types import RawMessage


def msg_to_rfc822(data: bytes) -> bytes:
    import extract_msg

    msg = extract_msg.openMsg(io.BytesIO(data), delayAttachments=False)
    try:
        em = msg.asEmailMessage()
        return em.as_bytes()
    finally:
        msg.close()


def iter_msg(path: Path) -> Iterator[RawMessage]:
    yield RawMessage(f"msg:{path}", msg_to_rfc822(path.read_bytes()))
