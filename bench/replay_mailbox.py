"""The benchmark mailbox for bench/replay.py: N messages built from the
fixture forms with the mix a force inbox holds (mostly .docx, a quarter
PDF, some .doc and scans, reports typed in the body, duplicates, bad
files), written once as an mbox under bench/.cache/ with a manifest that
says which format family each attachment belongs to.

Unique documents come from fixtures/make_forms.py run with several seeds
(about one seed per 100 messages, at most --max-seeds): every seed invents
other people, places and numbers. Past that pool a form is sent again with
its bytes changed where no reader looks (a zip comment, bytes after a PDF's
%%EOF or after an OLE file's last sector), so it is analysed again and
ends as a content duplicate, as a re-sent report would."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import mailbox
import math
import os
import random
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"
VERSION = 1  # bump when the mix or the construction changes

# Message families and their share of the mailbox.
MIX = {"docx": 0.50, "pdf": 0.22, "doc": 0.07, "scan": 0.05, "body": 0.08, "duplicate": 0.05, "bad": 0.03}
# Format families the numbers are reported by.
FAMILY_OF_FORMAT = {"docx": "text", "pdf": "text", "acroform": "text", "doc": "doc", "scan": "scan",
                    "png": "scan", "text": "body"}
POOL_OF_FORMAT = {"docx": "docx", "pdf": "pdf", "acroform": "pdf", "doc": "doc", "scan": "scan",
                  "png": "scan", "text": "body"}
MEDIA = {".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
         ".pdf": ("application", "pdf"), ".doc": ("application", "msword"), ".png": ("image", "png")}
SENDERS = [("Priya Shah", "p.shah@northfield-academy.example.org"),
           ("Tom Okafor", "tom.okafor@childrens-services.example.org"),
           ("Helen Marsh", "helen.marsh@nhs-trust.example.org"),
           ("Ruth Evans", "ruth.evans@youth-charity.example.org")]
COVERING = ["Hi,\n\nPlease find attached an information report.\n\nKind regards,\n{name}",
            "Good afternoon,\n\nPlease see attached.\n\nThanks\n{name}",
            "Hello\n\nAttached is the intelligence form as discussed.\n\nMany thanks,\n{name}"]


def seeds_for(n: int, max_seeds: int, draw: int = 0) -> list[int]:
    return [20260304 + 100 * draw + k for k in range(max(1, min(max_seeds, math.ceil(n / 100))))]


def _forms_of_seed(seed: int, log) -> Path:
    out = CACHE / "forms" / f"seed-{seed}"
    done = out / "done"
    if not done.exists():
        log(f"generating fixture forms, seed {seed} ...")
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        subprocess.run([sys.executable, str(REPO / "fixtures" / "make_forms.py"), "--out", str(out),
                        "--seed", str(seed)], check=True, env=env, stdout=subprocess.DEVNULL)
        done.write_text("ok\n")
    return out / "forms"


def _pools(seeds: list[int], log) -> dict[str, list[tuple[dict, Path]]]:
    pools: dict[str, list[tuple[dict, Path]]] = {k: [] for k in ("docx", "pdf", "doc", "scan", "body")}
    bad: list[tuple[dict, Path]] = []
    for seed in seeds:
        forms = _forms_of_seed(seed, log)
        for exp in sorted(forms.glob("*.expected.json")):
            meta = json.loads(exp.read_text())
            stem = exp.name[: -len(".expected.json")]
            docs = [p for p in forms.glob(stem + ".*") if not p.name.endswith(".json")]
            if not docs:
                continue
            if meta.get("expected_status") == "exception" or meta.get("expected_exception"):
                bad.append((meta, docs[0]))  # damaged or encrypted: the bad-file family
                continue
            pool = POOL_OF_FORMAT.get(meta.get("format"))
            if pool:
                pools[pool].append((meta, docs[0]))
    pools["bad_forms"] = bad
    return pools


def _vary(data: bytes, suffix: str, k: int) -> bytes:
    """The same document with other bytes (so its sha256 is new) where no
    reader looks; k-th repeat."""
    tag = f"bench-repeat-{k}".encode()
    if suffix == ".docx":
        src = zipfile.ZipFile(BytesIO(data))
        buf = BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                out.writestr(info, src.read(info.filename))
            out.comment = tag
        return buf.getvalue()
    if suffix == ".pdf":
        return data + b"\n%" + tag + b"\n"
    if suffix == ".doc":
        return data + b"\0" * 512 + tag  # past the last sector: OLE readers ignore it
    return data + b"\n" + tag  # png: after IEND


def _message(i: int, when: datetime, rng: random.Random) -> EmailMessage:
    sender = SENDERS[i % len(SENDERS)]
    m = EmailMessage()
    m["From"] = f"{sender[0]} <{sender[1]}>"
    m["To"] = "intel@example.police.uk"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<bench-{i:06d}@example.org>"
    m["Subject"] = rng.choice(["Information report", "CSE intel form", "Intelligence submission"])
    return m


def _attach(m: EmailMessage, data: bytes, name: str) -> None:
    maintype, subtype = MEDIA.get(Path(name).suffix.lower(), ("application", "octet-stream"))
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def _bad_file(k: int, pools, rng: random.Random) -> tuple[bytes, str, str]:
    """A damaged or hostile attachment: the generator's own (truncated,
    encrypted), a PDF cut in half, random bytes called .docx, a zip."""
    kind = k % 4
    if kind == 0 and pools["bad_forms"]:
        meta, path = pools["bad_forms"][(k // 4) % len(pools["bad_forms"])]
        return path.read_bytes(), path.name, meta.get("format") or "bad"
    if kind == 1 and pools["pdf"]:
        _, path = pools["pdf"][k % len(pools["pdf"])]
        data = path.read_bytes()
        return data[: len(data) // 2], "report.pdf", "bad"
    if kind == 2:
        return rng.randbytes(30_000 + k), "form.docx", "bad"
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.csv", f"a,b\n{k},2\n")
    return buf.getvalue(), "photos.zip", "bad"


def build(n: int, max_seeds: int = 30, log=print, mix: dict[str, float] | None = None,
          tag: str = "", draw: int = 0) -> tuple[Path, dict]:
    """The mbox of N messages and its manifest, built once and cached.
    ``mix`` (with a ``tag`` naming it in the cache): other family shares,
    e.g. only text-layer documents. ``draw``: another draw of the same
    construction (other fixture seeds, other people, another order), a
    mailbox nobody has tuned on; 0 is the usual one."""
    CACHE.mkdir(parents=True, exist_ok=True)
    seeds = seeds_for(n, max_seeds, draw)
    name = (f"mailbox-v{VERSION}-n{n}-s{len(seeds)}" + (f"-{tag}" if tag else "")
            + (f"-draw{draw}" if draw else ""))
    mbox_path, manifest_path = CACHE / f"{name}.mbox", CACHE / f"{name}.json"
    if mbox_path.exists() and manifest_path.exists():
        return mbox_path, json.loads(manifest_path.read_text())
    pools = _pools(seeds, log)
    rng = random.Random(15 + draw)
    used = {k: 0 for k in pools}
    families = list(mix or MIX)
    weights = [(mix or MIX)[f] for f in families]
    when = datetime(2026, 3, 2, 9, 15, tzinfo=timezone.utc)
    sent: list[bytes] = []  # earlier messages, for exact re-sends and forwards
    manifest: dict = {"messages": [], "documents": {}, "seeds": seeds}
    tmp = mbox_path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    box = mailbox.mbox(str(tmp))
    for i in range(n):
        when += timedelta(minutes=rng.randint(3, 300))
        fam = rng.choices(families, weights)[0]
        if fam == "duplicate" and not sent:
            fam = "docx"
        m = _message(i, when, rng)
        docs: list[dict] = []
        if fam in ("docx", "pdf", "doc", "scan", "body"):
            pool = pools[fam] or pools["docx"]
            k = used[fam]
            used[fam] += 1
            meta, path = pool[k % len(pool)]
            if fam == "body":
                m.set_content(path.read_text(encoding="utf-8"))
                docs.append({"family": "body", "format": "text"})
            else:
                m.set_content(rng.choice(COVERING).format(name=SENDERS[i % len(SENDERS)][0]))
                data = path.read_bytes()
                if k >= len(pool):
                    data = _vary(data, path.suffix.lower(), k // len(pool))
                _attach(m, data, path.name)
                sha = hashlib.sha256(data).hexdigest()
                fmt = meta.get("format")
                manifest["documents"][sha] = {"family": FAMILY_OF_FORMAT.get(fmt, "text"), "format": fmt,
                                              "repeat": k >= len(pool)}
                docs.append({"family": FAMILY_OF_FORMAT.get(fmt, "text"), "format": fmt, "sha256": sha})
        elif fam == "bad":
            data, fname, fmt = _bad_file(used["bad_forms"], pools, rng)
            used["bad_forms"] += 1
            m.set_content("Please see attached.\n\nThanks")
            _attach(m, data, fname)
            sha = hashlib.sha256(data).hexdigest()
            manifest["documents"][sha] = {"family": "bad", "format": fmt, "repeat": False}
            docs.append({"family": "bad", "format": fmt, "sha256": sha})
        else:  # duplicate: half exact re-sends (a sighting), half forwards of an earlier message
            earlier = rng.choice(sent[-200:])
            if rng.random() < 0.5:
                box.add(earlier)
                manifest["messages"].append({"family": "duplicate", "kind": "resend", "documents": []})
                continue
            m.set_content("Forwarding in case this has not reached you.\n\nRegards")
            m.add_attachment(email.message_from_bytes(earlier, policy=email.policy.default))
            docs.append({"family": "duplicate", "format": "forward"})
        raw = m.as_bytes()
        box.add(raw)
        sent.append(raw)
        manifest["messages"].append({"family": fam, "documents": docs})
    box.flush()
    box.close()
    os.replace(tmp, mbox_path)
    manifest_path.write_text(json.dumps(manifest))
    return mbox_path, manifest


def message_count(mbox: Path) -> int:
    """Messages in a bench mailbox: from its manifest when it has one (made
    by build), else by reading it."""
    manifest = mbox.with_suffix(".json")
    if manifest.exists():
        return len(json.loads(manifest.read_text())["messages"])
    return len(mailbox.mbox(str(mbox), create=False))
