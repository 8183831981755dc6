"""Put a scanned page upright before OCR: a page fed in sideways or upside
down (Tesseract's orientation detection), and the small skew of a sheet
laid crooked on the scanner (which also breaks table-ruling detection)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.tesseract import page_rotation

MAX_SKEW = 5.0


def _profile_score(small: Image.Image, angle: float) -> float:
    rotated = np.asarray(small.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0))
    rows = rotated.sum(axis=1, dtype=np.float64)
    return float(np.var(rows))


def estimate_skew(image: Image.Image) -> float:
    """Degrees to rotate (counter-clockwise, Pillow's sense) to level the
    text lines: the angle whose row profile is sharpest."""
    gray = image.convert("L")
    scale = 800 / max(1, gray.width)
    small = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))))
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8))
    if np.asarray(ink).mean() < 0.5:  # blank page
        return 0.0
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)
    best = max(coarse, key=lambda a: _profile_score(ink, a))
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    return float(round(max(fine, key=lambda a: _profile_score(ink, a)), 2))


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    angle = estimate_skew(image)
    if abs(angle) < 0.15:
        return image, 0.0
    return image.convert("L").rotate(angle, resample=Image.Resampling.BILINEAR, expand=True,
                                     fillcolor=255), angle


def detect_rotation(image: Image.Image, dpi: int, opts: ParsingOptions) -> int:
    """Degrees clockwise that would make the page upright (0, 90, 180, 270),
    by Tesseract's orientation and script detection; 0 when unsure."""
    return page_rotation(image, dpi, opts)
