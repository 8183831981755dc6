"""Child process of source_boxes.py: the words on each page of a document as
the review page shows it, with their boxes, and its form widgets' boxes.

- a PDF (or LibreOffice's PDF of a Word file): the text layer's words,
  from pdfium's character boxes; a page with no text (a scan) is rendered
  by pdfium and read by Tesseract for its word boxes (only the pages the
  record's values came from, when the parent names them: OCR costs
  seconds a page);
- a picture: each frame, turned upright by its EXIF tag as the preview
  turns it, read by Tesseract; a page set's pictures are its frames;
- AcroForm widgets: their rectangles and fully qualified names (pypdf, as
  the AcroForm reader reads them).

Every box is a fraction of its page (0-1 from the top left), so it lands
on the page image whatever size it is drawn at. Run as its own process,
with a time limit, like the other decoders of the review app: a hostile
file costs this process only. The request arrives pickled on standard
input from the parent (trusted); the answer leaves as JSON on standard
output and is never written to disk.

    python -m intake.review.page_words < request.pickle
"""

from __future__ import annotations

import json
import pickle
import sys

OCR_DPI = 200
_SPACE = {" ", "\t", "\r", "\n", "\x00", "\xa0", "\u2002", "\u2003", "\u2009", "\ufffe", "\x02"}


def _pdf_words(textpage, left: float, bottom: float, width: float, height: float) -> list[list]:
    """Words from pdfium's characters: a run of non-space characters, split
    where a gap opens or the line changes."""
    words: list[list] = []
    cur_text, box = [], None
    n = textpage.count_chars()

    def flush():
        nonlocal cur_text, box
        if cur_text and box is not None:
            x0, y0, x1, y1 = box
            words.append(["".join(cur_text), (x0 - left) / width, (bottom + height - y1) / height,
                          (x1 - left) / width, (bottom + height - y0) / height])
        cur_text, box = [], None

    import pypdfium2.raw as pdfium_c

    for i in range(n):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        ch = chr(code) if 0 < code < 0x110000 else " "
        if ch in _SPACE or not ch.isprintable():
            flush()
            continue
        # The loose box spans the font's height: every word of a line gets
        # the same top and bottom, as a highlight should.
        x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)
        if box is not None:
            h = max(box[3] - box[1], y1 - y0, 1.0)
            same_line = abs((y0 + y1) / 2 - (box[1] + box[3]) / 2) < h * 0.6
            if not same_line or x0 - box[2] > h * 0.6 or x0 < box[0] - h:
                flush()
        cur_text.append(ch)
        box = (x0, y0, x1, y1) if box is None else (min(box[0], x0), min(box[1], y0), max(box[2], x1),
                                                     max(box[3], y1))
    flush()
    return words


def _ocr(image, opts) -> list[list]:
    from intake.parsers.tools.tesseract import ocr_words

    gray = image.convert("L")
    w, h = gray.size
    return [[wd.text, wd.x0 / w, wd.top / h, wd.x1 / w, wd.bottom / h]
            for wd in ocr_words(gray, OCR_DPI, opts) if wd.text.strip()]


def _widgets(path: str, max_pages: int) -> dict[int, list[list]]:
    from pypdf import PdfReader

    from intake.parsers.readers.pdf.acroform import read_fields

    reader = PdfReader(path)
    out: dict[int, list[list]] = {}
    for placed in read_fields(reader, max_pages):
        box = reader.pages[placed.page - 1].mediabox
        w, h = float(box.width) or 1.0, float(box.height) or 1.0
        out.setdefault(placed.page, []).append([placed.field.name, placed.x0 / w, placed.top / h,
                                                placed.x1 / w, placed.bottom / h])
    return out


def read_pdf(path: str, max_pages: int, opts, ocr_pages=None) -> list[dict]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    pages = []
    try:
        for n in range(min(len(pdf), max_pages)):
            page = pdf[n]
            # The page image is the crop box as pdftoppm renders it.
            left, bottom, right, top = page.get_cropbox()
            width, height = (right - left) or 1.0, (top - bottom) or 1.0
            words = _pdf_words(page.get_textpage(), left, bottom, width, height)
            how = "text"
            wanted = ocr_pages is None or n + 1 in ocr_pages
            if not any(any(c.isalnum() for c in w[0]) for w in words) and opts is not None and wanted:
                image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                words, how = _ocr(image, opts), "ocr"
            pages.append({"words": words, "how": how, "rotation": page.get_rotation()})
    finally:
        pdf.close()
    try:
        for pno, widgets in _widgets(path, max_pages).items():
            if 1 <= pno <= len(pages):
                pages[pno - 1]["widgets"] = widgets
    except Exception:  # no form, or a damaged one: the text layer still stands
        pass
    return pages


def read_image(path: str, max_pages: int, max_pixels: int, opts, ocr_pages=None) -> list[dict]:
    import io
    from pathlib import Path

    from PIL import Image, ImageOps

    from intake.parsers.support.page_set import is_page_set, unpack

    Image.MAX_IMAGE_PIXELS = max_pixels or None
    data = Path(path).read_bytes()
    pictures = [d for d, _ in unpack(data)] if is_page_set(data) else [data]
    pages = []
    for data in pictures:
        with Image.open(io.BytesIO(data)) as im:
            # a page set's members are one frame each
            for n in range(min(getattr(im, "n_frames", 1), max_pages - len(pages))):
                im.seek(n)
                frame = ImageOps.exif_transpose(im)
                wanted = opts is not None and (ocr_pages is None or len(pages) + 1 in ocr_pages)
                pages.append({"words": _ocr(frame, opts) if wanted else [], "how": "ocr"})
    return pages

def main() -> int:
    req = pickle.load(sys.stdin.buffer)
    if req["kind"] == "pdf":
        pages = read_pdf(req["path"], req["max_pages"], req["ocr"], req.get("ocr_pages"))
    else:
        pages = read_image(req["path"], req["max_pages"], req["max_pixels"], req["ocr"], req.get("ocr_pages"))
    sys.stdout.write(json.dumps({"pages": pages}))
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a child process
    try:
        sys.exit(main())
    except Exception:  # the parent only needs "it failed"; nothing of the document is printed
        sys.exit(3)
