#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python) and run the
# whole suite against the real LibreOffice, Tesseract, Dovecot and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
export OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
