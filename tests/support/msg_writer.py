"""A minimal, test-only writer of Outlook .msg files.

Hand-written because no maintained Python library writes .msg files (the
PyPI candidates are abandoned or unvetted), and the tests need real .msg
bytes to replay. Two layers, each following its spec:

- MS-CFB: a version 3 compound file with 512-byte sectors, a FAT, a
  directory, and a mini stream (64-byte sectors, its own mini FAT) for
  streams under 4096 bytes. The DIFAT lives in the header only, so files
  are limited to 109 FAT sectors (about 7 MB), plenty for tests.
- MS-OXMSG: `__substg1.0_<tag>` streams (strings UTF-16LE), a
  `__properties_version1.0` stream per object (16-byte entries), and
  `__recip_version1.0_#N` / `__attach_version1.0_#N` storages.

Red-black tree colours are all black: readers (olefile, hence extract-msg)
only walk the sibling tree as a binary search tree, and a balanced BST keeps
the walk shallow. It is not a general writer: no embedded .msg attachments,
no named properties beyond the empty storage Outlook always writes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF

# ---------------------------------------------------------------- MS-CFB


class _Entry:
    def __init__(self, name: str, data: bytes | None, kind: int):
        self.name, self.data, self.kind = name, data, kind  # kind: 1 storage, 2 stream, 5 root
        self.children: list[_Entry] = []
        self.left = self.right = self.child = NOSTREAM
        self.start, self.size = END, 0


def _cfb_key(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names sort first, then by upper-cased name.
    return (len(name), name.upper())


def _flatten(tree: dict, parent: _Entry, entries: list[_Entry]) -> None:
    for name, value in tree.items():
        if len(name) > 31:
            raise ValueError(f"CFB names are at most 31 characters: {name!r}")
        entry = _Entry(name, None, 1) if isinstance(value, dict) else _Entry(name, bytes(value), 2)
        entry.index = len(entries)
        entries.append(entry)
        parent.children.append(entry)
        if isinstance(value, dict):
            _flatten(value, entry, entries)


def _link(children: list[_Entry]) -> int:
    """Balanced BST over sorted siblings; returns the subtree root's index."""
    if not children:
        return NOSTREAM
    mid = len(children) // 2
    node = children[mid]
    node.left, node.right = _link(children[:mid]), _link(children[mid + 1:])
    return node.index


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i < count - 1 else END


def _dir_entry(e: _Entry) -> bytes:
    name = (e.name + "\0").encode("utf-16-le") if e.kind else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ", name, len(name), e.kind, 1, e.left, e.right, e.child,
        b"\0" * 16, 0, 0, 0, e.start, e.size)


