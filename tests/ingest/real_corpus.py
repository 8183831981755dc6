"""The real-file corpus (tests/data/real, MANIFEST.tsv) turned into what a
force would replay: mail files as a folder of .eml, an mbox and a Maildir;
the corpus mboxes as they are; every document wrapped as the attachment of
a generated e-mail; Outlook items of the kinds msg-extractor's suite holds
(generated: that suite is GPL and not vendored).

The oracle for "every attachment exactly once" is deliberately simpler than
the MIME walk: every leaf part that is not a text body and not a signature
is a document, and an attached message is opened and counted in its turn.
"""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import mailbox
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage, Message
from email.utils import format_datetime
from pathlib import Path

REAL = Path(__file__).resolve().parents[1] / "data" / "real"

SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature",
                   "application/pgp-signature"}
MAIL_HEADERS = ("from:", "to:", "subject:", "date:", "message-id:", "received:", "mime-version:")

DECLARED = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document", ".png": "image/png", ".gif": "image/gif", ".bmp": "image/bmp",
            ".tif": "image/tiff", ".tiff": "image/tiff", ".jpg": "image/jpeg", ".txt": "text/plain",
            ".html": "text/html"}


@dataclass(frozen=True)
class Entry:
    file: str
    kind: str
    expect: str
    repo: str
    path: str
    licence: str
    root: Path = REAL

    @property
    def local(self) -> Path:
        return self.root / self.file


def manifest(path: Path = REAL / "MANIFEST.tsv") -> list[Entry]:
    """The corpus, or another set laid out the same way (a MANIFEST.tsv
    beside its files): a held-out set is scored with the same code."""
    with path.open(newline="") as fh:
        return [Entry(r["file"], r["kind"], r["expect"], r["repo"], r["path"], r["licence"], path.parent)
                for r in csv.DictReader(fh, delimiter="\t")]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _looks_like_mail(data: bytes) -> bool:
    head = data[:4096].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower()
    return sum(line.startswith(h.encode()) for line in head.split(b"\n") for h in MAIL_HEADERS) >= 2


def _opaque_signed_content(data: bytes) -> bytes | None:
    """The message inside a PKCS #7 signed-data blob that has a signer (a
    certificates-only .p7c has none and is an ordinary attachment)."""
    if not data.startswith(b"\x30"):
        return None
    try:
        from asn1crypto import cms

        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data" or not len(info["content"]["signer_infos"]):
            return None
        return info["content"]["encap_content_info"]["content"].native
    except Exception:
        return None


def expected_attachments(msg: Message, depth: int = 0) -> list[str]:
    """sha256 of every document the message carries, by the oracle's rule."""
    out: list[str] = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue  # walk() descends into both
        ctype = part.get_content_type()
        if ctype in SIGNATURE_TYPES:
            continue
        disp = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        try:
            named = bool(part.get_filename() or part.get_param("name"))
        except Exception:
            named = True
        if part.get_content_maintype() == "text" and not named and disp != "attachment":
            continue  # a body
        payload = part.get_payload(decode=True) or b""
        inner = _opaque_signed_content(payload)
        if inner is not None and depth < 5:
            # An opaque S/MIME message: the signed message is inside.
            out += expected_attachments(email.message_from_bytes(inner, policy=email.policy.compat32),
                                        depth + 1)
            continue
        if depth < 5 and _looks_like_mail(payload):
            out += expected_attachments(email.message_from_bytes(payload, policy=email.policy.compat32),
                                        depth + 1)
            continue
        if (part.get_content_maintype() in ("text", "multipart")
                and str(part.get("Content-Transfer-Encoding") or "").strip().lower() != "base64"):
            # A text part sent as lines is stored with LF line endings, the
            # same over IMAP and from a file.
            payload = payload.replace(b"\r\n", b"\n")
        out.append(sha(payload))
    return out


# ------------------------------------------------------------ inputs


@dataclass
class Inputs:
    paths: list[Path]
    # origin (or origin prefix) -> manifest entry, to find each entry's rows
    mail_files: dict[str, Entry]
    doc_messages: dict[str, Entry]  # Message-ID -> document entry
    attached_mail: dict[str, Entry]  # Message-ID -> mail file attached as octet-stream
    direct: Path | None = None  # an HTML-looking mail file given as a path of its own


def html_first(e: Entry) -> bool:
    return b"<html" in e.local.read_bytes()[:2048].lower()


def _wrap_mail(entry: Entry, i: int) -> EmailMessage:
    """A mail file attached as a file, declared octet-stream (as webmail and
    some Outlook versions send a dragged-in message)."""
    m = EmailMessage()
    m["From"] = "Forwarding Officer <fwd@agency.example.org>"
    m["To"] = "mase-intel@example.police.uk"
    m["Subject"] = f"Forwarded mail {i}"
    m["Date"] = format_datetime(datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc))
    m["Message-ID"] = f"<corpus-fwd-{i}@agency.example.org>"
    m.set_content("Forwarding the message below as received.")
    m.add_attachment(entry.local.read_bytes(), maintype="application", subtype="octet-stream",
                     filename=f"forwarded-{i}.eml")
    return m


