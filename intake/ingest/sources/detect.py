"""Decide what an archive path is by its content and layout, never by its
name alone: a Maildir is a folder with cur/ and new/; an mbox starts with a
"From " line; an .eml starts with headers; a .msg is an OLE file with
Outlook streams. A folder that is none of these is searched for them.

A pipe (FIFO, /dev/stdin) is read once, as a stream: an mbox message by
message, a single message whole. Device files and sockets are refused: they
are not archives, and reading one could never end."""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import BinaryIO, Iterator

from intake.exception_codes import ARCHIVE_UNREADABLE
from intake.ingest.sources.maildir import is_maildir, iter_maildir
from intake.ingest.sources.mbox import iter_mbox, iter_mbox_stream, looks_like_mbox
from intake.ingest.sources.msg import iter_msg, msg_to_rfc822
from intake.parsers.sniff import MSG, looks_like_email, sniff_media_type
from intake.types import RawMessage

log = logging.getLogger(__name__)

HEAD = 8192
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# One message read from a pipe is held in memory whole; an archive on a
# pipe streams message by message. Matches mime.max_message_bytes' default.
DEFAULT_MAX_STREAM_MESSAGE = 100 * 1024 * 1024


class ArchiveError(Exception):
    """The path cannot be read as an archive at all."""

    code = ARCHIVE_UNREADABLE


class UnreadableFile:
    """A file inside an archive folder that is not a mailbox or message.
    Yielded (not raised) so the run records it and goes on."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason


def is_stream(path: Path) -> bool:
    """A pipe: read once, as it arrives (opening it waits for a writer)."""
    try:
        return stat.S_ISFIFO(Path(path).stat().st_mode)
    except OSError:
        return False


def _not_a_file(mode: int) -> str | None:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None


def kind_of(path: Path) -> str:
    if is_maildir(path):
        return "maildir"
    if path.is_dir():
        return "folder"
    with path.open("rb") as fh:
        head = fh.read(HEAD)
    if looks_like_mbox(head):
        return "mbox"
    if looks_like_email(head):
        return "eml"
    if head.startswith(OLE_MAGIC):
        # The OLE check needs the whole file to see the streams.
        if sniff_media_type(path.read_bytes(), path.name) == MSG:
            return "msg"
    return "unknown"


def iter_archive(path: Path, max_stream_message: int = DEFAULT_MAX_STREAM_MESSAGE,
                 ) -> Iterator[RawMessage | UnreadableFile]:
    path = Path(path).absolute()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if stat.S_ISFIFO(mode):
        yield from _iter_stream(path, max_stream_message)
        return
    what = _not_a_file(mode)
    if what is not None:
        raise ArchiveError(f"{path}: {what}, not an archive file, folder or pipe; nothing was read")
    path = path.resolve()
    kind = kind_of(path)
    if kind == "maildir":
        yield from iter_maildir(path)
    elif kind == "mbox":
        yield from iter_mbox(path)
    elif kind == "eml":
        yield RawMessage(f"eml:{path}", path.read_bytes())
    elif kind == "msg":
        try:
            yield from iter_msg(path)
        except Exception as exc:  # extract-msg raises a zoo of types on damage
            yield UnreadableFile(path, f"damaged Outlook .msg ({type(exc).__name__})")
    elif kind == "folder":
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            try:
                child_mode = child.stat().st_mode
            except OSError as exc:
                yield UnreadableFile(child, f"cannot be read ({exc.strerror or type(exc).__name__})")
                continue
            if not (stat.S_ISDIR(child_mode) or stat.S_ISREG(child_mode)):
                # A pipe inside a folder would block the whole run waiting
                # for a writer; a named pipe must be given on its own.
                yield UnreadableFile(child, "not a regular file (a pipe or device); give a pipe as "
                                            "a path of its own to read it")
                continue
            try:
                yield from iter_archive(child, max_stream_message)
            except ArchiveError as exc:
                yield UnreadableFile(child, str(exc))
    else:
        raise ArchiveError(
            f"{path}: not an mbox, Maildir, .eml or .msg (checked by content)"
        )


def _iter_stream(path: Path, max_message: int) -> Iterator[RawMessage | UnreadableFile]:
    with path.open("rb") as fh:  # waits for a writer: the caller says so first
        head = fh.read(HEAD)
        if not head:
            raise ArchiveError(f"{path}: the pipe closed before any data arrived; nothing was read")
        if looks_like_mbox(head):
            yield from iter_mbox_stream(fh, f"mbox:{path}", head)
            return
        data = head + _read_bounded(fh, max_message + 1 - len(head))
        if len(data) > max_message:
            drained = _drain(fh)
            raise ArchiveError(
                f"{path}: one message of more than {max_message} bytes ({len(data) + drained} read) "
                "on a pipe; it was not stored. Save it to a file and replay the file.")
        if looks_like_email(data):
            yield RawMessage(f"eml:{path}", data)
        elif data.startswith(OLE_MAGIC) and sniff_media_type(data) == MSG:
            try:
                yield RawMessage(f"msg:{path}", msg_to_rfc822(data))
            except Exception as exc:  # extract-msg raises a zoo of types on damage
                raise ArchiveError(f"{path}: damaged Outlook .msg on a pipe ({type(exc).__name__}); "
                                   "nothing was stored") from None
        else:
            raise ArchiveError(f"{path}: the pipe carried {len(data)} bytes that are not an mbox, "
                               ".eml or .msg (checked by content); nothing was stored")


def _read_bounded(fh: BinaryIO, limit: int) -> bytes:
    chunks, n = [], 0
    while n < limit:
        chunk = fh.read(min(1 << 20, limit - n))
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
    return b"".join(chunks)


def _drain(fh: BinaryIO) -> int:
    """Read a pipe to its end without keeping it, so the writer finishes
    normally instead of dying of SIGPIPE."""
    n = 0
    while chunk := fh.read(1 << 20):
        n += len(chunk)
    return n