def write_cfb(tree: dict) -> bytes:
    """A compound file from a nested dict: str -> bytes (stream) or dict (storage)."""
    root = _Entry("Root Entry", None, 5)
    root.index = 0
    entries = [root]
    _flatten(tree, root, entries)
    for e in entries:
        e.children.sort(key=lambda c: _cfb_key(c.name))
        e.child = _link(e.children)

    streams = [e for e in entries if e.kind == 2]
    mini_data, minifat = bytearray(), []
    for e in streams:
        e.size = len(e.data)
        if 0 < e.size < CUTOFF:
            e.start = len(mini_data) // MINI
            n = -(-e.size // MINI)
            minifat.extend([0] * n)
            _chain(minifat, e.start, n)
            mini_data += e.data.ljust(n * MINI, b"\0")

    def sectors(n_bytes: int) -> int:
        return -(-n_bytes // SECTOR)

    n_dir = sectors(len(entries) * 128)
    n_minifat = sectors(len(minifat) * 4)
    n_mini = sectors(len(mini_data))
    big = [e for e in streams if e.size >= CUTOFF]
    n_big = sum(sectors(e.size) for e in big)
    other = n_dir + n_minifat + n_mini + n_big
    n_fat = 1
    while n_fat * (SECTOR // 4) < other + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("too large for a header-only DIFAT")

    fat = [FREE] * (n_fat * SECTOR // 4)
    fat[:n_fat] = [FATSECT] * n_fat
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else END
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    if n_mini:
        root.start, root.size = pos, len(mini_data)
        _chain(fat, pos, n_mini)
        pos += n_mini
    body = bytearray()
    for e in big:
        n = sectors(e.size)
        e.start = pos
        _chain(fat, pos, n)
        pos += n
        body += e.data.ljust(n * SECTOR, b"\0")

    directory = b"".join(_dir_entry(e) for e in entries)
    empty = _Entry("", None, 0)
    empty.start = 0
    directory += _dir_entry(empty) * ((n_dir * SECTOR - len(directory)) // 128)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += struct.pack("<I", FREE) * ((n_minifat * SECTOR - len(minifat_bytes)) // 4)

    difat = list(range(n_fat)) + [FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16,
        0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, n_fat, dir_start, 0, CUTOFF,
        minifat_start, n_minifat, END, 0, *difat)
    return b"".join([
        header,
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        minifat_bytes,
        bytes(mini_data.ljust(n_mini * SECTOR, b"\0")),
        bytes(body),
    ])


# ---------------------------------------------------------------- MS-OXMSG

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102


@dataclass
class MsgAttachment:
    filename: str
    data: bytes
    mime_type: str | None = None


class _Props:
    """One object's `__substg1.0_` streams plus its properties stream."""

    def __init__(self) -> None:
        self.streams: dict[str, bytes] = {}
        self.entries: list[bytes] = []

    def fixed(self, prop_id: int, ptype: int, value: bytes) -> None:
        # Flags 2|4: readable and writable (MS-OXMSG 2.4.2.1).
        self.entries.append(struct.pack("<II8s", (prop_id << 16) | ptype, 6, value.ljust(8, b"\0")))

    def string(self, prop_id: int, text: str | None) -> None:
        if text is not None:
            self._variable(prop_id, PT_UNICODE, text.encode("utf-16-le"), 2)

    def binary(self, prop_id: int, data: bytes) -> None:
        self._variable(prop_id, PT_BINARY, data, 0)

    def _variable(self, prop_id: int, ptype: int, data: bytes, terminator: int) -> None:
        self.streams[f"__substg1.0_{prop_id:04X}{ptype:04X}"] = data
        self.entries.append(struct.pack("<IIII", (prop_id << 16) | ptype, 6, len(data) + terminator, 0))

    def storage(self, header: bytes) -> dict:
        return {**self.streams, "__properties_version1.0": header + b"".join(self.entries)}


def _filetime(dt: datetime) -> bytes:
    return struct.pack("<Q", int((dt.timestamp() + 11644473600) * 10_000_000))


def build_msg(subject: str = "Intelligence report", body: str | None = None,
              sender: tuple[str, str] = ("Sam Teacher", "sam.teacher@school.example.org"),
              to: tuple[str, str] = ("MASE Intel", "mase-intel@example.police.uk"),
              attachments: list[MsgAttachment] = (), message_id: str | None = None,
              date: datetime | None = datetime(2026, 3, 4, 14, 30, tzinfo=timezone.utc),
              transport_headers: bool = True, message_class: str = "IPM.Note",
              rtf_compressed: bytes | None = None, codepage: int | None = None,
              extra_strings: dict[int, str] | None = None) -> bytes:
    """An Outlook .msg of a received e-mail (IPM.Note). `transport_headers`
    False gives what a draft or a sent item holds: no header block, so
    readers rebuild headers from properties. `message_class` makes other
    Outlook items (IPM.Appointment, IPM.Contact); `rtf_compressed` is a
    PidTagRtfCompressed body; `codepage` sets PidTagMessageCodepage."""
    top = _Props()
    top.string(0x001A, message_class)
    for prop_id, text in (extra_strings or {}).items():
        top.string(prop_id, text)
    if rtf_compressed is not None:
        top.binary(0x1009, rtf_compressed)
    if codepage is not None:
        top.fixed(0x3FFD, PT_LONG, struct.pack("<I", codepage))
    top.string(0x0037, subject)
    top.string(0x1000, body)
    top.string(0x0C1A, sender[0])
    top.string(0x0C1E, "SMTP")
    top.string(0x0C1F, sender[1])
    top.string(0x5D01, sender[1])
    top.string(0x0E04, to[0])  # PidTagDisplayTo
    top.string(0x1035, message_id)
    if transport_headers:
        lines = [f"From: {sender[0]} <{sender[1]}>", f"To: {to[0]} <{to[1]}>",
                 f"Subject: {subject}", "MIME-Version: 1.0"]
        if date is not None:
            lines.append(f"Date: {format_datetime(date)}")
        if message_id:
            lines.append(f"Message-ID: {message_id}")
        top.string(0x007D, "\r\n".join(lines) + "\r\n\r\n")
    top.fixed(0x340D, PT_LONG, struct.pack("<I", 0x00040000))  # STORE_UNICODE_OK
    top.fixed(0x0E07, PT_LONG, struct.pack("<I", 1))  # MSGFLAG_READ, not unsent
    if date is not None:
        top.fixed(0x0039, PT_SYSTIME, _filetime(date))  # PidTagClientSubmitTime
        top.fixed(0x0E06, PT_SYSTIME, _filetime(date))  # PidTagMessageDeliveryTime

    recip = _Props()
    recip.string(0x3001, to[0])
    recip.string(0x3002, "SMTP")
    recip.string(0x3003, to[1])
    recip.string(0x39FE, to[1])
    recip.fixed(0x0C15, PT_LONG, struct.pack("<I", 1))  # MAPI_TO
    recip.fixed(0x3000, PT_LONG, struct.pack("<I", 0))  # PidTagRowid

    tree: dict = {
        "__nameid_version1.0": {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"",
                                "__substg1.0_00040102": b""},
        "__recip_version1.0_#00000000": recip.storage(b"\0" * 8),
    }
    for i, att in enumerate(attachments):
        p = _Props()
        stem, dot, ext = att.filename.rpartition(".")
        p.string(0x3707, att.filename)
        p.string(0x3704, (stem[:8] + dot + ext[:3]) if dot else att.filename[:8])
        p.string(0x3001, att.filename)
        p.string(0x3703, dot + ext if dot else None)
        p.string(0x370E, att.mime_type)
        p.binary(0x3701, att.data)
        p.fixed(0x3705, PT_LONG, struct.pack("<I", 1))  # ATTACH_BY_VALUE
        p.fixed(0x0E20, PT_LONG, struct.pack("<I", len(att.data)))
        p.fixed(0x0E21, PT_LONG, struct.pack("<I", i))  # PidTagAttachNumber
        p.fixed(0x370B, PT_LONG, struct.pack("<i", -1))  # rendering position: none
        tree[f"__attach_version1.0_#{i:08X}"] = p.storage(b"\0" * 8)

    n = len(attachments)
    header = struct.pack("<8sIIII8s", b"\0" * 8, 1, n, 1, n, b"\0" * 8)
    tree.update(top.storage(header))
    return write_cfb(tree)