def _wrap(entry: Entry, i: int) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "Corpus Sender <corpus.sender@agency.example.org>"
    m["To"] = "mase-intel@example.police.uk"
    m["Subject"] = f"Corpus document {i}"
    m["Date"] = format_datetime(datetime(2026, 3, 4, 14, 30, tzinfo=timezone.utc))
    m["Message-ID"] = f"<corpus-doc-{i}@agency.example.org>"
    m.set_content("Please find attached.")
    data = entry.local.read_bytes()
    # A third of senders declare everything octet-stream: the type must come
    # from the bytes.
    declared = "application/octet-stream" if i % 3 == 0 else DECLARED.get(
        entry.local.suffix.lower(), "application/octet-stream")
    maintype, subtype = declared.split("/")
    if maintype == "text":
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename=entry.local.name)
        m.get_payload()[-1].replace_header("Content-Type", f'{declared}; name="{entry.local.name}"')
    else:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=entry.local.name)
    return m


def mboxrd_entry(raw: bytes) -> bytes:
    """One message as an mboxrd entry: its own "From " envelope line is
    the separator; body lines matching >*From are quoted with one more >."""
    if raw.startswith(b"From "):
        envelope, _, raw = raw.partition(b"\n")
        envelope = envelope.rstrip(b"\r") + b"\n"
    else:
        envelope = b"From corpus@example.org Thu Mar  5 09:00:00 2026\n"
    lines = raw.splitlines(keepends=True)
    quoted = [b">" + ln if re.match(rb">*From ", ln) else ln for ln in lines]
    body = b"".join(quoted)
    if not body.endswith(b"\n"):
        body += b"\n"
    return envelope + body + b"\n"


def build_inputs(root: Path, entries: list[Entry] | None = None) -> Inputs:
    entries = entries if entries is not None else manifest()
    paths: list[Path] = []
    mail_files: dict[str, Entry] = {}
    doc_messages: dict[str, Entry] = {}

    eml_dir = root / "eml"
    eml_dir.mkdir()
    for sub in ("cur", "new", "tmp"):
        (root / "maildir" / sub).mkdir(parents=True)
    mails = [e for e in entries if e.kind in ("eml", "msg")]
    with (root / "corpus.mbox").open("wb") as mbox:
        n_mbox = 0
        for i, e in enumerate(mails):
            raw = e.local.read_bytes()
            # Each mail file reaches intake one way: a file in a folder, a
            # message in an mbox, a message in a Maildir. The bytes are
            # written unchanged (mboxrd quoting is undone on reading), so
            # the oracle can read the original file.
            if i % 3 == 0 or e.kind == "msg":
                target = eml_dir / f"{i:03d}-{e.local.name}"
                shutil.copy(e.local, target)
                mail_files[f"eml:{target.resolve()}"] = e
            elif i % 3 == 1:
                n_mbox += 1
                mbox.write(mboxrd_entry(raw))
                mail_files[f"mbox:{(root / 'corpus.mbox').resolve()}#{n_mbox}"] = e
            else:
                target = root / "maildir" / "new" / f"{1700000000 + i}.corpus{i}.example"
                target.write_bytes(raw)
                mail_files[f"maildir-key:{target.name}"] = e
    paths += [eml_dir, root / "corpus.mbox", root / "maildir"]

    for e in entries:
        if e.kind == "mbox":
            paths.append(e.local)
            mail_files[f"mbox:{e.local.resolve()}#"] = e

    docs = mailbox.mbox(str(root / "documents.mbox"))
    for i, e in enumerate(x for x in entries if x.kind == "document"):
        msg = _wrap(e, i)
        doc_messages[msg["Message-ID"]] = e
        docs.add(msg)
    # Mail files with attachments, attached as octet-stream: one whose HTML
    # starts in its first 2 KB, one that does not.
    attached: dict[str, Entry] = {}
    with_parts = [e for e in mails if e.kind == "eml" and expected_attachments(
        email.message_from_bytes(e.local.read_bytes(), policy=email.policy.compat32))]
    picks = [e for e in (next((e for e in with_parts if html_first(e)), None),
                         next((e for e in with_parts if not html_first(e)), None)) if e is not None]
    for i, e in enumerate(picks):
        msg = _wrap_mail(e, i)
        attached[msg["Message-ID"]] = e
        docs.add(msg)
    docs.flush()
    docs.close()
    paths.append(root / "documents.mbox")
    direct = next((e for e in mails if html_first(e)), None)
    if direct is not None:
        paths.append(direct.local)
    return Inputs(paths, mail_files, doc_messages, attached, direct.local if direct else None)


