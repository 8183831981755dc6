"""A box that holds several fields (Met box 1: name, role, agency and
contact): its text shared among the member fields.

Lines that carry a member's label ("Organisation: ...", "Tel/email: ...")
go to that member. The rest are read by what they hold, in the order
referrers write them: the contact is the stretch from the first phone
number or e-mail address to the last (so "Tel: 0121 ..., email: jo@..."
stays whole, as written); the other lines give the remaining members in
order, a line split further when there are more members than lines:
"Jo Bloggs (Social Worker)", "Jo Bloggs – Social Worker", "Jo Bloggs,
Social Worker, Children's Services". A line that starts with the box's own
label ("Referrer: Jo Bloggs") is unlabelled text."""

from __future__ import annotations

import re

from intake.parsers.templates.mapping.state import LocatedField, MapState, merge_same_field
from intake.parsers.templates.model import FieldDef
from intake.parsers.templates.text import clean_value

_PHONE = re.compile(r"(?<![\w@])(?:\+\d{1,3}[\s-]?)?\(?\d[\d\s()-]{7,}\d(?![\w@])")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PART = re.compile(r"[^\n,]+")
_CONTACT_WORDS = re.compile(r"(?:(?:tel(?:ephone)?|phone|mob(?:ile)?|e-?mail|contact|direct(?: line)?|t|m|e)"
                            r"\b[\s./:-]*)*", re.I)
# "Name (Role)", "Name – Role" / "Name - Role", "Name, Role": tried in turn.
_SPLITS = (re.compile(r"^(.+?)\s*\((.+)\)\s*$"), re.compile(r"^(.+?)\s+[–—-]\s+(.+)$"),
           re.compile(r"^(.+?),\s*(.+)$"))


def split_group(state: MapState, g: FieldDef, found: LocatedField) -> None:
    members = [k for k in state.template.members.get(g.key, ()) if k not in state.found]
    if not members:
        return
    if not clean_value(found.raw):
        # An empty box: its members may still be answered by their own
        # labels elsewhere (a table typed inside the box, say).
        return
    got, loose = _by_labels(state, g, (found.raw or "").split("\n"), members)
    rest = [k for k in members if k not in got]
    if rest and loose:
        got.update(_by_content("\n".join(loose), rest))
    for k in members:
        state.found[k] = LocatedField(got.get(k), found.lines, field_name=found.field_name)


def _by_labels(state: MapState, g: FieldDef, lines: list[str], members: list[str]
               ) -> tuple[dict[str, str], list[str]]:
    """Members answered by their labels, and the lines with no member label."""
    got: dict[str, str] = {}
    loose: list[str] = []
    for ln in lines:
        if not clean_value(ln):
            continue
        hits = merge_same_field(state.matcher.find(ln, allow_prefix=False))
        if hits and any(f.key == g.key for f, _ in hits[0].candidates):
            ln = ln[hits[0].value_start:]  # "Referrer: Jo Bloggs": the box's own label
            hits = merge_same_field(state.matcher.find(ln, allow_prefix=False))
        labelled = False
        for n, h in enumerate(hits):
            cands = [f for f, _ in h.candidates if f.key in members and f.key not in got]
            if not cands:
                continue
            if n == 0 and h.label_start > 0 and clean_value(ln[:h.label_start]):
                loose.append(ln[:h.label_start])
            end = hits[n + 1].label_start if n + 1 < len(hits) else len(ln)
            got[cands[0].key] = ln[h.value_start:end]
            labelled = True
        if not labelled and clean_value(ln):
            loose.append(ln)
    return got, loose


def _by_content(text: str, members: list[str]) -> dict[str, str]:
    got: dict[str, str] = {}
    contact = next((k for k in members if k.endswith(".contact")), None)
    if contact is not None:
        spans = [(m.start(), m.end()) for m in _PART.finditer(text)
                 if _PHONE.search(m.group()) or _EMAIL.search(m.group())]
        if spans:
            start, end = spans[0][0], spans[-1][1]
            # Words before the number or address in its part belong to it
            # only as its label ("Tel: ...", "Mob ..."); else they are
            # another member a PDF reader ran into it ("Youth Club jo@...").
            part = text[start:spans[0][1]]
            first = min(m.start() for m in (_PHONE.search(part), _EMAIL.search(part)) if m)
            if first and not _CONTACT_WORDS.fullmatch(part[:first].strip()):
                start += first
            got[contact] = text[start:end]
            text = text[:start] + "\n" + text[end:]
    others = [k for k in members if k not in got]
    pieces = [p.strip(" ,;") for p in text.split("\n") if clean_value(p)]
    pieces = _split_further(pieces, len(others))
    if len(pieces) > len(others) and others:
        # More lines than fields: the last field keeps the rest as written.
        pieces = pieces[: len(others) - 1] + [" ".join(pieces[len(others) - 1:])]
    got.update(zip(others, pieces))
    return got


def _split_further(pieces: list[str], want: int) -> list[str]:
    """Split lines, first to last, until there are ``want`` pieces."""
    out = list(pieces)
    i = 0
    while len(out) < want and i < len(out):
        for rx in _SPLITS:
            m = rx.match(out[i])
            if m:
                out[i:i + 1] = [m.group(1).strip(" ,;"), m.group(2).strip(" ,;")]
                break
        else:
            i += 1
    return out
