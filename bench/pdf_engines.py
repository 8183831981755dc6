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

from intake.parsers.readers.pdf.reader import read_pdf_with  # noqa: E402
from intake.parsers.support.options import ParsingOptions  # noqa: E402
from intake.types import Document, IntakeError, sha256_hex  # noqa: E402

DEFAULT_SETS = [ROOT / "fixtures" / "out" / "forms", ROOT / "fixtures" / "out" / "variants" / "dev" / "forms"]


def _kind(data: bytes, path: Path) -> str:
    rd = PdfReader(path)
    if "/AcroForm" in rd.trailer["/Root"]:
        return "fillable"
    return "multi-page" if len(rd.pages) > 1 else "converted"


def _time(doc: Document, opts: ParsingOptions, engine: str):
    """Wall and CPU seconds of this process (no child runs for a text
    layer; CPU time is the fairer figure on a machine others share)."""
    t, c = time.perf_counter(), time.process_time()
    try:
        out = read_pdf_with(doc, opts, engine)
    except IntakeError as exc:
        out = exc.code
    return time.perf_counter() - t, time.process_time() - c, out


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
    print(f"{'PDF':52} {'kind':10} {'pages':>5} | wall: {'pdfplumber':>10} {'pdfium':>7} {'ratio':>6} "
          f"| CPU: {'pdfplumber':>10} {'pdfium':>7} {'ratio':>6} | same")
    rows = []
    for path in files:
        data = path.read_bytes()
        doc = Document("attachment", path.name, "application/pdf", sha256_hex(data), data)
        wall = {"pdfium": float("inf"), "pdfplumber": float("inf")}
        cpu = dict(wall)
        outs = {}
        for _ in range(args.repeat):
            for engine in ("pdfplumber", "pdfium"):
                dt, dc, outs[engine] = _time(doc, opts, engine)
                wall[engine] = min(wall[engine], dt)
                cpu[engine] = min(cpu[engine], dc)
        pages = len(PdfReader(path).pages)
        kind = _kind(data, path)
        same = _same(outs["pdfium"], outs["pdfplumber"])
        rows.append((kind, wall["pdfplumber"], wall["pdfium"], cpu["pdfplumber"], cpu["pdfium"], same))
        label = str(path.relative_to(ROOT / "fixtures" / "out")) if path.is_relative_to(ROOT) else path.name
        print(f"{label:52.52} {kind:10} {pages:5d} | "
              f"{wall['pdfplumber'] * 1000:14.0f}ms {wall['pdfium'] * 1000:5.0f}ms "
              f"{wall['pdfplumber'] / wall['pdfium']:5.1f}× | "
              f"{cpu['pdfplumber'] * 1000:13.0f}ms {cpu['pdfium'] * 1000:5.0f}ms "
              f"{cpu['pdfplumber'] / cpu['pdfium']:5.1f}× | {'yes' if same else 'NO'}")
    print()
    for kind in sorted({r[0] for r in rows}) + ["all"]:
        sel = [r for r in rows if kind in ("all", r[0])]
        n = len(sel)
        old_w, new_w = sum(r[1] for r in sel), sum(r[2] for r in sel)
        old_c, new_c = sum(r[3] for r in sel), sum(r[4] for r in sel)
        print(f"{kind:11} {n:3d} PDFs | wall pdfplumber {old_w / n * 1000:5.0f} ms/PDF, pdfium "
              f"{new_w / n * 1000:5.0f} ms/PDF, {old_w / new_w:4.1f}× (median "
              f"{statistics.median(r[1] / r[2] for r in sel):4.1f}×) | CPU pdfplumber "
              f"{old_c / n * 1000:5.0f} ms/PDF, pdfium {new_c / n * 1000:5.0f} ms/PDF, "
              f"{old_c / new_c:4.1f}× (median {statistics.median(r[3] / r[4] for r in sel):4.1f}×) | "
              f"identical {sum(r[5] for r in sel)}/{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
