"""Outlook .msg files, turned into RFC 822 bytes so the one MIME walk
serves every source. extract-msg does the OLE and property work."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Iterator

from intake.types import RawMessage


class DamagedMsg(Exception):
    """The .msg opened but parts it declares cannot be found."""


def msg_to_rfc822(data: bytes) -> bytes:
    import extract_msg

    msg = extract_msg.openMsg(io.BytesIO(data), delayAttachments=False)
    try:
        # A damaged directory entry hides an attachment's storage and
        # extract-msg skips it silently; the header's count still tells.
        declared = msg.props.attachmentCount or 0
        if len(msg.attachments) < declared:
            raise DamagedMsg(f"{declared} attachments declared, {len(msg.attachments)} found")
        em = msg.asEmailMessage()
        if em["Subject"] is None and msg.subject:
            # Drafts and sent items carry no transport headers, and
            # extract-msg then rebuilds headers without the subject.
            em["Subject"] = " ".join(msg.subject.splitlines())  # a header cannot hold line breaks
        # The email package picks random MIME boundaries; the same .msg must
        # give the same bytes, or each replay stores it as a new sighting.
        seed = hashlib.sha256(data).hexdigest()[:32]
        for i, part in enumerate(em.walk()):
            if part.is_multipart():
                part.set_boundary(f"=_msg_{seed}_{i}")
        return em.as_bytes()
    finally:
        msg.close()


def iter_msg(path: Path) -> Iterator[RawMessage]:
    yield RawMessage(f"msg:{path}", msg_to_rfc822(path.read_bytes()))
