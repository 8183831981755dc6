"""Quality of content dedup and entity resolution on labelled data.

    .venv/bin/python bench/dedup_quality.py [--forms fixtures/out/forms] [--seed 1]

Dedup: every parsed fixture (fixtures/make_forms.py's *.expected.json) is
stored as an original; then copies of each as another format would give them
back (PDF line breaks and hyphenation, a re-save with smart quotes, OCR
slips at 2/5/8 % of characters, a scan that fell back to free text), plus
the fixtures' own duplicate groups. Two reports of one incident (group
"incident") are the hard negatives. Prints precision/recall of `duplicate`,
how many copies only reached `possible_duplicate`, and the score ranges the
thresholds in intake/store/dedup.py were chosen from.

Entities: the fixtures' mentions (with their "cluster" labels) plus
synthetic people spread over 3-5 reports from different agencies, written
differently, and namesakes with different dates of birth. Prints cluster
purity and completeness (B-cubed precision/recall over labelled mentions).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from intake.store import repository as repo  # noqa: E402
from intake.store.db import Store  # noqa: E402
from intake.store.dedup import DUPLICATE_THRESHOLD, POSSIBLE_THRESHOLD, find_content_duplicate  # noqa: E402
from intake.store.entities.resolve import resolve_document  # noqa: E402
from intake.store.models import DocumentRow, MentionRow, Message  # noqa: E402
from intake.store.records import write_record  # noqa: E402
from intake.types import FieldValue, Record  # noqa: E402

# --------------------------------------------------------------------------
# storing
# --------------------------------------------------------------------------

_n = 0


def store(session, fields: dict, template: str, text: str, mentions=(), sender="x@agency.example.org",
          when: datetime | None = None):
    global _n
    _n += 1
    raw = f"bench {_n}".encode()
    sha = hashlib.sha256(raw).hexdigest()
    repo.ensure_blob(session, sha, raw)
    msg = Message(message_id=f"<b{_n}@example.org>", content_sha256=sha, raw_sha256=sha, from_addr=sender,
                  origin=f"eml:/bench/{_n}.eml", date=when or datetime(2026, 3, 1, tzinfo=timezone.utc))
    session.add(msg)
    session.flush()
    doc = DocumentRow(public_id=f"d_bench_{_n}", message_pk=msg.id, part_path="1", kind="attachment",
                      media_type="application/octet-stream", sha256=sha, size=1, status="parsed", text=text,
                      template=template)
    session.add(doc)
    session.flush()
    rec = Record(template=template, version="1", fields={k: FieldValue(v) for k, v in fields.items()})
    write_record(session, doc, rec)
    match = find_content_duplicate(session, doc, rec, text)
    if match and match.decision == "duplicate":
        doc.status, doc.duplicate_of_id, doc.duplicate_reason = "duplicate", match.document_pk, "content"
    rows, pos, last_person = [], 0, None
    for m in mentions:
        attrs = {}
        if m["type"] == "PERSON":
            last_person = len(rows)
        if m["type"] == "ALIAS" and last_person is not None:
            attrs["person"] = last_person
        rows.append(MentionRow(document_pk=doc.id, field="incident.narrative", type=m["type"], text=m["value"],
                               value=m["value"], start=pos, end=pos + len(m["value"]), attrs=attrs))
        pos += len(m["value"]) + 5
    if rows:
        session.add_all(rows)
        session.flush()
        resolve_document(session, doc, rows)
    return doc, match, rows


# --------------------------------------------------------------------------
# copies as other formats give them back
# --------------------------------------------------------------------------


def pdf_text(s: str) -> str:
    out, col = [], 0
    for w in s.split(" "):
        if col + len(w) > 62:
            if len(w) > 6 and col < 55:
                out.append(w[:4] + "-\n" + w[4:])
                col = len(w) - 4
                continue
            out.append("\n" + w)
            col = len(w)
        else:
            out.append((" " if col else "") + w)
            col += len(w) + 1
    return "".join(out)


def resave(s: str) -> str:
    return s.replace('"', "“").replace("'", "’").replace(". ", ".  ").replace(" - ", " – ")


OCR_SWAPS = {"l": "1", "O": "0", "e": "c", "m": "rn", "i": "l", "S": "5", "a": "o", "B": "8", "n": "ri", "t": "f"}


def ocr(s: str, rate: float, rnd: random.Random) -> str:
    out = []
    for c in s:
        r = rnd.random()
        if r < rate and c in OCR_SWAPS:
            out.append(OCR_SWAPS[c])
        elif r < rate * 0.3:
            out.append("" if c == " " else c + " ")  # dropped or split spaces
        else:
            out.append(c)
    return "".join(out)


def variant(fields: dict, how, rnd) -> dict:
    return {k: (how(v, rnd) if isinstance(v, str) else v) for k, v in fields.items()}


VARIANTS = {
    "pdf": lambda f, t, r: (t, variant(f, lambda v, _r: pdf_text(v), r)),
    "resave": lambda f, t, r: (t, variant(f, lambda v, _r: resave(v), r)),
    "ocr2": lambda f, t, r: (t, variant(f, lambda v, rr: ocr(v, 0.02, rr), r)),
    "ocr5": lambda f, t, r: (t, variant(f, lambda v, rr: ocr(v, 0.05, rr), r)),
    "ocr8": lambda f, t, r: (t, variant(f, lambda v, rr: ocr(v, 0.08, rr), r)),
    # A scan whose template was not recognised: one free-text field holding
    # every label and value the OCR read.
    "scan_free_text": lambda f, t, r: ("free_text", {"incident.narrative": ocr(
        "\n".join(f"{k.split('.')[-1].replace('_', ' ').title()}: {v}" for k, v in f.items() if v not in (None, "")),
        0.02, r)}),
}


def load_fixtures(forms: Path) -> list[dict]:
    out = []
    for p in sorted(forms.glob("*.expected.json")):
        d = json.loads(p.read_text())
        if d.get("expected_status") == "parsed" and d.get("fields"):
            out.append(d)
    return out


def text_of(fields: dict) -> str:
    return "\n".join(str(v) for v in fields.values() if v not in (None, ""))


def bench_dedup(fixtures: list[dict], rnd: random.Random) -> None:
    st = Store(f"sqlite:///{tempfile.mkdtemp()}/dedup.sqlite")
    by_fixture: dict[str, int] = {}
    truth: dict[int, int] = {}  # copy doc → original doc
    kinds: dict[int, str] = {}
    results: dict[int, object] = {}
    with st.transaction() as s:
        originals = [f for f in fixtures if not (f.get("group") or {}).get("duplicate_of")]
        copies = [f for f in fixtures if (f.get("group") or {}).get("duplicate_of")]
        for f in originals:
            doc, match, _ = store(s, f["fields"], f["template"], text_of(f["fields"]))
            by_fixture[f["fixture_id"]] = doc.id
            kinds[doc.id] = "original" + ("/incident" if (f.get("group") or {}).get("incident") else "")
            results[doc.id] = match
        for f in copies:
            doc, match, _ = store(s, f["fields"], f["template"], text_of(f["fields"]))
            truth[doc.id] = by_fixture[f["group"]["duplicate_of"]]
            kinds[doc.id], results[doc.id] = "fixture_copy", match
        for f in originals:
            for name, make in VARIANTS.items():
                template, fields = make(f["fields"], f["template"], rnd)
                doc, match, _ = store(s, fields, template, text_of(fields))
                truth[doc.id] = by_fixture[f["fixture_id"]]
                kinds[doc.id], results[doc.id] = name, match
        tp = fp = fn = 0
        possible = Counter()
        pos_scores: dict[str, list[float]] = defaultdict(list)
        neg_scores: list[float] = []
        for doc_id, kind in kinds.items():
            m = results[doc_id]
            want = truth.get(doc_id)
            got = m.document_pk if (m and m.decision == "duplicate") else None
            # A copy matched to an earlier copy of the same report is right.
            got = truth.get(got, got)
            if want is not None:
                pos_scores[kind].append(m.score if m and m.document_pk == want else 0.0)
                if got == want:
                    tp += 1
                else:
                    fn += 1
                    if m and m.decision == "possible_duplicate":
                        possible[f"copies ({kind}) sent to review"] += 1
                if got is not None and got != want:
                    fp += 1
            else:
                if m is not None:
                    neg_scores.append(m.score)
                    possible["originals flagged " + m.decision] += 1
                if got is not None:
                    fp += 1
        # The hard negatives: two professionals' reports of one incident.
        from intake.store.dedup import score_pair, stored_content

        incident_docs = defaultdict(list)
        for f in originals:
            if (f.get("group") or {}).get("incident"):
                incident_docs[f["group"]["incident"]].append(s.get(DocumentRow, by_fixture[f["fixture_id"]]))
        incident_scores = []
        for docs in incident_docs.values():
            for i in range(len(docs)):
                for j in range(i + 1, len(docs)):
                    incident_scores.append(score_pair(stored_content(s, docs[i]), stored_content(s, docs[j])))
    n_orig = sum(1 for k in kinds.values() if k.startswith("original"))
    print(f"content dedup: {n_orig} original reports, {len(truth)} copies "
          f"(thresholds duplicate {DUPLICATE_THRESHOLD}, possible {POSSIBLE_THRESHOLD})")
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    print(f"  duplicate precision {prec:.3f}  recall {rec:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    for k, v in sorted(possible.items()):
        print(f"  {k}: {v}")
    for kind, scores in sorted(pos_scores.items()):
        print(f"  copies {kind:<15} n={len(scores):<3} score min {min(scores):.3f} median {sorted(scores)[len(scores)//2]:.3f}")
    print(f"  best match score of an original against a different report: "
          f"max {max(neg_scores):.3f}" if neg_scores else "  no original matched any other report")
    for sc, decision in incident_scores:
        print(f"  two reports of one incident: similarity {sc:.3f} -> {decision or 'separate reports'}")
    st.close()


# --------------------------------------------------------------------------
# entity clusters
# --------------------------------------------------------------------------

FIRST = ["Jason", "Kyle", "Dean", "Connor", "Tyler", "Reece", "Callum", "Liam", "Nathan", "Bradley",
         "Kayla", "Chloe", "Demi", "Jade", "Leah", "Shannon", "Mason", "Jordan", "Aaron", "Scott"]
SHORT = {"Jason": "Jay", "Nathan": "Nate", "Bradley": "Brad", "Callum": "Cal", "Jordan": "Jord",
         "Shannon": "Shan", "Aaron": "Az", "Connor": "Con"}
SURNAMES = ["Smith", "Hughes", "Khan", "Patel", "Walsh", "Doyle", "Price", "Begum", "Kowalski", "Okafor",
            "Fletcher", "Harrison", "McDonald", "O'Neill", "Rahman", "Turner", "Bennett", "Clarke", "Ward", "Lloyd"]
AGENCIES = ["Oakfield School", "Community Health NHS Trust", "Children's Services", "Youth Offending Team",
            "Taxi Licensing", "Housing Association"]


def written(first: str, surname: str, rnd: random.Random) -> tuple[str, list[str]]:
    """One way a professional writes a name, and aliases given with it."""
    style = rnd.choice(["plain", "upper", "comma", "initial", "short", "aka", "typo"])
    if style == "upper":
        return f"{first} {surname.upper()}", []
    if style == "comma":
        return f"{surname.upper()}, {first}", []
    if style == "initial":
        return f"{first[0]}. {surname}", []
    if style == "short" and first in SHORT:
        return f"{SHORT[first]} {surname}", []
    if style == "aka" and first in SHORT:
        return f"{first} {surname}", [SHORT[first]]
    if style == "typo" and len(surname) > 4:
        i = rnd.randrange(1, len(surname) - 1)
        return f"{first} {surname[:i]}{surname[i + 1]}{surname[i]}{surname[i + 2:]}", []
    return f"{first} {surname}", []


def bench_entities(fixtures: list[dict], rnd: random.Random) -> None:
    st = Store(f"sqlite:///{tempfile.mkdtemp()}/entities.sqlite")
    labelled: list[tuple[int, str]] = []  # (mention id, true cluster)
    apart: list[tuple[str, str]] = []
    with st.transaction() as s:
        for f in fixtures:
            if (f.get("group") or {}).get("duplicate_of"):
                continue
            ents = [e for e in f.get("entities", []) if e["type"] in ("PERSON", "ALIAS", "PHONE", "VRM", "EMAIL", "DOB", "AGE")]
            _doc, _m, rows = store(s, f["fields"], f["template"], text_of(f["fields"]), ents)
            for e, r in zip(ents, rows):
                if e.get("cluster") and e["type"] in ("PERSON", "PHONE", "VRM"):
                    labelled.append((r.id, e["cluster"]))
        # Synthetic people: each over 3-5 reports from different agencies.
        people = []
        for i in range(40):
            people.append((rnd.choice(FIRST), SURNAMES[i % len(SURNAMES)], f"{rnd.randint(1995, 2012)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"))
        # Namesakes: same name, another date of birth.
        for i in range(8):
            f, sur, _dob = people[i]
            people.append((f, sur, f"{rnd.randint(1970, 1990)}-1{rnd.randint(0, 2)}-2{rnd.randint(0, 8)}"))
            apart.append((f"p{i}", f"p{40 + i}"))
        reports = []
        for pi, (first, sur, dob) in enumerate(people):
            for k in range(rnd.randint(3, 5)):
                reports.append((pi, k))
        rnd.shuffle(reports)
        for n, (pi, k) in enumerate(reports):
            first, sur, dob = people[pi]
            name, aliases = written(first, sur, rnd)
            ms = [{"type": "PERSON", "value": name}] + [{"type": "ALIAS", "value": a} for a in aliases]
            if rnd.random() < 0.6:
                ms.append({"type": "DOB", "value": dob})
            agency = AGENCIES[(pi + k) % len(AGENCIES)]
            fields = {"submitter.name": f"Worker {n}", "submitter.agency": agency,
                      "incident.narrative": f"report {n} about person {pi}: " + " ".join(rnd.choice(FIRST) for _ in range(12))}
            _doc, _m, rows = store(s, fields, "free_text", fields["incident.narrative"], ms,
                                   when=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=n))
            labelled.append((rows[0].id, f"p{pi}"))
        got = {m.id: m.entity_pk for m in s.query(MentionRow)}
        # The invariant: no entity holds two different dates of birth.
        from intake.store.models import Entity

        contradicted = sum(1 for e in s.query(Entity).filter(Entity.type == "PERSON") if len((e.attrs or {}).get("dobs", [])) > 1)
    pairs = [(got[mid], label) for mid, label in labelled]
    by_entity, by_label = defaultdict(list), defaultdict(list)
    for ent, label in pairs:
        by_entity[ent].append(label)
        by_label[label].append(ent)
    # B-cubed: for each mention, the share of its predicted entity that is
    # truly its cluster (purity) and of its true cluster that landed in its entity.
    purity = sum(by_entity[e].count(l) / len(by_entity[e]) for e, l in pairs) / len(pairs)
    completeness = sum(by_label[l].count(e) / len(by_label[l]) for e, l in pairs) / len(pairs)
    merged_namesakes = sum(1 for a, b in apart if set(by_label[a]) & set(by_label[b]))
    print(f"entity resolution: {len(pairs)} labelled mentions in {len(by_label)} true clusters, "
          f"{len(by_entity)} predicted entities")
    print(f"  cluster purity {purity:.3f}  completeness {completeness:.3f}  "
          f"namesake pairs sharing an entity: {merged_namesakes}/{len(apart)} (via reports giving no DOB)")
    print(f"  person entities holding two different dates of birth: {contradicted}")
    st.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=Path, default=REPO / "fixtures" / "out" / "forms")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    fixtures = load_fixtures(args.forms) if args.forms.exists() else []
    if not fixtures:
        print(f"no fixtures in {args.forms}: run fixtures/make_forms.py first", file=sys.stderr)
        return 1
    rnd = random.Random(args.seed)
    bench_dedup(fixtures, rnd)
    bench_entities(fixtures, rnd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
