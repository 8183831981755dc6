"""The unit files in deploy/ pass `systemd-analyze security --offline=yes`
at 2.5 or better ("OK") and `systemd-analyze verify` (apart from the
program not being installed on the test machine), and say where the store
goes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
THRESHOLD = 2.5

needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze not installed (Debian package systemd)")


def test_units_exist():
    names = {u.name for u in UNITS}
    assert {"intake.service", "intake-serve.service", "intake-worker.service"} <= names


@needs_systemd
@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_security_exposure_at_most_threshold(unit, tmp_path):
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout + r.stderr)
    assert m, r.stdout[-2000:] + r.stderr[-2000:]
    assert float(m.group(1)) <= THRESHOLD, r.stdout


@needs_systemd
@pytest.mark.parametrize("unit", UNITS + sorted(DEPLOY.glob("*.timer")), ids=lambda u: u.name)
def test_unit_verifies(unit, tmp_path):
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    problems = [ln for ln in (r.stdout + r.stderr).splitlines()
                if ln.strip() and "is not executable" not in ln]
    assert problems == []


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_shows_its_state_and_keeps_secrets_out(unit):
    text = unit.read_text()
    assert "StateDirectory=intake" in text
    assert "/var/lib/intake" in text
    assert "INTAKE_CONFIG=/etc/intake/intake.toml" in text
    # Secrets come as credentials, never as Environment= values.
    assert not re.search(r"^Environment=.*(PASSWORD|SECRET|TOKEN)", text, re.M)
