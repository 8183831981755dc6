#!/usr/bin/env python
"""The PDF reader's time per document with each layout engine, side by side
in one process: PDFium (support/pdfium_layout.py, the default) and
pdfplumber/pdfminer (the engine before it), on the fixture PDFs.

    .venv/bin/python bench/pdf_engines.py [--fixtures fixtures/out/forms ...] [--repeat 3] [--scans]

Each PDF is read by both engines in turn, ``--repeat`` times, and the best
time of each is printed with their ratio (old / new) and whether the two
layouts are identical (blocks, warnings, notes). Scans and faxes are left
out unless ``--scans``: their time is Tesseract's, the same for both.
Kinds: "fillable" (an AcroForm), "multi-page", else "converted" (a Word
form printed to PDF by LibreOffice)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from intake.parsers.readers.pdf import read_pdf_with  # noqa: E402
from intake.parsers.support.options import ParsingOptions  # noqa: E402
from intake.types import Document, IntakeError, sha256_hex  # noqa: E402

DEFAULT_SETS = [ROOT / "fixtures" / "out" / "forms", ROOT / "fixtures" / "out" / "variants" / "dev" / "forms"]


def _kind(data: bytes, path: Path) -> str:
    rd = PdfReader(path)
    if "/AcroForm" in rd.trailer["/Root"]:
        return "fillable"
    return "multi-page" if len(rd.pages) > 1 else "converted"


def _time(doc: Document, opts: ParsingOptions, engine: str):
    t = time.perf_counter()
    try:
        out = read_pdf_with(doc, opts, engine)
    except IntakeError as exc:
        out = exc.code
    return time.perf_counter() - t, out


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return (repr(a.blocks), a.warnings, a.notes, a.pages) == (repr(b.blocks), b.warnings, b.notes, b.pages)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, nargs="*", default=DEFAULT_SETS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scans", action="store_true", help="include scans and faxes (OCR)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many PDFs")
    args = ap.parse_args(argv)
    files = sorted(p for d in args.fixtures for p in d.glob("*.pdf")
                   if args.scans or not any(s in p.name for s in ("-scan", "-fax", "skewscan", "encrypted")))
    if args.limit:
        files = files[: args.limit]
    if not files:
        print("no PDFs; run fixtures/make_forms.py (and make_variants.py) first")
        return 1
    opts = ParsingOptions()
    warm = files[0].read_bytes()
    for engine in ("pdfium", "pdfplumber"):  # imports and first-use costs out of the figures
        _time(Document("attachment", "w.pdf", "application/pdf", sha256_hex(warm), warm), opts, engine)
    print(f"{'PDF':56} {'kind':10} {'pages':>5} {'pdfplumber':>11} {'pdfium':>9} {'ratio':>6}  same")
    rows = []
    for path in files:
        data = path.read_bytes()
        doc = Document("attachment", path.name, "application/pdf", sha256_hex(data), data)
        best = {"pdfium": float("inf"), "pdfplumber": float("inf")}
        outs = {}
        for _ in range(args.repeat):
            for engine in ("pdfplumber", "pdfium"):
                dt, outs[engine] = _time(doc, opts, engine)
                best[engine] = min(best[engine], dt)
        pages = len(PdfReader(path).pages)
        kind = _kind(data, path)
        same = _same(outs["pdfium"], outs["pdfplumber"])
        ratio = best["pdfplumber"] / best["pdfium"]
        rows.append((kind, best["pdfplumber"], best["pdfium"], same))
        label = str(path.relative_to(ROOT / "fixtures" / "out")) if path.is_relative_to(ROOT) else path.name
        print(f"{label:56.56} {kind:10} {pages:5d} "
              f"{best['pdfplumber'] * 1000:9.0f}ms {best['pdfium'] * 1000:7.0f}ms {ratio:5.1f}×  "
              f"{'yes' if same else 'NO'}")
    print()
    for kind in sorted({r[0] for r in rows}) + ["all"]:
        sel = [r for r in rows if kind in ("all", r[0])]
        old, new = sum(r[1] for r in sel), sum(r[2] for r in sel)
        med = statistics.median(r[1] / r[2] for r in sel)
        print(f"{kind:12} {len(sel):3d} PDFs  pdfplumber {old / len(sel) * 1000:6.0f} ms/PDF  "
              f"pdfium {new / len(sel) * 1000:6.0f} ms/PDF  total ratio {old / new:4.1f}×  "
              f"median ratio {med:4.1f}×  identical {sum(r[3] for r in sel)}/{len(sel)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