# ------------------------------------------------------------ judging

# Codes no ordinary e-mail or readable file may end with: a rejection or a
# fault in intake.
REJECTING = {"unreadable_message", "mime_walk_error", "parser_error", "parser_crashed",
             "parser_timeout", "resource_limit"}


@dataclass
class Replayed:
    inputs: Inputs
    rows: list[dict]
    by_origin: dict[str, list[dict]]  # every sighting's origin -> its message's rows
    message_codes: dict[str, list[str]]  # message origin -> message-level exception codes


def load_replayed(url: str, inputs: Inputs, rows: list[dict]) -> Replayed:
    from sqlalchemy import select

    from intake.store import models
    from intake.store.db import Store

    by_message_origin: dict[str, list[dict]] = {}
    for r in rows:
        by_message_origin.setdefault(r["message"]["origin"], []).append(r)
    st = Store(url)
    try:
        with st.session() as s:
            pairs = s.execute(select(models.Sighting.origin, models.Message.origin)
                              .join(models.Message, models.Sighting.message_pk == models.Message.id)).all()
            codes = s.execute(select(models.Message.origin, models.ExceptionItem.code)
                              .join(models.ExceptionItem, models.ExceptionItem.message_pk == models.Message.id)
                              .where(models.ExceptionItem.document_pk.is_(None))).all()
    finally:
        st.close()
    by_origin = {seen: by_message_origin.get(first, []) for seen, first in pairs}
    message_codes: dict[str, list[str]] = {}
    for origin, code in codes:
        message_codes.setdefault(origin, []).append(code)
    return Replayed(inputs, rows, by_origin, message_codes)


def mail_rows(rep: Replayed, key: str) -> list[dict]:
    if key.startswith("maildir-key:"):
        name = key.split(":", 1)[1]
        hits = [o for o in rep.by_origin if o.startswith("maildir:") and Path(o).name.split(":")[0] == name]
    elif key.endswith("#"):
        hits = [o for o in rep.by_origin if o.startswith(key)]
    else:
        # Whatever the file turned out to be (a one-message mbox when it
        # starts with a "From " line, an Outlook item), it is this path.
        path = key.split(":", 1)[1]
        hits = [o for o in rep.by_origin if o.split(":", 1)[1] in (path, path + "#1")]
    out, seen = [], set()
    for o in hits:
        for r in rep.by_origin[o]:
            if r["document_id"] not in seen:
                seen.add(r["document_id"])
                out.append(r)
    return out


def _msg_attachments(data: bytes) -> list[str]:
    import io

    import extract_msg

    msg = extract_msg.openMsg(io.BytesIO(data), delayAttachments=False)
    try:
        return [sha(a.data) for a in msg.attachments if isinstance(a.data, bytes)]
    finally:
        msg.close()


def _expected_for_file(entry: Entry) -> list[str]:
    if entry.kind == "msg":
        return _msg_attachments(entry.local.read_bytes())
    if entry.kind == "mbox":
        out: list[str] = []
        box = mailbox.mbox(str(entry.local), create=False)
        for key in box.keys():
            # mailbox leaves ">From " quoting in place; a mail reader removes it.
            raw = re.sub(rb"(?m)^>(>*From )", rb"\1", box.get_bytes(key))
            out += expected_attachments(email.message_from_bytes(raw, policy=email.policy.compat32))
        return out
    raw = entry.local.read_bytes()
    return expected_attachments(email.message_from_bytes(raw, policy=email.policy.compat32))


def judge_mail_rows(entry: Entry, rows: list[dict]) -> list[str]:
    """What is wrong with how a mail file came out; empty when right."""
    from collections import Counter

    problems = []
    if not rows:
        return ["no row in the export"]
    for r in rows:
        code = (r["exception"] or {}).get("code")
        if code in REJECTING:
            problems.append(f"{r['kind']} {r['media_type']} -> {code}")
    expected = Counter(_expected_for_file(entry))
    got = Counter(r["sha256"] for r in rows if r["kind"] == "attachment")
    missing = expected - got
    extra = got - expected
    if missing:
        problems.append(f"{sum(missing.values())} attachment(s) missing")
    if extra:
        media = sorted({r["media_type"] for r in rows if r["sha256"] in extra})
        problems.append(f"{sum(extra.values())} unexpected document(s): {', '.join(media)}")
    return problems


def _final(row: dict, rows_by_id: dict[str, dict]) -> dict:
    hops = 0
    while row["status"] == "duplicate" and row["duplicate_of"] in rows_by_id and hops < 10:
        row = rows_by_id[row["duplicate_of"]]
        hops += 1
    return row


