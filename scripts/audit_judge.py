"""Read a pip-audit JSON report; list every known vulnerability; exit 1 when
one of them has a fixed version to upgrade to (scripts/audit_deps.sh).

A package pip-audit could not look up (PyPI's per-version API did not
answer: behind a partial mirror, say) is not a pass: the report says how
many were not checked, loudly; with INTAKE_AUDIT_REQUIRED=1 that fails too.
"""

from __future__ import annotations

import json
import os
import sys


def judge(report: dict, required: bool = False) -> tuple[int, list[str]]:
    lines, fixable = [], 0
    deps = report.get("dependencies", [])
    for dep in deps:
        for v in dep.get("vulns", []) or []:
            fixes = v.get("fix_versions") or []
            if fixes:
                fixable += 1
                lines.append(f"FIX AVAILABLE  {dep['name']} {dep.get('version')}: {v.get('id')} "
                             f"(fixed in {', '.join(fixes)})")
            else:
                lines.append(f"no fix yet     {dep['name']} {dep.get('version')}: {v.get('id')}")
    skipped = [d["name"] for d in deps if d.get("skip_reason")]
    lines.append(f"{len(deps) - len(skipped)} of {len(deps)} locked packages checked; {fixable} "
                 "vulnerability(ies) with a fix available")
    code = 1 if fixable else 0
    if skipped:
        lines.append(f"AUDIT INCOMPLETE: {len(skipped)} package(s) could not be looked up (the advisory service "
                     f"did not answer for them), e.g. {', '.join(skipped[:5])}")
        if required:
            code = 1
    return code, lines


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        code, lines = judge(json.load(fh), required=os.environ.get("INTAKE_AUDIT_REQUIRED") == "1")
    print("\n".join(lines))
    if code:
        print("dependency audit FAILED: upgrade the packages above (pyproject.toml ranges, then "
              "scripts/lock.sh), or make the advisory service reachable, and run again", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
