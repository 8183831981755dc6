#!/usr/bin/env python
"""CPU cost of template detection and field mapping, per document.

    .venv/bin/python bench/mapping_cost.py [--mbox bench/.cache/mailbox-v1-n200-s2-text.mbox]
        [--fixtures DIR ...] [--repeat 3] [--dump FILE]

Every document is read once (readers are not timed: bench/parse_accuracy.py
and bench/pdf_engines.py cover them), then its Layout goes through what
parse.interpret does after reading, timed with time.process_time:
build_doc (the Layout as lines and cells), detect (which template) and
map_layout (labels found, values located, the typed record). Each pass runs
over every document; the first starts from a fresh process (the
per-process caches of label matches fill as it goes), later ones show the
cost once those caches have seen every document. dateparser is warmed up first (it
compiles its patterns once per process). The figures are CPU ms per
document, mean over the documents, first pass and best later pass.

``--dump FILE`` writes every outcome of parse.interpret (status, template,
notes, warnings, every field with raw text, provenance and confidence) as
JSON: two dumps, before and after a change, show whether anything moved."""

from __future__ import annotations

import argparse
import json
import mailbox
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.parsers import sniff_media_type  # noqa: E402
from intake.parsers.parse import interpret  # noqa: E402
from intake.parsers.readers import read_layout  # noqa: E402
from intake.parsers.support.page_set import is_page_set  # noqa: E402
from intake.parsers.templates import build_doc, detect, load_registry, map_layout, values  # noqa: E402
from intake.types import PAGE_SET, Document, IntakeError, sha256_hex  # noqa: E402

DEFAULT_MBOX = ROOT / "bench" / ".cache" / "mailbox-v1-n200-s2-text.mbox"


def mbox_documents(path: Path) -> list[tuple[str, Document, object]]:
    from intake.config.settings import load_settings
    from intake.ingest.mime_walk import MimeLimits, walk

    limits = MimeLimits.from_settings(load_settings(db_url="sqlite:////nonexistent/bench.sqlite"))
    box = mailbox.mbox(str(path), create=False)
    out, seen = [], set()
    for key in box.keys():
        result = walk(box.get_bytes(key), limits)
        date = result.headers.date.date() if result.headers.date else None
        for doc in result.documents:
            if doc.sha256 in seen:
                continue
            seen.add(doc.sha256)
            out.append((f"mbox:{doc.sha256[:16]}", doc, date))
    return out


def fixture_documents(folder: Path) -> list[tuple[str, Document, object]]:
    out = []
    for f in sorted(folder.glob("*.expected.json")):
        exp = json.loads(f.read_text())
        data = (f.parent / exp["document"]).read_bytes()
        kind = "body" if exp.get("format") == "text" else "attachment"
        media = "text/plain" if kind == "body" else sniff_media_type(data, exp["document"])
        if is_page_set(data):
            media = PAGE_SET
        doc = Document(kind=kind, filename=exp["document"], media_type=media, sha256=sha256_hex(data), data=data)
        out.append((f"{folder.name}:{exp['fixture_id']}", doc, None))
    return out


def outcome_json(out) -> dict:
    rec = out.record
    return {
        "status": out.status,
        "exception": [out.exception.code, out.exception.detail] if out.exception else None,
        "warnings": [f"{w.code}: {w.detail}" for w in out.warnings],
        "ocr_confidence": out.ocr_confidence,
        "template": rec.template if rec else None,
        "version": rec.version if rec else None,
        "notes": list(rec.notes) if rec else None,
        "fields": {k: [v.value, v.raw, v.note, v.confidence, v.provenance.as_dict()]
                   for k, v in (rec.fields.items() if rec else [])},
    }


def one_pass(layouts, registry) -> dict[str, list[float]]:
    cost: dict[str, list[float]] = {"build_doc": [], "detect": [], "map": [], "mapped": []}
    for _, layout, doc, date in layouts:
        t0 = time.process_time()
        d = build_doc(layout)
        t1 = time.process_time()
        det = detect(d, registry, is_body=doc.kind == "body")
        t2 = time.process_time()
        if det.kind == "template":
            map_layout(d, det.template, message_date=date)
        t3 = time.process_time()
        cost["build_doc"].append(t1 - t0)
        cost["detect"].append(t2 - t1)
        cost["map"].append(t3 - t2)
        cost["mapped"].append(det.kind == "template")
    return cost


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mbox", type=Path, default=None,
                    help=f"distinct documents of this mailbox (default {DEFAULT_MBOX.relative_to(ROOT)} "
                    "when no --fixtures is given)")
    ap.add_argument("--fixtures", type=Path, action="append", default=[],
                    help="a folder of *.expected.json fixtures (fixtures/out/forms, a variant set); repeatable")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the documents (the first is cold)")
    ap.add_argument("--dump", type=Path, help="write every parse.interpret outcome as JSON")
    ap.add_argument("--layouts", type=Path, help="pickle of the read layouts: written when missing, read "
                    "when present (saves reading the documents on every run; delete it when readers change)")
    args = ap.parse_args(argv)
    if args.mbox is None and not args.fixtures:
        args.mbox = DEFAULT_MBOX
    t = time.perf_counter()
    if args.layouts and args.layouts.exists():
        layouts = pickle.loads(args.layouts.read_bytes())
    else:
        docs = mbox_documents(args.mbox) if args.mbox else []
        for folder in args.fixtures:
            docs += fixture_documents(folder)
        layouts = []
        for name, doc, date in docs:
            try:
                layouts.append((name, read_layout(doc), doc, date))
            except IntakeError:
                continue  # damaged or unsupported: never reaches detection
        if args.layouts:
            args.layouts.write_bytes(pickle.dumps(layouts))
    print(f"{len(layouts)} documents read in {time.perf_counter() - t:.1f} s (not counted)")
    registry = load_registry()
    # dateparser compiles its patterns on first use: once per worker
    # process, not per document, so not in the figures.
    values.to_datetime("4 March 2026 14:30", None)

    passes = [one_pass(layouts, registry) for _ in range(max(1, args.repeat))]
    n = len(layouts)
    mapped = sum(passes[0].pop("mapped"))
    for p in passes[1:]:
        p.pop("mapped")

    def ms(p, k=None):
        keys = [k] if k else list(p)
        return 1000 * sum(sum(p[x]) for x in keys) / n

    print(f"CPU ms per document (mean over {n} documents, {mapped} of them mapped onto a template)")
    print(f"{'':10} {'build_doc':>10} {'detect':>8} {'map':>8} {'total':>8}")
    rows = [("first", passes[0])]
    if len(passes) > 1:
        rows.append(("warm", min(passes[1:], key=ms)))
    for label, p in rows:
        print(f"{label:10} {ms(p, 'build_doc'):10.2f} {ms(p, 'detect'):8.2f} {ms(p, 'map'):8.2f} {ms(p):8.2f}")

    if args.dump:
        dump = {}
        for name, layout, doc, date in layouts:
            dump[name] = outcome_json(interpret(layout, is_body=doc.kind == "body", message_date=date))
        args.dump.write_text(json.dumps(dump, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n")
        print(f"outcomes written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
