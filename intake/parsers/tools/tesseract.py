"""Tesseract OCR of one page image → words with boxes and confidences, and
which way up a page is.

Through Tesseract's library (tesserocr) in this process when it is there:
the engine and its language model load once per worker, where the
`tesseract` command pays a process start and a model load for every page
and for every doubtful cell read again. The command stays as the fallback
(parsing.ocr_api = false, or no tesserocr), with the same results format:
Tesseract's TSV, which gives every word's box and confidence.

Pixels go to the library raw (SetImageBytes), never as an encoded image:
the image decoders bundled with tesserocr's wheel never see a byte of a
received file. Both ways run Tesseract on one thread (OMP_THREAD_LIMIT=1):
the workers are the parallelism."""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

from intake.exception_codes import OCR_FAILED
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.words import Word
from intake.parsers.tools.process import ToolTimeout, run_tool
from intake.types import IntakeError

log = logging.getLogger(__name__)

TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
# Below this Tesseract's guess of a page's orientation is noise.
MIN_ORIENTATION_CONF = 2.0


def _gray(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, np.ndarray):
        return np.ascontiguousarray(image, dtype=np.uint8)
    return np.asarray(image.convert("L"))


def _timed_out(opts: ParsingOptions) -> IntakeError:
    return IntakeError(
        OCR_FAILED,
        f"Tesseract did not finish a page within {opts.ocr_timeout_s:g} s; "
        "read the scan by hand or raise parsing.ocr_timeout_s.",
    )


# -- the library ---------------------------------------------------------------

class _Engines(threading.local):
    """Per thread (a Tesseract handle is not thread-safe): one handle per
    (language data folder, languages), and the configurations that failed."""

    def __init__(self) -> None:
        self.apis: dict[tuple[str, str], object] = {}
        self.failed: set[tuple[str, str]] = set()


_engines = _Engines()
_tessdata: dict[str, str | None] = {}
_tessdata_lock = threading.Lock()
_LANG_DIR = re.compile(r'"([^"]+)"')


def _library():
    # Before the library loads: an OpenMP build of Tesseract reads this once.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr


def tessdata_dir(opts: ParsingOptions) -> str | None:
    """The language data folder: parsing.tessdata, else $TESSDATA_PREFIX,
    else the one the tesseract command reports (the Debian package's)."""
    if opts.tessdata:
        return opts.tessdata
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    with _tessdata_lock:
        if opts.tesseract not in _tessdata:
            found = None
            try:
                proc = run_tool([opts.tesseract, "--list-langs"], 60, what="Tesseract")
                m = _LANG_DIR.search(proc.stdout.decode("utf-8", "replace"))
                found = m.group(1) if m else None
            except (IntakeError, ToolTimeout):
                found = None
            _tessdata[opts.tesseract] = found
        return _tessdata[opts.tesseract]


def _api(opts: ParsingOptions, lang: str):
    """This thread's Tesseract handle for ``lang``, or None (fall back to
    the command)."""
    if not opts.ocr_api:
        return None
    tess = _library()
    if tess is None:
        return None
    path = tessdata_dir(opts)
    key = (path or "", lang)
    if key in _engines.failed or path is None:
        return None
    api = _engines.apis.get(key)
    if api is None:
        try:
            api = tess.PyTessBaseAPI(path=path.rstrip("/") + "/", lang=lang, init=True)
        except RuntimeError:
            # Language data missing for the library: the command says so
            # in its own words (ocr_failed naming the languages).
            _engines.failed.add(key)
            log.warning("Tesseract's library could not load its language data; using the command")
            return None
        _engines.apis[key] = api
    return api


def _set_image(api, gray: np.ndarray, dpi: int) -> None:
    h, w = gray.shape
    api.SetImageBytes(gray.tobytes(), w, h, 1, w)
    api.SetSourceResolution(int(dpi))


