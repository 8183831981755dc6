"""The original beside the record: documents turned into something a
browser can show safely.

- PDF and scans: each page rendered to PNG by poppler's pdftoppm;
- Word, .doc, .rtf, .odt: converted to PDF by LibreOffice (as the parsers
  do), then rendered like a PDF;
- pictures: re-encoded to PNG in a child process with a pixel limit;
- text bodies, HTML and anything else: the extracted text, escaped.

Nothing the sender wrote reaches the browser as active content: no PDF
viewer, no HTML from the document, no original bytes. Decoding runs in child
processes with time limits (a hostile file costs a blank page, never the
app). Results are cached in memory only (bounded, least recently used), so
no plaintext copy of a report is left on disk.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from intake.exception_codes import CONVERSION_FAILED
from intake.parsers.support.options import parsing_options
from intake.parsers.tools.process import ToolTimeout, run_tool
from intake.parsers.tools.soffice import SUFFIXES
from intake.types import IntakeError

log = logging.getLogger(__name__)

PDF = "application/pdf"
OFFICE = SUFFIXES  # what LibreOffice turns into a PDF to show (parsers/tools/soffice.py)
MAX_PAGES_SHOWN = 40
MAX_PREVIEWS = 2000  # documents whose page count / fallback text is remembered
PAGE_WIDTH_PX = 1100
TIMEOUT_S = 60


@dataclass
class Preview:
    kind: str  # "pages" | "text" | "none"
    pages: int = 0
    text: str = ""
    note: str = ""


class _LRU:
    def __init__(self, max_bytes: int):
        self.max = max_bytes
        self.size = 0
        self.items: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            v = self.items.get(key)
            if v is not None:
                self.items.move_to_end(key)
            return v

    def put(self, key, value: bytes) -> None:
        if len(value) > self.max:
            return
        with self.lock:
            if key in self.items:
                self.size -= len(self.items.pop(key))
            self.items[key] = value
            self.size += len(value)
            while self.size > self.max:
                _, old = self.items.popitem(last=False)
                self.size -= len(old)


class Renditions:
    def __init__(self, settings, cache_mb: int = 256):
        self.opts = parsing_options(settings)
        self.cache = _LRU(cache_mb * 1024 * 1024)
        self._previews: dict[tuple, Preview] = {}

    # -- what the page shows --------------------------------------------

    def preview(self, media_type: str, sha256: str, data: bytes, text: str | None) -> Preview:
        # Failures are kept too: a file LibreOffice cannot convert must not
        # cost a conversion attempt on every view.
        key = (sha256, "preview")
        cached = self._previews.get(key)
        if cached is None:
            cached = self._preview(media_type, sha256, data, text)
            # The text itself is not kept: it is cheap to take again and
            # would make the cache as large as the store.
            self._previews[key] = Preview(cached.kind, cached.pages, "", cached.note)
            while len(self._previews) > MAX_PREVIEWS:
                self._previews.pop(next(iter(self._previews)))
            return cached
        if cached.kind == "text":
            return Preview("text", 0, _text_of(data, text), cached.note)
        return cached

    def _preview(self, media_type: str, sha256: str, data: bytes, text: str | None) -> Preview:
        try:
            if media_type == PDF or media_type in OFFICE:
                pdf = self._pdf(media_type, sha256, data)
                n = self._page_count(pdf)
                note = f"Showing the first {MAX_PAGES_SHOWN} of {n} pages." if n > MAX_PAGES_SHOWN else ""
                if media_type in OFFICE:
                    note = ("Shown through LibreOffice's PDF conversion; layout may differ slightly from Word. "
                            + note).strip()
                return Preview("pages", min(n, MAX_PAGES_SHOWN), note=note)
            if media_type.startswith("image/"):
                n = self._frames(sha256, data)
                return Preview("pages", min(n, MAX_PAGES_SHOWN))
        except (IntakeError, ToolTimeout, RenderError) as exc:
            reason = exc.detail if isinstance(exc, IntakeError) else str(exc)
            return Preview("text", text=_text_of(data, text), note=f"The original cannot be shown as pages "
                           f"({reason}); its extracted text is shown instead.")
        if text or media_type.startswith("text/") or media_type == "message/rfc822":
            return Preview("text", text=_text_of(data, text))
        return Preview("none", note="This kind of file cannot be previewed; nothing was read from it.")

    def page_png(self, media_type: str, sha256: str, data: bytes, page: int) -> bytes:
        key = (sha256, "png", page)
        png = self.cache.get(key)
        if png is None:
            if media_type.startswith("image/"):
                png = _child_image_png(data, page - 1, self.opts.max_image_pixels)
            else:
                png = self._render(self._pdf(media_type, sha256, data), page)
            self.cache.put(key, png)
        return png

    def pdf(self, media_type: str, sha256: str, data: bytes) -> bytes:
        """The PDF the pages are rendered from (LibreOffice's, for Word):
        what the source boxes are measured on."""
        return self._pdf(media_type, sha256, data)

    # -- helpers --------------------------------------------------------

    def _pdf(self, media_type: str, sha256: str, data: bytes) -> bytes:
        if media_type == PDF:
            return data
        key = (sha256, "pdf")
        pdf = self.cache.get(key)
        if pdf is None:
            from intake.parsers.tools.soffice import convert

            pdf = convert(data, OFFICE[media_type], "pdf", self.opts, "document for display")
            self.cache.put(key, pdf)
        return pdf

    def _page_count(self, pdf: bytes) -> int:
        with tempfile.TemporaryDirectory(prefix="intake-view-") as tmp:
            path = Path(tmp) / "doc.pdf"
            path.write_bytes(pdf)
            proc = run_tool(["pdfinfo", str(path)], TIMEOUT_S, what="pdfinfo")
        for line in proc.stdout.decode("latin-1").splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
        raise RenderError("the PDF is damaged or password-protected")

    def _render(self, pdf: bytes, page: int) -> bytes:
        with tempfile.TemporaryDirectory(prefix="intake-view-") as tmp:
            path = Path(tmp) / "doc.pdf"
            path.write_bytes(pdf)
            out = Path(tmp) / "page"
            proc = run_tool([self.opts.pdftoppm, "-q", "-png", "-singlefile", "-scale-to-x", str(PAGE_WIDTH_PX),
                             "-scale-to-y", "-1", "-f", str(page), "-l", str(page), str(path), str(out)],
                            TIMEOUT_S, what="pdftoppm")
            png = out.with_suffix(".png")
            if proc.returncode != 0 or not png.exists():
                raise RenderError(f"page {page} could not be rendered")
            return png.read_bytes()

    def _frames(self, sha256: str, data: bytes) -> int:
        return int(_child_image(data, ["--frames"], self.opts.max_image_pixels).decode() or "1")


class RenderError(Exception):
    """An original that cannot be shown as a page."""

    code = CONVERSION_FAILED


def _text_of(data: bytes, text: str | None, limit: int = 200_000) -> str:
    if text:
        return text[:limit]
    return data[:limit].decode("utf-8", "replace")


def _child_image(data: bytes, args: list[str], max_pixels: int) -> bytes:
    with tempfile.TemporaryDirectory(prefix="intake-view-") as tmp:
        path = Path(tmp) / "image"
        path.write_bytes(data)
        try:
            proc = subprocess.run([sys.executable, "-m", "intake.review.image_preview", str(path),
                                   str(max_pixels), *args], capture_output=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise RenderError("the picture took too long to decode") from None
    if proc.returncode != 0:
        raise RenderError("the picture is damaged or too large")
    return proc.stdout


def _child_image_png(data: bytes, frame: int, max_pixels: int) -> bytes:
    return _child_image(data, ["--frame", str(frame)], max_pixels)
