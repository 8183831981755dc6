"""mbox files, read message by message.

The stdlib mailbox module indexes the whole file before the first message
and keeps the index in memory; we scan once, yielding each message as its
end is found, so memory stays flat, the first message is processed at once
even in a multi-gigabyte archive, and a pipe can be read as it arrives.

Which "From " lines separate messages: every mbox writer quotes body lines
that begin "From " (mboxrd/mboxo), but some do not (Thunderbird's
"unmunged" lines) and some omit the blank line before the separator. So a
"From " line separates when the next line is a mail header field and either a
blank line precedes it or it reads like an envelope line ("From addr date",
"From - date"). A body line "From Russia with love" followed by prose stays
in the body.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from intake.types import RawMessage

_FROM_LINE = re.compile(rb"^From \S+")
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_ENVELOPE = re.compile(
    rb"^From (?:-|\S+@\S+|\S+)(?:\s*$|\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s)|^From -\s")
_FIELD = re.compile(rb"^[!-9;-~]+[ \t]*:")
# An envelope line with its asctime date, as every mbox writer puts it.
_DATED_ENVELOPE = re.compile(
    rb"^From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ")
# The first header of a stored message is one of these (or an X- field); a
# body line such as "Year: 1963" after an unquoted "From " line is not.
_FIRST_FIELD = re.compile(
    rb"^(?:x-[!-9;-~]*|return-path|received|from|to|cc|subject|date|message-id|mime-version|"
    rb"delivered-to|content-type|content-transfer-encoding|reply-to|sender|status|envelope-to|"
    rb"dkim-signature|authentication-results|arc-[a-z-]+|received-spf|in-reply-to|references|"
    rb"thread-topic|thread-index|user-agent|importance|priority|list-[a-z-]+|precedence|"
    rb"organization|disposition-notification-to|errors-to|resent-[a-z-]+|domainkey-signature|"
    rb"comments|keywords|accept-language|content-language)[ \t]*:", re.IGNORECASE)


def looks_like_mbox(head: bytes) -> bool:
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    lines = head.lstrip(b"\r\n").split(b"\n", 2)
    return (_FROM_LINE.match(lines[0]) is not None and len(lines) > 1
            and _FIRST_FIELD.match(lines[1]) is not None)


def iter_mbox(path: Path) -> Iterator[RawMessage]:
    with path.open("rb") as fh:
        yield from iter_mbox_stream(fh, f"mbox:{path}")


def iter_mbox_stream(fh: BinaryIO, origin: str, head: bytes = b"") -> Iterator[RawMessage]:
    """Messages of an mbox read from `fh`, after `head` (bytes already read
    from it to detect the format)."""
    number = 0
    lines: list[bytes] = []
    started = False
    prev_blank = True
    pending: bytes | None = None  # a "From " line waiting for the next line
    pending_dated = False
    first = True
    for line in _lines(fh, head):
        if first:
            first = False
            if line.startswith(codecs.BOM_UTF8):
                line = line[3:]
        if pending is not None:
            stored = line[3:] if line.startswith(codecs.BOM_UTF8) else line
            if _FIRST_FIELD.match(stored) or (pending_dated and not line.strip()) or (
                    pending_dated and line[:1] in (b" ", b"\t")):
                if started:
                    number += 1
                    yield RawMessage(f"{origin}#{number}", _finish(lines))
                lines = []
                started = True
            elif started:
                lines.append(pending)
            pending = None
        # (startswith first: this runs on every line of the archive)
        if line.startswith(b"From ") and _FROM_LINE.match(line) and (
                not started or prev_blank or _ENVELOPE.match(line)):
            pending = line
            # A dated envelope after a blank line separates even when the
            # stored message starts oddly (a blank or indented first line).
            pending_dated = (not started or prev_blank) and _DATED_ENVELOPE.match(line) is not None
            prev_blank = False
            continue
        if started:
            lines.append(line)
        prev_blank = line in (b"\n", b"\r\n")
    if pending is not None and started:
        lines.append(pending)
    if started and lines:
        number += 1
        yield RawMessage(f"{origin}#{number}", _finish(lines))


def _lines(fh: BinaryIO, head: bytes) -> Iterator[bytes]:
    if head:
        # `head` may end mid-line: rejoin it with the rest of that line.
        first = head + (b"" if head.endswith(b"\n") else fh.readline())
        start = 0
        while start < len(first):
            end = first.find(b"\n", start)
            end = len(first) if end == -1 else end + 1
            yield first[start:end]
            start = end
    yield from fh


def _finish(lines: list[bytes]) -> bytes:
    # The blank line before the next separator belongs to the mbox format.
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    # Undo mboxrd quoting (">From " → "From ", ">>From " → ">From "), in
    # one pass over the message rather than a match per line.
    return _QUOTED_FROM.sub(rb"\1", b"".join(lines))
