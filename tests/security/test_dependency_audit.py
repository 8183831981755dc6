"""The dependency audit's verdict (scripts/audit_judge.py) on pip-audit
reports: a vulnerability with a fix fails, one without a fix is listed and
passes, and packages that could not be looked up are never a silent pass."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit_judge", REPO / "scripts" / "audit_judge.py")
audit_judge = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_judge)


def _dep(name, vulns=(), skip=None):
    d = {"name": name, "version": "1.0", "vulns": list(vulns)}
    if skip:
        d = {"name": name, "skip_reason": skip}
    return d


def test_a_vulnerability_with_a_fix_fails():
    code, lines = audit_judge.judge({"dependencies": [
        _dep("jinja2", [{"id": "GHSA-xxxx", "fix_versions": ["3.1.5"]}]), _dep("ok")]})
    assert code == 1 and any("FIX AVAILABLE  jinja2 1.0: GHSA-xxxx (fixed in 3.1.5)" in line for line in lines)


def test_a_vulnerability_without_a_fix_is_listed_and_passes():
    code, lines = audit_judge.judge({"dependencies": [_dep("lib", [{"id": "PYSEC-1", "fix_versions": []}])]})
    assert code == 0 and any("no fix yet" in line and "PYSEC-1" in line for line in lines)


def test_packages_not_looked_up_are_reported_and_fail_when_required():
    report = {"dependencies": [_dep("a", skip="Dependency not found on PyPI"), _dep("b")]}
    code, lines = audit_judge.judge(report)
    assert code == 0 and any(line.startswith("AUDIT INCOMPLETE: 1 package") for line in lines)
    assert audit_judge.judge(report, required=True)[0] == 1


def test_the_ci_runs_the_audit_as_its_own_step():
    test_sh = (REPO / "scripts" / "test.sh").read_text()
    assert "bash scripts/audit_deps.sh" in test_sh
    assert test_sh.index("audit_deps.sh") < test_sh.index("pytest")
    assert "-r constraints.txt" in (REPO / "scripts" / "audit_deps.sh").read_text()
