"""Which template is this? Every template is scored on the Layout (title
phrases anywhere, characteristic labels where labels sit); the best above its
own threshold wins. Otherwise: not a report, a form we do not know, or free
text."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from intake.parsers.templates.form_shape import addressed_to_reader, form_like, shape_of
from intake.parsers.templates.labels import FUZZY_CUTOFF, heads
from intake.parsers.templates.model import NotAReport, Template
from intake.parsers.templates.registry import Registry
from intake.parsers.templates.text import clean_value, norm, norm_label
from intake.parsers.templates.units import Doc

TITLE_WEIGHT = 0.35
FUZZY_WINDOW = 20000


@dataclass
class Detection:
    kind: str  # "template" | "not_a_report" | "unknown_template" | "free_text"
    template: Template | None = None
    scores: list[tuple[str, float]] = field(default_factory=list)
    reason: str = ""
    not_a_report_kind: str | None = None


class DocText:
    """The normalised text and the label heads of a document, computed once
    for all templates."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.text = norm("\n".join(ln.text for ln in doc.lines)
                         + "\n" + "\n".join(f.value or "" for f in doc.loose_fields))
        self.padded = f" {self.text} "
        # Near matches are looked for near the top and the bottom only:
        # partial_ratio over a whole long document costs seconds.
        self.fuzzy_text = self.text if len(self.text) <= FUZZY_WINDOW * 2 else \
            self.text[:FUZZY_WINDOW] + " " + self.text[-FUZZY_WINDOW:]
        self.heads: set[str] = set()
        for ln in doc.lines:
            if len(ln.text) > 2000:
                continue  # a paragraph of prose, not a label
            for s, e, _, _ in heads(ln.text)[:4]:
                h = norm_label(ln.text[s:e])
                if h and len(h.split()) <= 40:
                    self.heads.add(h)
        for f in doc.loose_fields:
            for n in (f.label, f.name):
                if n:
                    self.heads.add(norm_label(n.replace("_", " ")))
        self._sorted_heads = sorted(self.heads)

    def has_phrase(self, phrase: str) -> bool:
        p = norm(phrase)
        if not p:
            return False
        if f" {p} " in self.padded:
            return True
        # OCR and re-typing: near matches count for phrases long enough.
        return len(p) >= 12 and fuzz.partial_ratio(p, self.fuzzy_text, score_cutoff=90) >= 90

    def has_label(self, phrase: str) -> bool:
        """A head that is the label, starts with it (whole words), or is
        within FUZZY_CUTOFF of it (for a label of 6 characters or more)."""
        p = norm_label(phrase)
        if not p:
            return False
        if p in self.heads:
            return True
        # Heads are norm() output, so those starting with p's words sort
        # together, first among those from p + " " on.
        n = bisect.bisect_left(self._sorted_heads, p + " ")
        if n < len(self._sorted_heads) and self._sorted_heads[n].startswith(p + " "):
            return True
        # A ratio of FUZZY_CUTOFF (88) or more needs lengths within 0.79-1.27
        # of each other, inside the 0.7-1.4 (+4) window a head must be in.
        return len(p) >= 6 and process.extractOne(p, self._sorted_heads, scorer=fuzz.ratio,
                                                  score_cutoff=FUZZY_CUTOFF) is not None


def score(t: Template, dt: DocText) -> float:
    title = 1.0 if any(dt.has_phrase(p) for p in t.titles) else 0.0
    labels = t.recognition_labels
    frac = sum(dt.has_label(p) for p in labels) / len(labels) if labels else 0.0
    if not t.titles:
        return frac
    if not labels:
        return title
    return TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * frac


def not_a_report_hits(nar: NotAReport, dt: DocText) -> list[tuple[str, int, int, int | None]]:
    out = []
    for k in nar.kinds:
        hits = sum(dt.has_phrase(p) for p in k.phrases)
        out.append((k.name, hits, k.min_hits, k.veto_hits))
    return out


def detect(doc: Doc, registry: Registry, is_body: bool = False) -> Detection:
    dt = DocText(doc)
    scores = sorted(((t, score(t, dt)) for t in registry.templates), key=lambda p: -p[1])
    listed = [(t.id, round(s, 2)) for t, s in scores]
    nar = not_a_report_hits(registry.not_a_report, dt)
    veto = [n for n, hits, _, v in nar if v is not None and hits >= v]
    nar_kind = max(((hits, n) for n, hits, m, _ in nar if hits >= m), default=(0, None))[1]
    if veto:
        return Detection("not_a_report", scores=listed, reason=f"matches {veto[0]}",
                         not_a_report_kind=veto[0])
    winners = [(t, s) for t, s in scores if s >= t.threshold]
    if winners:
        return Detection("template", winners[0][0], listed, not_a_report_kind=nar_kind)
    if nar_kind:
        return Detection("not_a_report", scores=listed, reason=f"matches {nar_kind}",
                         not_a_report_kind=nar_kind)
    visible = clean_value(dt.text) or ""
    if len(visible) < registry.not_a_report.min_text_chars:
        return Detection("not_a_report", scores=listed, reason="no text to speak of",
                         not_a_report_kind="empty")
    if is_body:
        return Detection("free_text", scores=listed)  # ingest/body.py has judged it a report
    sh = shape_of(doc, registry.not_a_report)
    if form_like(sh, scores[0][1] if scores else 0.0):
        return Detection("unknown_template", scores=listed, reason="form-like but no template fits")
    if addressed_to_reader(sh):
        return Detection("not_a_report", scores=listed, reason="written to the reader (guidance or a letter), "
                         "not about a young person or a suspect", not_a_report_kind="guidance_or_letter")
    return Detection("free_text", scores=listed)
