"""Tesseract OCR of one page image → words with boxes and confidences.

The TSV output gives every word's box and confidence, which is what the
layout rebuild needs; a wrapper library would add nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from intake.exception_codes import OCR_FAILED
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.process import ToolTimeout, run_tool
from intake.parsers.support.words import Word
from intake.types import IntakeError


def ocr_words(image: Path, dpi: int, opts: ParsingOptions, psm: int = 3) -> list[Word]:
    """Words of the image; ``psm`` 3 reads a page, 7 a single line."""
    argv = [opts.tesseract, str(image), "stdout", "-l", opts.ocr_languages,
            "--dpi", str(dpi), "--psm", str(psm), "tsv"]
    try:
        proc = run_tool(argv, opts.ocr_timeout_s, what="Tesseract",
                        env={"OMP_THREAD_LIMIT": "1"})
    except ToolTimeout:
        raise IntakeError(
            OCR_FAILED,
            f"Tesseract did not finish a page within {opts.ocr_timeout_s:g} s; "
            "read the scan by hand or raise parsing.ocr_timeout_s.",
        ) from None
    if proc.returncode != 0:
        raise IntakeError(
            OCR_FAILED,
            f"Tesseract failed on a page (exit status {proc.returncode}); check that the "
            f"language data '{opts.ocr_languages}' is installed.",
        )
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


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
