"""Turn a triage source file (LEVEL | indicators | voice | text) into JSONL.

    python eval/triage/build.py            # builds blind.jsonl and dev.jsonl
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent
LEVELS = {"U": "urgent", "H": "high", "R": "routine"}
RECEIVED = "2026-05-14"


def build(src: pathlib.Path) -> list[dict]:
    rows = []
    for n, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        level, indicators, voice, text = (part.strip() for part in line.split("|", 3))
        rows.append({
            "id": f"{src.stem}-{n:03d}",
            "voice": voice,
            "text": text,
            "received": RECEIVED,
            "level": LEVELS[level],
            "indicators": sorted({i for i in indicators.split(",") if i}),
        })
    return rows


def main() -> int:
    for name in ("blind", "dev"):
        rows = build(HERE / f"{name}.txt")
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
