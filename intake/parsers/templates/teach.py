"""What teaching a form from one example needs besides the file: the
document's label-like lines and cells to pick from, and whether a draft
knows that document again, leaves the other templates' forms alone, and
which queued documents it would claim.

All of it works on a document's stored plain text (cells separated by
tabs, rows by newlines: Layout.plain_text), so the review app needs no
reader: the text is turned back into a Layout of paragraphs and tables
close enough for detection, which only looks at titles and label heads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.parsers.templates.detect import DocText, score
from intake.parsers.templates.model import Template
from intake.parsers.templates.registry import Registry
from intake.parsers.templates.text import clean_value, norm_label
from intake.parsers.templates.units import Doc, build_doc
from intake.types import Cell, Layout, Paragraph, Table

MAX_CANDIDATES = 150
MAX_LABEL_WORDS = 14
MAX_LABEL_CHARS = 120
_LABEL_END = re.compile(r"^(.{2,100}?)\s*[:?]\s*(.*)$")


@dataclass
class Candidate:
    n: int  # position in the list (the form's input names carry it)
    text: str  # as printed
    where: str  # "cell" | "line" | "label" (the part of a line before its colon)
    likely: bool  # first cell of a row, or ended by a colon or question mark


def doc_from_text(text: str) -> Doc:
    blocks: list = []
    rows: list[list[Cell]] = []
    for line in (text or "").split("\n"):
        if "\t" in line:
            rows.append([Cell(c) for c in line.split("\t")])
            continue
        if rows:
            blocks.append(Table(rows))
            rows = []
        if line.strip():
            blocks.append(Paragraph(line))
    if rows:
        blocks.append(Table(rows))
    return build_doc(Layout(blocks=blocks, source="text"))


def _short(s: str) -> bool:
    return (0 < len(s) <= MAX_LABEL_CHARS and len(s.split()) <= MAX_LABEL_WORDS
            and any(c.isalpha() for c in s) and clean_value(s) is not None)


def candidates(text: str) -> list[Candidate]:
    """The short lines and cells of a document, in reading order, once
    each: what an officer picks labels (and the title) from."""
    out: list[Candidate] = []
    seen: set[str] = set()

    def add(s: str, where: str, likely: bool) -> None:
        s = " ".join(s.split())
        n = norm_label(s)
        if not n or n in seen or not _short(s) or len(out) >= MAX_CANDIDATES:
            return
        seen.add(n)
        out.append(Candidate(len(out), s, where, likely))

    for line in (text or "").split("\n"):
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            filled = [c for c in cells if c]
            for i, c in enumerate(cells):
                m = _LABEL_END.match(c)
                if m and m.group(2):
                    add(m.group(1), "label", True)
                else:
                    add(c, "cell", (len(filled) > 1 and c == filled[0]) or c.endswith((":", "?")))
            continue
        s = line.strip()
        m = _LABEL_END.match(s)
        if m and m.group(2) and len(m.group(1).split()) <= MAX_LABEL_WORDS:
            add(m.group(1), "label", True)
        else:
            add(s, "line", s.endswith((":", "?")))
    return out


def title_candidates(cands: list[Candidate], limit: int = 8) -> list[Candidate]:
    """Lines, not cells, from the top of the document: where a form's title
    and headings are."""
    return [c for c in cands if c.where == "line"][:limit]


def doc_score(tpl: Template, text: str) -> float:
    return score(tpl, DocText(doc_from_text(text)))


def _specimen(tpl: Template) -> str:
    """The words that make a form another template's: its titles, the
    labels detection looks for and one wording of each field, one a line."""
    lines = list(tpl.titles) + list(tpl.recognition_labels) + [f.labels[0] for f in tpl.fields if f.labels]
    return "\n".join(lines)


def steals(tpl: Template, registry: Registry) -> list[tuple[str, float]]:
    """The other templates whose forms this one would also claim: it scores
    at or above its own threshold on their titles and labels."""
    out = []
    for other in registry.templates:
        if other.id == tpl.id:
            continue
        s = doc_score(tpl, _specimen(other))
        if s >= tpl.threshold:
            out.append((other.id, round(s, 2)))
    return out


def claims(tpl: Template, registry: Registry, text: str) -> bool:
    """Would detection, with this template added, choose it for this
    text? (It must beat every other template that also passes.)"""
    dt = DocText(doc_from_text(text))
    mine = score(tpl, dt)
    if mine < tpl.threshold:
        return False
    return all(score(t, dt) < t.threshold or score(t, dt) < mine
               for t in registry.templates if t.id != tpl.id)
