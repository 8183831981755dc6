"""Pictures that are pages of one form, kept as one document: a page set.

A phone sends each page of a form as its own picture. Intake reads them as
one document (ingest/page_groups.py decides which belong together), so the
document's bytes must hold every page, in order, exactly as received. The
container is a ZIP (stored, not compressed: the pictures are compressed
already) that anyone can open with an ordinary tool, written so that its
bytes depend on the pages' bytes and order only: fixed member names and
times, and no file names of the sender's. Its SHA-256 is therefore a
function of the ordered pages, so replaying the message, or reading the same
pages from another archive copy, gives the same document, and the same pages
sent again under other names are an exact duplicate. Where each page came
from (MIME part, file name) is kept on the document row, not in here.

Reading a page set never trusts it more than a picture: the members are
checked against the manifest, and each is opened as a picture with the
usual pixel limit by the reader that opens it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from intake.exception_codes import CORRUPT_DOCUMENT

MANIFEST = "intake-page-set.json"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif", "image/bmp": "bmp",
        "image/gif": "gif", "image/webp": "webp"}
MAX_PAGES = 60


class PageSetError(ValueError):
    """Not a page set intake wrote (damaged, or altered since)."""

    code = CORRUPT_DOCUMENT


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o600 << 16
    return info


def pack(pages: list[tuple[bytes, str]]) -> bytes:
    """``pages``: (bytes, media type) in reading order."""
    manifest = {"format": "intake page set", "version": 1,
                "pages": [{"media_type": mt, "sha256": hashlib.sha256(data).hexdigest()} for data, mt in pages]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(_member(MANIFEST), json.dumps(manifest, sort_keys=True, separators=(",", ":")))
        for n, (data, mt) in enumerate(pages, start=1):
            z.writestr(_member(f"page-{n:03d}.{_EXT.get(mt, 'bin')}"), data)
    return buf.getvalue()


def is_page_set(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" and data[30:30 + len(MANIFEST)] == MANIFEST.encode()


def unpack(data: bytes) -> list[tuple[bytes, str]]:
    """The pages, in order, as (bytes, media type)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if not names or names[0] != MANIFEST:
                raise PageSetError("no page-set manifest")
            manifest = json.loads(z.read(MANIFEST))
            entries = manifest["pages"]
            if len(entries) > MAX_PAGES or len(names) != len(entries) + 1:
                raise PageSetError("the pages do not match the manifest")
            out = []
            for name, entry in zip(names[1:], entries):
                info = z.getinfo(name)
                if info.file_size > 200 * 1024 * 1024:
                    raise PageSetError("a page is too large")
                page = z.read(name)
                if hashlib.sha256(page).hexdigest() != entry["sha256"]:
                    raise PageSetError("a page does not match its hash")
                out.append((page, str(entry["media_type"])))
            return out
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        if isinstance(exc, PageSetError):
            raise
        raise PageSetError(f"not a readable page set ({type(exc).__name__})") from None
