"""Checks on an OOXML zip before any library expands it: a hostile .docx
can claim a few KB and expand to gigabytes."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Iterator

from intake.exception_codes import CORRUPT_DOCUMENT, UNSAFE_DOCUMENT
from intake.types import IntakeError

MAX_MEMBERS = 5000
# Real document XML compresses well, but not a thousandfold.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 10 * 1024 * 1024


@contextlib.contextmanager
def opened_zip(data: bytes) -> Iterator[zipfile.ZipFile | None]:
    """The package opened once for the checks that only list it or read a
    small member (check_zip, is_strict_ooxml, ooxml_macros): reading its
    directory cost more than the checks. None when it cannot be opened:
    each check then opens it itself and fails as it always did."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, KeyError):
        yield None
        return
    with zf:
        yield zf


def check_zip(data: bytes, max_unzipped_bytes: int, what: str = "Word document",
              zf: zipfile.ZipFile | None = None) -> None:
    if zf is not None:
        infos = zf.infolist()
    else:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as opened:
                infos = opened.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            raise IntakeError(
                CORRUPT_DOCUMENT,
                f"The {what} is damaged (its zip container cannot be opened); "
                "ask the sender to save it again and resend.",
            ) from None
    if len(infos) > MAX_MEMBERS:
        raise IntakeError(
            UNSAFE_DOCUMENT,
            f"The {what} holds {len(infos)} parts, far more than a form; refused as unsafe.",
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise IntakeError(
                UNSAFE_DOCUMENT,
                f"The {what} contains a part that expands more than {MAX_RATIO}-fold "
                "(a zip bomb); refused as unsafe.",
            )
    if total > max_unzipped_bytes:
        raise IntakeError(
            UNSAFE_DOCUMENT,
            f"The {what} would expand to {total // (1024 * 1024)} MB, over the "
            f"{max_unzipped_bytes // (1024 * 1024)} MB limit; refused as unsafe.",
        )
