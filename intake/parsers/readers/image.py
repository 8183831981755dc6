"""A picture attached on its own (a photographed or scanned form) → OCR.

Small pictures are signature logos and icons: they get an empty Layout with
a warning, and the template layer calls an empty layout not_a_report."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from intake.exception_codes import CORRUPT_DOCUMENT, OCR_NO_TEXT, OCR_PAGES_SKIPPED, UNSAFE_DOCUMENT
from intake.parsers.ocr import page_clean
from intake.parsers.ocr.page import TableCounter, ocr_page
from intake.parsers.readers.registry import reader
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.page_set import PageSetError, unpack
from intake.types import PAGE_SET, Document, ExceptionInfo, IntakeError, Layout

MIN_SIDE = 200
MIN_BYTES = 20 * 1024
A4_WIDTH_IN = 8.27


def _dpi(img: Image.Image) -> int:
    """The picture's resolution as a page: what it says, unless the page it
    would make is far wider than A4 (a phone photo says 72 dpi whatever its
    size); then, and when it says nothing, as if it were an A4 page wide."""
    dpi = img.info.get("dpi")
    try:
        x = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x = 0.0
    as_a4 = int(min(600, max(70, img.width / A4_WIDTH_IN)))
    if 70 <= x <= 1200:
        return max(int(round(x)), as_a4) if img.width / x > 2 * A4_WIDTH_IN else int(round(x))
    return as_a4


def upscale_factor(width: int, height: int, dpi: int, max_pixels: int) -> float:
    """How much to enlarge a low-resolution picture for OCR: towards 300
    dpi, but never past the pixel limit (checked on what will be OCR'd,
    not on what was received)."""
    if dpi >= 200:
        return 1.0
    scale = 300 / dpi
    if width * height * scale * scale > max_pixels:
        scale = max(1.0, (max_pixels / max(1, width * height)) ** 0.5)
    return scale


def open_image(data: bytes, opts: ParsingOptions) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = opts.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            img.size  # noqa: B018  (header read here)
            return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise IntakeError(
            UNSAFE_DOCUMENT,
            f"The image claims more than {opts.max_image_pixels:,} pixels; refused as unsafe.",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise IntakeError(CORRUPT_DOCUMENT, "The image is damaged or not a picture format "
                          "intake can open; view it by hand.") from None


def is_small(img: Image.Image, size: int) -> bool:
    return img.width < MIN_SIDE or img.height < MIN_SIDE or size < MIN_BYTES


def square_pixels(frame: Image.Image) -> Image.Image:
    """A fax's pixels are not square (204 dpi across, 98 or 196 down):
    stretched to square before anything measures lines or letters."""
    dpi = frame.info.get("dpi")
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return frame
    if x <= 0 or y <= 0 or abs(x - y) / max(x, y) < 0.03:
        return frame
    out = frame.convert("L").resize((frame.width, int(round(frame.height * x / y))), Image.Resampling.LANCZOS)
    out.info["dpi"] = (x, x)
    return out


def ocr_picture(frame: Image.Image, page: int, opts: ParsingOptions, tables: TableCounter):
    """Blocks and words of one picture of a page."""
    # A phone keeps the picture as the sensor saw it and says in EXIF which
    # way up to show it.
    frame = square_pixels(ImageOps.exif_transpose(frame) or frame)
    dpi = _dpi(frame)
    # Before upscaling: a fax is still black and white here, so its speckle
    # is found, and a photo's sheet is found on fewer pixels.
    pic, dpi = page_clean.clean(frame, dpi)
    # Tesseract reads 300-dpi text best; a low-resolution scan gains more
    # from upscaling than it costs.
    scale = upscale_factor(pic.width, pic.height, dpi, opts.max_image_pixels)
    if scale > 1.0:
        pic = pic.resize((int(pic.width * scale), int(pic.height * scale)), Image.Resampling.LANCZOS)
        dpi = int(round(dpi * scale))
    return ocr_page(pic, page, dpi, opts, tables, cleaned=True)


@reader("image/png", "image/jpeg", "image/tiff", "image/bmp", "image/gif", "image/webp")
def read_image(doc: Document, opts: ParsingOptions) -> Layout:
    img = open_image(doc.data, opts)
    layout = Layout(source="ocr", ocr=True)
    if is_small(img, len(doc.data)):
        layout.ocr = False
        layout.pages = 1
        layout.notes.append(
            f"a small picture ({img.width}x{img.height} px, {len(doc.data) // 1024} KB), "
            "taken for a logo or icon and not read"
        )
        return layout
    frames = getattr(img, "n_frames", 1) or 1
    return _read_frames(layout, ImageSequence.Iterator(img), frames, opts)


@reader(PAGE_SET)
def read_page_set(doc: Document, opts: ParsingOptions) -> Layout:
    """Pictures of the pages of one form, sent as separate attachments:
    read as the pages of one scan, in the order the set holds them."""
    try:
        pages = unpack(doc.data)
    except PageSetError as exc:
        raise IntakeError(CORRUPT_DOCUMENT, f"The set of page pictures cannot be read ({exc}).") from None
    # Each member is the first frame of its own picture (the grouping takes
    # single-frame pictures only).
    frames = (open_image(data, opts) for data, _ in pages)
    return _read_frames(Layout(source="ocr", ocr=True), frames, len(pages), opts)


def _read_frames(layout: Layout, frames, count: int, opts: ParsingOptions) -> Layout:
    tables = TableCounter()
    if count > opts.max_ocr_pages:
        layout.warnings.append(ExceptionInfo(
            OCR_PAGES_SKIPPED, f"The image has {count} pages; only the first {opts.max_ocr_pages} "
            "were read (parsing.max_ocr_pages)."))
    words_all = []
    page = 0
    for page, frame in enumerate(frames, start=1):
        if page > opts.max_ocr_pages:
            page -= 1
            break
        blocks, words = ocr_picture(frame, page, opts, tables)
        layout.blocks.extend(blocks)
        words_all.extend(words)
    layout.pages = page
    if not words_all:
        layout.warnings.append(ExceptionInfo(OCR_NO_TEXT, "OCR found no text in the picture."))
    return layout
