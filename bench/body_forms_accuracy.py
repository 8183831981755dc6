#!/usr/bin/env python
"""Field accuracy of reports that arrive in the e-mail itself,
per shape: a form pasted into a plain-text body, an HTML-only body with the
form as a table, forwarded and "> "-quoted messages, free text forwarded.

    .venv/bin/python fixtures/make_body_forms.py
    .venv/bin/python bench/body_forms_accuracy.py [--fixtures fixtures/out/body_forms/forms] [-v] [--dump F]

Each .eml goes the way a message goes: the MIME walk (ingest/mime_walk.py,
which decides whether the body is a report), then ``parse_document`` with the
message's Date as the fallback date. Field accuracy is exact match after
white-space and Unicode normalisation (bench/parse_accuracy.py's ``norm``);
status and template accuracy as there."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from parse_accuracy import norm  # noqa: E402

from intake.ingest.mime_walk import walk  # noqa: E402
from intake.parsers import parse_document  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, default=ROOT / "fixtures" / "out" / "body_forms" / "forms")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--dump", type=Path)
    args = ap.parse_args(argv)
    files = sorted(args.fixtures.glob("*.expected.json"))
    if not files:
        print(f"no fixtures in {args.fixtures}; run fixtures/make_body_forms.py first")
        return 1
    fields_by = defaultdict(lambda: [0, 0])
    status_by = defaultdict(lambda: [0, 0])
    tpl_by = defaultdict(lambda: [0, 0])
    key_by = defaultdict(lambda: [0, 0])
    dump = {}
    t0 = time.perf_counter()
    for f in files:
        exp = json.loads(f.read_text())
        if args.only and args.only not in exp["fixture_id"]:
            continue
        shape = exp["variant"] + ("" if exp["template"] != "free_text" else " (free text)")
        raw = (f.parent / exp["document"]).read_bytes()
        result = walk(raw)
        bodies = [d for d in result.documents if d.kind == "body"]
        when = datetime.fromisoformat(exp["message_date"]).date()
        out = parse_document(bodies[0], message_date=when) if bodies else None
        got_status = out.status if out else "no body"
        got_tpl = out.record.template if out and out.record else None
        status_by[shape][0] += got_status == exp["expected_status"]
        status_by[shape][1] += 1
        tpl_by[shape][0] += got_tpl == exp["template"]
        tpl_by[shape][1] += 1
        got = out.record.fields if out and out.record else {}
        if args.dump:
            dump[exp["fixture_id"]] = {"status": got_status, "template": got_tpl,
                                       "fields": {k: v.value for k, v in got.items()}}
        if args.verbose and (got_status != exp["expected_status"] or got_tpl != exp["template"]):
            print(f"  STATUS {exp['fixture_id']}: {got_status} {got_tpl}"
                  + (f" [{out.exception.code}: {out.exception.detail[:120]}]" if out and out.exception else ""))
        for key, want in (exp.get("fields") or {}).items():
            have = got[key].value if key in got else None
            ok = norm(have) == norm(want)
            fields_by[shape][0] += ok
            fields_by[shape][1] += 1
            key_by[key][0] += ok
            key_by[key][1] += 1
            if args.verbose and not ok:
                print(f"  FIELD {exp['fixture_id']} {key}: want {str(want)[:100]!r} got {str(have)[:100]!r}")
    if args.dump:
        args.dump.write_text(json.dumps(dump, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"{'shape':34} {'n':>4} {'status':>7} {'template':>9} {'fields':>7}")
    tot = [0, 0]
    for shape in sorted(fields_by):
        fa = fields_by[shape]
        tot[0] += fa[0]
        tot[1] += fa[1]
        print(f"{shape:34} {status_by[shape][1]:4d} {status_by[shape][0] / status_by[shape][1]:7.3f} "
              f"{tpl_by[shape][0] / tpl_by[shape][1]:9.3f} {fa[0] / max(1, fa[1]):7.3f}")
    print(f"{'all':34} {sum(v[1] for v in status_by.values()):4d} {'':7} {'':9} {tot[0] / max(1, tot[1]):7.3f}")
    if args.verbose:
        for key in sorted(key_by):
            ok, n = key_by[key]
            print(f"  {key:40} {ok}/{n}")
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
