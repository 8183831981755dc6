#!/usr/bin/env bash
# Known vulnerabilities in the locked dependency set (constraints.txt), from
# PyPI's advisory data, with pip-audit. pip-audit runs from its own venv
# (.venv-audit) so it never changes the environment under test; it reads the
# pins only (--no-deps: constraints.txt already lists every package).
# Fails when a pinned version has a known vulnerability that a newer version
# fixes; a vulnerability with no fix yet is listed and does not fail (there is
# nothing to upgrade to). Needs PyPI, as pip install does.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv-audit
if [ ! -x "$VENV/bin/pip-audit" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q "pip-audit==2.10.1" >/dev/null
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# Exit 1 only means "found something": the report decides.
"$VENV/bin/pip-audit" -r constraints.txt --no-deps --disable-pip --progress-spinner off \
  --format json -o "$report" 2>"$report.err" || true
if [ ! -s "$report" ]; then
  cat "$report.err" >&2
  rm -f "$report.err"
  echo "audit_deps: pip-audit could not check the dependencies (output above)" >&2
  exit 1
fi
rm -f "$report.err"
exec "$PY" scripts/audit_judge.py "$report"
