#!/usr/bin/env bash
# Install what intake needs on a Debian 12 machine: the Python environment
# (.venv) always; with --system also the Debian packages the tests use
# (LibreOffice, Tesseract, poppler, Dovecot, PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    *) echo "usage: $0 [--system]" >&2; exit 2 ;;
  esac
done

SYSTEM_PACKAGES=(libreoffice-writer-nogui python3-uno tesseract-ocr tesseract-ocr-eng poppler-utils
                 dovecot-imapd postgresql chromium)

if [ "$want_system" = 1 ]; then
  missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
log=$(mktemp)
# constraints.txt pins the versions tested together (scripts/lock.sh makes it).
if ! { .venv/bin/python -m pip install -q --upgrade pip \
       && .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]" \
       && .venv/bin/python -m pip check; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: pip install failed (output above)" >&2
  exit 1
fi
rm -f "$log"
