#!/usr/bin/env bash
# The main job on the embedded default: build a demo mailbox from the
# fixture forms, replay it into SQLite, print the summary, export JSON Lines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python fixtures/make_forms.py --quick --out fixtures/out >/dev/null
.venv/bin/python fixtures/mail/make_mailboxes.py --forms fixtures/out/forms --out fixtures/out/mail
mkdir -p var && chmod 700 var  # the store and the export are owner-only (docs/security.md)
rm -f var/demo.sqlite var/demo.sqlite-wal var/demo.sqlite-shm
DB="sqlite:///$(pwd)/var/demo.sqlite"
.venv/bin/intake replay --db "$DB" fixtures/out/mail/demo.mbox fixtures/out/mail/Maildir fixtures/out/mail/eml
.venv/bin/intake export --db "$DB" --format jsonl -o var/demo-export.jsonl
echo "export: $(wc -l < var/demo-export.jsonl) documents in var/demo-export.jsonl (store: var/demo.sqlite)"
