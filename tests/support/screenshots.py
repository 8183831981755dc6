"""Where the browser tests save their screenshots.

By default every picture goes to tests/output/screenshots/ (ignored by git),
so running the suite never changes a tracked file. The pictures the docs
show (docs/img/) are refreshed only when asked:

    INTAKE_DOCS_SCREENSHOTS=1 .venv/bin/python -m pytest tests/analysis/test_browser_analysis.py \
        tests/review/test_source_box_browser.py
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output" / "screenshots"
DOCS_IMG = REPO / "docs" / "img"
ENV = "INTAKE_DOCS_SCREENSHOTS"


def docs_shot_path(name: str) -> Path:
    """The file for a picture the docs show: docs/img/NAME.png when
    INTAKE_DOCS_SCREENSHOTS=1, else tests/output/screenshots/NAME.png."""
    folder = DOCS_IMG if os.environ.get(ENV) == "1" else OUTPUT
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