def judge_document_rows(entry: Entry, rows: list[dict], rows_by_id: dict[str, dict]) -> list[str]:
    atts = [r for r in rows if r["kind"] == "attachment"]
    if len(atts) != 1:
        return [f"{len(atts)} attachment rows, expected 1"]
    row = _final(atts[0], rows_by_id)
    status, code = row["status"], (row["exception"] or {}).get("code")
    got = code or status
    if entry.expect == "readable":
        ok = status in ("parsed", "not_a_report")
    elif entry.expect == "form":
        ok = status in ("parsed", "not_a_report") or code == "unknown_template"
    else:
        ok = code == entry.expect
    return [] if ok else [f"expected {entry.expect}, got {got} ({row['media_type']})"]


def replay_corpus(root: Path, inline: bool = True, entries: list[Entry] | None = None,
                  ) -> tuple[Replayed, dict]:
    """Replay twice through the command line; returns the first replay's
    result and measurements (seconds, peak RSS of the replay processes)."""
    import json
    import os
    import resource
    import subprocess
    import sys
    import time

    inputs = build_inputs(root, entries)
    url = f"sqlite:///{root / 'corpus.sqlite'}"
    env = dict(os.environ)
    env["INTAKE_INLINE_ANALYSIS"] = "1" if inline else "0"
    env.setdefault("OMP_THREAD_LIMIT", "1")
    cmd = [sys.executable, "-m", "intake.cli", "replay", "--db", url, *map(str, inputs.paths)]
    t0 = time.monotonic()
    first = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    exported = subprocess.run([sys.executable, "-m", "intake.cli", "export", "--db", url],
                              capture_output=True, text=True, env=env, check=True)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env)
    exported2 = subprocess.run([sys.executable, "-m", "intake.cli", "export", "--db", url],
                               capture_output=True, text=True, env=env, check=True)
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    rep = load_replayed(url, inputs, rows)
    return rep, {"seconds": seconds, "peak_rss_mb": rss_mb, "first": first, "second": second,
                 "export_same": exported.stdout == exported2.stdout}


def score(rep: Replayed) -> dict[str, list[str]]:
    """Every corpus entry (and generated wrapper) -> its problems."""
    rows_by_id = {r["document_id"]: r for r in rep.rows}
    by_mid: dict[str, list[dict]] = {}
    for r in rep.rows:
        by_mid.setdefault(r["message"]["message_id"], []).append(r)
    out: dict[str, list[str]] = {}
    for key, e in rep.inputs.mail_files.items():
        out[e.file] = judge_mail_rows(e, mail_rows(rep, key))
    for mid, e in rep.inputs.doc_messages.items():
        out[e.file] = judge_document_rows(e, by_mid.get(mid, []), rows_by_id)
    for mid, e in rep.inputs.attached_mail.items():
        out[f"attached-as-octet-stream:{e.file}"] = judge_mail_rows(e, by_mid.get(mid, []))
    return out


def main(argv: list[str]) -> int:
    """python -m tests.ingest.real_corpus WORKDIR [--worker] [--manifest=PATH]:
    replay the corpus (or another set) and print the figures the issue asks for."""
    import tempfile
    from collections import Counter

    root = Path(argv[1]) if len(argv) > 1 and not argv[1].startswith("--") else Path(tempfile.mkdtemp())
    other = [a.split("=", 1)[1] for a in argv if a.startswith("--manifest=")]
    entries = manifest(Path(other[0]).resolve()) if other else None
    rep, meas = replay_corpus(root, inline="--worker" not in argv, entries=entries)
    problems = score(rep)
    bad = {k: v for k, v in problems.items() if v}
    kinds = Counter(e.kind for e in (entries or manifest()))
    print(f"corpus files: {sum(kinds.values())} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    print(f"rows exported: {len(rep.rows)}  statuses: {dict(Counter(r['status'] for r in rep.rows))}")
    codes = Counter((r["exception"] or {}).get("code") for r in rep.rows if r["exception"])
    print(f"exception codes: {dict(codes)}")
    print(f"replay exit codes: {meas['first'].returncode}, {meas['second'].returncode}; "
          f"export identical after second replay: {meas['export_same']}")
    print(f"seconds: {meas['seconds']:.1f}  peak RSS: {meas['peak_rss_mb']:.0f} MB")
    print("first summary:\n  " + meas["first"].stdout.strip().replace("\n", "\n  "))
    print("second summary:\n  " + meas["second"].stdout.strip().replace("\n", "\n  "))
    if meas["first"].stderr.strip():
        print("stderr (first):\n  " + "\n  ".join(meas["first"].stderr.strip().splitlines()[-15:]))
    print(f"entries judged: {len(problems)}  wrong: {len(bad)}")
    for k, v in sorted(bad.items()):
        print(f"  {k}: {'; '.join(v)}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv))
