"""The parsing settings readers use, with the documented defaults, so a
reader called without a Settings object (tests, the review app) behaves the
same as one called by the daemon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ParsingOptions:
    soffice: str = "soffice"
    # A Python with LibreOffice's UNO bridge (Debian python3-uno): with it a
    # worker keeps one LibreOffice running; "" starts one per document.
    soffice_python: str = "/usr/bin/python3"
    # The resident LibreOffice is restarted after this many conversions,
    # and shut down after this many seconds without one (0: never).
    soffice_restart_after: int = 100
    soffice_idle_s: float = 120.0
    tesseract: str = "tesseract"
    # Tesseract through its library (tesserocr), loaded once per worker;
    # false, or no tesserocr: the tesseract command per image.
    ocr_api: bool = True
    # Tesseract's language data for the library; "": $TESSDATA_PREFIX, else
    # the folder the tesseract command uses.
    tessdata: str = ""
    pdftoppm: str = "pdftoppm"
    convert_timeout_s: float = 120
    ocr_timeout_s: float = 300
    ocr_languages: str = "eng"
    ocr_dpi: int = 300
    max_pages: int = 200
    max_ocr_pages: int = 30
    # A docx whose members would expand past this is refused as a zip bomb.
    max_unzipped_bytes: int = 256 * 1024 * 1024
    max_image_pixels: int = 80_000_000
    # A scan read with a mean OCR word confidence below this gets a
    # low_ocr_confidence item in the queue beside its record.
    min_ocr_confidence: float = 0.70


def parsing_options(settings: Any = None) -> ParsingOptions:
    if settings is None:
        return ParsingOptions()
    section = settings.section("parsing") if hasattr(settings, "section") else dict(settings)
    known = ParsingOptions.__dataclass_fields__
    values = {k: section[k] for k in known if k in section}
    return ParsingOptions(**values)
