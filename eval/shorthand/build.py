"""Build the shorthand narrative sets from their marked-up sources.

Same markup and JSONL shape as ../build.py ({"text", "report_date",
"entities": [{type, start, end, value}]}), but a record is a narrative: its
lines run on until a blank line, so bullet lists and plates split across a
line keep their line breaks. Run: python eval/shorthand/build.py"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# As ../build.py's, but a marked mention may span a line break ("MF21\nOWP").
_MARK = re.compile(r"\[\[([A-Z_]+):(.+?)(?:=>(.+?))?\]\]", re.S)


def parse_narrative(src: str) -> tuple[str, list[dict]]:
    text, ents, pos, out_len = [], [], 0, 0
    for m in _MARK.finditer(src):
        before = src[pos:m.start()]
        text.append(before)
        out_len += len(before)
        etype, surface, value = m.group(1), m.group(2), m.group(3)
        ents.append({"type": etype, "start": out_len, "end": out_len + len(surface),
                     "value": value if value is not None else surface})
        text.append(surface)
        out_len += len(surface)
        pos = m.end()
    text.append(src[pos:])
    plain = "".join(text)
    if "[[" in plain or "]]" in plain:
        raise ValueError(f"unbalanced markup: {src!r}")
    return plain, ents


def build(src: Path, dst: Path) -> int:
    report_date, voice, rows, block = None, None, [], []

    def flush():
        if block:
            text, ents = parse_narrative("\n".join(block))
            rows.append({"text": text, "report_date": report_date, "voice": voice, "entities": ents})
            block.clear()

    for raw in src.read_text("utf-8").splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif line.startswith("@date "):
            flush()
            report_date = line.split()[1]
        elif line.startswith("# ---"):
            flush()
            voice = line[5:].strip()
        elif line.startswith("#"):
            continue
        else:
            block.append(line)
    flush()
    with dst.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


SETS = [("blind.txt", "blind.jsonl"), ("dev.txt", "dev.jsonl")]

if __name__ == "__main__":
    for src, dst in SETS:
        if (HERE / src).exists():
            print(f"{dst}: {build(HERE / src, HERE / dst)} narratives", file=sys.stderr)
