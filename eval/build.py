"""Build the JSONL evaluation sets from their marked-up sources (markup
described at the top of sentences.txt).

Each JSONL line: {"text", "report_date", "entities": [{type, start, end, value}]}.
Run: python eval/build.py"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_MARK = re.compile(r"\[\[([A-Z_]+):(.+?)(?:=>(.+?))?\]\]")


def parse_line(line: str) -> tuple[str, list[dict]]:
    text, ents, pos = [], [], 0
    out_len = 0
    for m in _MARK.finditer(line):
        before = line[pos:m.start()]
        text.append(before)
        out_len += len(before)
        etype, surface, value = m.group(1), m.group(2), m.group(3)
        ents.append({"type": etype, "start": out_len, "end": out_len + len(surface),
                     "value": value if value is not None else surface})
        text.append(surface)
        out_len += len(surface)
        pos = m.end()
    text.append(line[pos:])
    plain = "".join(text)
    if "[[" in plain or "]]" in plain:
        raise ValueError(f"unbalanced markup: {line!r}")
    return plain, ents


def build(src: Path = HERE / "sentences.txt", dst: Path = HERE / "annotated.jsonl") -> int:
    report_date = None
    rows = []
    for raw in src.read_text("utf-8").splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@date "):
            report_date = line.split()[1]
            continue
        text, ents = parse_line(line)
        rows.append({"text": text, "report_date": report_date, "entities": ents})
    with dst.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


SETS = [("sentences.txt", "annotated.jsonl"), ("heldout.txt", "heldout.jsonl"),
        ("heldout2.txt", "heldout2.jsonl"), ("blind.txt", "blind.jsonl"),
        ("blind_final.txt", "blind_final.jsonl")]

if __name__ == "__main__":
    for src, dst in SETS:
        n = build(HERE / src, HERE / dst)
        print(f"{dst}: {n} sentences", file=sys.stderr)
