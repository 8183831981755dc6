"""Decide what an archive path is by its content and layout, never by its
name alone: a Maildir is a folder with cur/ and new/; an mbox starts with a
"From " line; an .eml starts with headers; a .msg is an OLE file with
Outlook streams. A folder that is none of these is searched for them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

from intake.ingest.sources.maildir import is_maildir, iter_maildir
from intake.ingest.sources.mbox import iter_mbox, looks_like_mbox
from intake.ingest.sources.msg import iter_msg
from intake.parsers.sniff import EML, MSG, sniff_media_type
from intake.types import RawMessage

log = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The path cannot be read as an archive at all."""


class UnreadableFile:
    """A file inside an archive folder that is not a mailbox or message.
    Yielded (not raised) so the run records it and goes on."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason


def kind_of(path: Path) -> str:
    if is_maildir(path):
        return "maildir"
    if path.is_dir():
        return "folder"
    with path.open("rb") as fh:
        head = fh.read(8192)
    if looks_like_mbox(head):
        return "mbox"
    mt = sniff_media_type(head + (b"" if len(head) < 8192 else b""), path.name)
    if mt == EML:
        return "eml"
    if mt == "application/x-ole-storage" or mt == MSG:
        # The OLE check needs the whole file to see the streams.
        if sniff_media_type(path.read_bytes(), path.name) == MSG:
            return "msg"
    return "unknown"


def iter_archive(path: Path) -> Iterator[RawMessage | UnreadableFile]:
    path = Path(path).resolve()
    if not path.exists():
        raise ArchiveError(f"{path}: no such file or folder")
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
            if child.is_dir() or child.is_file():
                try:
                    yield from iter_archive(child)
                except ArchiveError as exc:
                    yield UnreadableFile(child, str(exc))
    else:
        raise ArchiveError(
            f"{path}: not an mbox, Maildir, .eml or .msg (checked by content)"
        )
