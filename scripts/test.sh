#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python) and run the
# whole suite against the real LibreOffice, Tesseract, Dovecot and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
# A step of its own: known vulnerabilities in the locked dependencies.
echo "test.sh: dependency audit (pip-audit over constraints.txt)"
if ! bash scripts/audit_deps.sh; then
  echo "test.sh: the dependency audit failed (above): a locked package has a known vulnerability with a fix" >&2
  exit 1
fi
export OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
