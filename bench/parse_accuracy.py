#!/usr/bin/env python
"""Field accuracy of the parsing stage against the generated fixtures.

    .venv/bin/python bench/parse_accuracy.py [--fixtures fixtures/out/forms] [-v]

Reads every ``*.expected.json`` written by fixtures/make_forms.py (or by
fixtures/make_variants.py: the blind variant set), parses its
document through ``parse_document`` (real readers: LibreOffice, Tesseract),
and prints field accuracy (exact match after white-space/Unicode
normalisation) per template and per format, plus status and template
accuracy. ``-v`` lists each wrong field (synthetic data only)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.parsers import parse_document, sniff_media_type  # noqa: E402
from intake.parsers.support.page_set import is_page_set  # noqa: E402
from intake.types import PAGE_SET, Document, sha256_hex  # noqa: E402

_ZERO_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):00$")


def norm(v):
    if isinstance(v, str):
        v = " ".join(unicodedata.normalize("NFKC", v).split())
        # docs/export.md writes "2026-03-04T14:30"; the generator adds ":00".
        return _ZERO_SECONDS.sub(r"\1", v)
    return v


def document_for(exp: dict, path: Path) -> Document:
    data = path.read_bytes()
    kind = "body" if exp.get("format") == "text" else "attachment"
    media = "text/plain" if kind == "body" else sniff_media_type(data, path.name)
    if is_page_set(data):  # photos of a form's pages, as intake groups them (fixtures/make_shapes.py)
        media = PAGE_SET
    return Document(kind=kind, filename=path.name, media_type=media, sha256=sha256_hex(data), data=data)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="parse accuracy against fixtures")
    ap.add_argument("--fixtures", type=Path, default=ROOT / "fixtures" / "out" / "forms")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--only", default="", help="substring of fixture ids to run")
    ap.add_argument("--ext", default="", help="only documents whose file name ends so (e.g. .pdf)")
    ap.add_argument("--dump", type=Path, help="write every outcome (status, code, template, warnings, all "
                    "field values) as JSON: two dumps compared show whether a refactoring changed anything")
    args = ap.parse_args(argv)
    files = sorted(args.fixtures.glob("*.expected.json"))
    if not files:
        print(f"no fixtures in {args.fixtures}; run fixtures/make_forms.py first")
        return 1
    by_t = defaultdict(lambda: [0, 0])
    by_f = defaultdict(lambda: [0, 0])
    status_ok = template_ok = n = 0
    t0 = time.perf_counter()
    dump: dict[str, dict] = {}
    for f in files:
        exp = json.loads(f.read_text())
        if args.only and args.only not in exp["fixture_id"]:
            continue
        if args.ext and not exp["document"].endswith(args.ext):
            continue
        doc_path = f.parent / exp["document"]
        out = parse_document(document_for(exp, doc_path))
        n += 1
        if args.dump:
            dump[exp["fixture_id"]] = {
                "status": out.status, "code": out.exception.code if out.exception else None,
                "template": out.record.template if out.record else None,
                "ocr_confidence": out.ocr_confidence,
                "warnings": sorted(f"{w.code}: {w.detail}" for w in out.warnings),
                "fields": {k: [v.value, v.raw, v.note, v.provenance.as_dict()]
                           for k, v in (out.record.fields.items() if out.record else [])},
            }
        got_status = out.status
        code = out.exception.code if out.exception else None
        s_ok = got_status == exp["expected_status"] and (exp.get("expected_exception") in (None, code))
        status_ok += s_ok
        got_t = out.record.template if out.record else None
        want_t = exp.get("template")
        t_ok = (got_t == want_t) or (want_t is None and got_t is None) or got_status == "not_a_report" == exp["expected_status"]
        template_ok += t_ok
        if args.verbose and (not s_ok or not t_ok):
            print(f"  STATUS {exp['fixture_id']}: want {exp['expected_status']}/{exp.get('expected_exception')}"
                  f" {want_t}, got {got_status}/{code} {got_t}"
                  + (f" [{out.exception.detail}]" if out.exception else ""))
        fields = exp.get("fields") or {}
        got = out.record.fields if out.record else {}
        for key, want in fields.items():
            have = got[key].value if key in got else None
            ok = norm(have) == norm(want)
            fmt = exp.get("format")
            if exp.get("variant") == "fax" or exp["fixture_id"].endswith("-fax"):
                fmt = f"{fmt} (fax)"  # a fax is a far worse scan: shown apart
            for bucket in (by_t[exp.get("template") or "-"], by_f[fmt]):
                bucket[0] += ok
                bucket[1] += 1
            if args.verbose and not ok:
                print(f"  FIELD {exp['fixture_id']} {key}: want {want!r} got {have!r}")
    dt = time.perf_counter() - t0
    if args.dump:
        args.dump.write_text(json.dumps(dump, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    def table(title, d):
        print(f"\n{title:24} {'fields':>7} {'right':>7} {'accuracy':>9}")
        tot = [0, 0]
        for k in sorted(d):
            ok, all_ = d[k]
            tot[0] += ok
            tot[1] += all_
            print(f"{k:24} {all_:7d} {ok:7d} {100 * ok / all_:8.1f}%")
        if tot[1]:
            print(f"{'all':24} {tot[1]:7d} {tot[0]:7d} {100 * tot[0] / tot[1]:8.1f}%")

    table("template", by_t)
    table("format", by_f)
    print(f"\nstatus   {status_ok}/{n} ({100 * status_ok / max(n, 1):.1f}%)")
    print(f"template {template_ok}/{n} ({100 * template_ok / max(n, 1):.1f}%)")
    print(f"{n} documents in {dt:.1f} s ({dt / max(n, 1) * 1000:.0f} ms per document)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
