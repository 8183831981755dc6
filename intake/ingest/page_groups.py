"""Pictures of one message that are the pages of one form become one
document (a page set, parsers/support/page_set.py).

A phone sends a three-page form as three photos; read one by one, page 2
and 3 would be three reports missing their first page's fields. So the
pictures of one message level (the message, or a message forwarded inside
it) are taken together when two or more of them look like pages. Whether a
picture looks like a page is measured, cheaply, before any OCR:

- big enough to hold a page's text (a logo, an icon, a signature image is
  small), one frame (a multi-page TIFF is a set of pages already);
- a page's shape: the long side 1.1-1.9 times the short (A4 is 1.41, a
  phone's frame 1.33; a banner or a strip is not);
- printed text: many small dark marks the size of letters and words, on a
  light ground, found by local thresholding of a reduced copy.

A picture that fails stays a document of its own, as does a lone page.
The pages are ordered by the page number in their file names (IMG_0001,
page2, p1/p2, "scan 3") when every page has a distinct one, else in the
order the message holds them. Whether the pages really are one form is
then the reader's to judge on their text: one template across the pages,
or a repeated field when two forms were sent (the mapping never drops a
second answer silently).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from intake.logs import log_fault
from intake.parsers.support.page_set import MAX_PAGES, pack
from intake.types import PAGE_SET, Document, sha256_hex

log = logging.getLogger(__name__)

PICTURES = ("image/jpeg", "image/png", "image/tiff", "image/bmp", "image/webp")
MIN_SHORT_SIDE = 500
ASPECT = (1.1, 1.9)
MEASURE_SIDE = 1000
MIN_TEXT_MARKS = 150
INK_FRACTION = (0.004, 0.16)
# A page with a few lines on it (a form's last page) still joins pages
# already found when the same camera or scanner took it.
MIN_MARKS_BESIDE_PAGES = 30
_PAGE_NO = re.compile(r"(?:page|pg|p)[\s_-]*0*(\d{1,3})(?!\d)", re.I)
_LAST_NO = re.compile(r"(\d{1,5})(?!.*\d)")


@dataclass
class PageMeasure:
    width: int
    height: int
    frames: int
    text_marks: int
    ink: float

    def page_shaped(self) -> bool:
        short, long_ = sorted((self.width, self.height))
        return (self.frames == 1 and short >= MIN_SHORT_SIDE and ASPECT[0] <= long_ / short <= ASPECT[1]
                and INK_FRACTION[0] <= self.ink <= INK_FRACTION[1])

    @property
    def page_like(self) -> bool:
        return self.page_shaped() and self.text_marks >= MIN_TEXT_MARKS

    def joins(self, pages: list["PageMeasure"]) -> bool:
        """A sparse page taken by the same device as pages already found."""
        sizes = {tuple(sorted((p.width, p.height))) for p in pages}
        return (self.page_shaped() and self.text_marks >= MIN_MARKS_BESIDE_PAGES
                and tuple(sorted((self.width, self.height))) in sizes)


def measure(data: bytes, max_pixels: int = 80_000_000) -> PageMeasure | None:
    """How page-like a picture is; None when it cannot be opened (its own
    document then says why)."""
    import cv2
    import numpy as np
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            frames = getattr(img, "n_frames", 1) or 1
            if width * height > max_pixels or frames != 1:
                return PageMeasure(width, height, frames, 0, 0.0)
            # A JPEG decodes at 1/2-1/8 scale for this: the measure needs
            # letters, not their strokes.
            img.draft("L", (MEASURE_SIDE, MEASURE_SIDE))
            grey = img.convert("L")
            grey.thumbnail((MEASURE_SIDE, MEASURE_SIDE))
            a = np.asarray(grey, dtype=np.uint8)
    except Exception:  # any decoder fault: not a page here; the reader reports it
        return None
    # Dark marks against their neighbourhood: shadows and grey paper do not
    # count, letters do.
    ink = cv2.adaptiveThreshold(a, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 18)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    long_side = max(a.shape)
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    # A letter or a word at a page's scale: 0.3-3% of the long side high,
    # no wider than a few words.
    marks = (h >= max(2, long_side * 0.003)) & (h <= long_side * 0.03) & (w <= long_side * 0.15)
    return PageMeasure(width, height, frames, int(marks.sum()), float((ink > 0).mean()))


def _level(part_path: str) -> str:
    """The message level a part sits in: a forwarded message's pictures are
    its own pages, not the outer message's."""
    return part_path.rsplit(".m", 1)[0] if ".m" in part_path else ""


def _page_number(filename: str | None) -> int | None:
    if not filename:
        return None
    stem = filename.rsplit(".", 1)[0]
    m = _PAGE_NO.search(stem) or _LAST_NO.search(stem)
    return int(m.group(1)) if m else None


def order_pages(docs: list[Document]) -> list[Document]:
    """By the page numbers in the file names when every page has its own,
    else as the message holds them."""
    numbers = [_page_number(d.filename) for d in docs]
    if None not in numbers and len(set(numbers)) == len(numbers):
        return [d for _, d in sorted(zip(numbers, docs), key=lambda p: p[0])]
    return list(docs)


def page_set_document(pages: list[Document]) -> Document:
    data = pack([(d.data, d.media_type) for d in pages])
    return Document(
        kind="attachment",
        # Every page's name, so the queue, search and export name them all.
        filename=" + ".join(d.filename or f"part {d.part_path}" for d in pages),
        media_type=PAGE_SET,
        sha256=sha256_hex(data),
        data=data,
        declared_type=pages[0].declared_type,
        # Stable for the message (replays and archive copies keep their
        # MIME structure): the document's id is taken from it.
        part_path="+".join(d.part_path for d in pages),
    )


def group_pages(documents: list[Document], max_pixels: int = 80_000_000) -> list[Document]:
    """``documents`` with each message level's page pictures (two or more)
    replaced by one page set, where the first of them stood."""
    try:
        return _grouped(documents, max_pixels)
    except Exception as exc:  # never lose a page to the grouping: each is read on its own
        log_fault(log, "grouping page pictures failed", exc)
        return documents


def _grouped(documents: list[Document], max_pixels: int) -> list[Document]:
    by_level: dict[str, list[int]] = {}
    for i, d in enumerate(documents):
        if d.kind == "attachment" and d.media_type in PICTURES:
            by_level.setdefault(_level(d.part_path), []).append(i)
    replace: dict[int, Document] = {}
    drop: set[int] = set()
    for indexes in by_level.values():
        if len(indexes) < 2:
            continue
        measured = {i: measure(documents[i].data, max_pixels) for i in indexes}
        strong = [measured[i] for i in indexes if measured[i] is not None and measured[i].page_like]
        if len(strong) < 2:
            continue
        pages: list[int] = []
        seen: set[str] = set()
        for i in indexes:
            m = measured[i]
            if documents[i].sha256 in seen or m is None or not (m.page_like or m.joins(strong)):
                continue
            pages.append(i)
            seen.add(documents[i].sha256)
        pages = pages[:MAX_PAGES]
        ordered = order_pages([documents[i] for i in pages])
        if len("+".join(d.part_path for d in ordered)) > 200:  # the store's part_path column
            continue
        replace[pages[0]] = page_set_document(ordered)
        drop.update(pages[1:])
        # A page sent twice in the set is the same page: not a document again.
        drop.update(i for i in indexes if i not in pages and documents[i].sha256 in seen)
    if not replace:
        return documents
    return [replace.get(i, d) for i, d in enumerate(documents) if i not in drop]
