"""mbox files, read message by message.

The stdlib mailbox module indexes the whole file before the first message
and keeps the index in memory; we scan once, yielding each message as its
end is found, so memory stays flat and the first message is processed at
once even in a multi-gigabyte archive."""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterator

from intake.types import RawMessage

# A "From " separator line: "From sender date". Lines inside bodies that
# start with "From " are quoted as ">From " by every mbox writer of the last
# 25 years (mboxrd/mboxo); we also require something after "From ".
_FROM_LINE = re.compile(rb"^From \S+")


def looks_like_mbox(head: bytes) -> bool:
    return _FROM_LINE.match(head.lstrip(b"\r\n")) is not None


def iter_mbox(path: Path) -> Iterator[RawMessage]:
    with path.open("rb") as fh:
        yield from _iter_handle(fh, path)


def _iter_handle(fh: BinaryIO, path: Path) -> Iterator[RawMessage]:
    number = 0
    lines: list[bytes] = []
    started = False
    prev_blank = True
    for line in fh:
        if _FROM_LINE.match(line) and (prev_blank or not started):
            if started:
                number += 1
                yield RawMessage(f"mbox:{path}#{number}", _finish(lines))
            lines = []
            started = True
            prev_blank = False
            continue
        if started:
            lines.append(line)
        prev_blank = line in (b"\n", b"\r\n")
    if started and lines:
        number += 1
        yield RawMessage(f"mbox:{path}#{number}", _finish(lines))


def _finish(lines: list[bytes]) -> bytes:
    # The blank line before the next separator belongs to the mbox format.
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    # Undo mboxrd quoting (">From " → "From ", ">>From " → ">From ").
    out = [ln[1:] if re.match(rb"^>+From ", ln) else ln for ln in lines]
    return b"".join(out)