def _api_words(api, gray: np.ndarray, dpi: int, opts: ParsingOptions, psm: int) -> list[Word]:
    api.SetPageSegMode(psm)
    _set_image(api, gray, dpi)
    started = time.monotonic()
    done = api.Recognize(int(opts.ocr_timeout_s * 1000))
    if not done:
        api.Clear()
        if time.monotonic() - started >= opts.ocr_timeout_s * 0.99:
            raise _timed_out(opts)
        raise IntakeError(OCR_FAILED, "Tesseract could not read a page; read the scan by hand.")
    tsv = api.GetTSVText(0)
    api.Clear()
    return parse_tsv(TSV_HEADER + tsv)


# -- the command -----------------------------------------------------------------

def _command_words(gray: np.ndarray, dpi: int, opts: ParsingOptions, psm: int) -> list[Word]:
    with tempfile.TemporaryDirectory(prefix="intake-ocr-") as tmp:
        path = Path(tmp) / "page.pgm"
        Image.fromarray(gray).save(path)
        argv = [opts.tesseract, str(path), "stdout", "-l", opts.ocr_languages,
                "--dpi", str(dpi), "--psm", str(psm), "tsv"]
        try:
            proc = run_tool(argv, opts.ocr_timeout_s, what="Tesseract", env={"OMP_THREAD_LIMIT": "1"})
        except ToolTimeout:
            raise _timed_out(opts) from None
    if proc.returncode != 0:
        raise IntakeError(
            OCR_FAILED,
            f"Tesseract failed on a page (exit status {proc.returncode}); check that the "
            f"language data '{opts.ocr_languages}' is installed.",
        )
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


# -- what readers call ------------------------------------------------------------

def ocr_words(image: Image.Image | np.ndarray, dpi: int, opts: ParsingOptions, psm: int = 3) -> list[Word]:
    """Words of a greyscale page image (a PIL image or a uint8 array);
    ``psm`` 3 reads a page, 7 a single line."""
    gray = _gray(image)
    api = _api(opts, opts.ocr_languages)
    if api is not None:
        return _api_words(api, gray, dpi, opts, psm)
    return _command_words(gray, dpi, opts, psm)


_ROTATE = re.compile(rb"Rotate:\s*(\d+)")
_CONF = re.compile(rb"Orientation confidence:\s*([\d.]+)")


def page_rotation(image: Image.Image | np.ndarray, dpi: int, opts: ParsingOptions) -> int:
    """Degrees clockwise that would make the page upright (0, 90, 180, 270),
    by Tesseract's orientation detection; 0 when unsure or when it fails."""
    gray = _gray(image)
    api = _api(opts, "osd")
    if api is not None:
        api.SetPageSegMode(0)  # PSM_OSD_ONLY
        _set_image(api, gray, dpi)
        try:
            found = api.DetectOrientationScript()
        except RuntimeError:
            found = None
        api.Clear()
        if not found or found.get("orient_conf", 0) < MIN_ORIENTATION_CONF:
            return 0
        return (360 - int(found["orient_deg"])) % 360
    with tempfile.TemporaryDirectory(prefix="intake-osd-") as tmp:
        path = Path(tmp) / "page.pgm"
        Image.fromarray(gray).save(path)
        try:
            proc = run_tool([opts.tesseract, str(path), "stdout", "--psm", "0", "--dpi", str(dpi)],
                            opts.ocr_timeout_s, what="Tesseract", env={"OMP_THREAD_LIMIT": "1"})
        except ToolTimeout:
            return 0
    rot, conf = _ROTATE.search(proc.stdout), _CONF.search(proc.stdout)
    if proc.returncode != 0 or not rot or not conf:
        return 0
    degrees = int(rot.group(1)) % 360
    return degrees if float(conf.group(1)) >= MIN_ORIENTATION_CONF else 0


def parse_tsv(tsv: str) -> list[Word]:
    words: list[Word] = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        try:
            if int(row.get("level") or 0) != 5:
                continue
            text = (row.get("text") or "").strip()
            if not text:
                continue
            left, top = int(row["left"]), int(row["top"])
            width, height = int(row["width"]), int(row["height"])
            conf = float(row["conf"])
        except (KeyError, TypeError, ValueError):
            continue
        words.append(Word(text, left, left + width, top, top + height, conf))
    return words
