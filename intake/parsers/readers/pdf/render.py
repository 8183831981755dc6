"""Render PDF pages to greyscale PGM with poppler's pdftoppm (PGM, not PNG:
PNG encoding of a noisy page costs seconds)."""

from __future__ import annotations

from pathlib import Path

from intake.exception_codes import OCR_FAILED
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.process import ToolTimeout, run_tool
from intake.types import IntakeError


def render_page(pdf: Path, page: int, out_base: Path, opts: ParsingOptions, dpi: int | None = None) -> Path:
    """Render 1-based ``page`` of ``pdf`` (at ``dpi``, else parsing.ocr_dpi);
    the path of the PGM written."""
    argv = [opts.pdftoppm, "-q", "-r", str(dpi or opts.ocr_dpi), "-gray", "-singlefile",
            "-f", str(page), "-l", str(page), str(pdf), str(out_base)]
    try:
        proc = run_tool(argv, opts.ocr_timeout_s, what="pdftoppm")
    except ToolTimeout:
        raise IntakeError(
            OCR_FAILED,
            f"Rendering page {page} for OCR took longer than {opts.ocr_timeout_s:g} s; "
            "read the scan by hand.",
        ) from None
    out = out_base.with_suffix(".pgm")
    if proc.returncode != 0 or not out.exists():
        raise IntakeError(
            OCR_FAILED,
            f"Page {page} could not be rendered for OCR (pdftoppm exit status "
            f"{proc.returncode}); the PDF may be damaged.",
        )
    return out
