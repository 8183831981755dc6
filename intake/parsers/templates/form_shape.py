"""Is a document no template fits a report form we do not know
(`unknown_template`, a person keys it in), or an ordinary document (a
paper, a letter, minutes, an invoice, a data sheet) that happens to have a
table or a few "Label:" lines? Three things must all be there:

- structure: labels ("Label: value" lines, label cells beside their values,
  form fields) that outweigh the prose around them. A grid of figures (a
  timetable, a price list, a table of statistics) is data, not labels, and
  a URL's "https:" is not a label;
- a sign of a form: tick boxes, answers left blank, fillable fields, or a
  title that calls it a form or a report;
- a sign of a *report* form: words report forms ask about in its title,
  headings or labels, not merely in its prose (the [form_cues] of
  not_a_report.toml): two at least, one of them about a child at risk (a
  victim, exploitation, the police), not only words any report has (an
  incident, a concern); part of a known template's labels counts as one.

Counted once per document in a Shape, which also says whether the document
is written to its reader (guidance, a letter) rather than about someone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from intake.parsers.templates.model import NotAReport
from intake.parsers.templates.text import (
    CHECKED_MARKS,
    UNCHECKED_MARKS,
    clean_value,
    norm,
    strip_numbering,
)
from intake.parsers.templates.units import Doc

PROSE_WORDS = 12  # a line of this many words is a sentence, not a label or a value
SENTENCE_WORDS = 15
MAX_LABEL_WORDS = 8  # "Name of child's school:"; a longer head before a colon is a sentence
MAX_QUESTION_WORDS = 20  # forms ask long questions ("Are you reporting ... as a third party?")
TITLE_LINES = 10  # a form's title sits above its first fields
HEADING_WORDS = 10
MAX_LINE = 2000  # characters: a longer line is a paragraph of prose (and costly to scan for labels)
NEAR_TEMPLATE = 0.2  # a known template's score this high: its title or some of its labels are here

# A label: a letter first (after any numbering), then up to ~60 characters
# of words, ending in a letter or a bracket right before the colon (so
# "at 10:30" is a time, not a label) or in a question mark.
_HEAD = re.compile(r"^\s*(?P<label>[^\W\d_][^:?\n]{0,60}?[^\W\d_)])\s*(?P<sep>:(?!//)|\?)")
_SCHEME = re.compile(r"(?:^|\s)(?:https?|ftp|mailto|file|www|urn|doi|isbn)$", re.I)
# A value that only points somewhere (a web address, an e-mail address, a
# phone number): the "Website: ..." / "Helpline: ..." lines of a leaflet or
# a letterhead. A form asks for these too, so they count for half.
_POINTER = re.compile(r"^\s*(?:(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?[\d ()-]{7,})\s*$", re.I)
# A figure, a date, a time, an amount, a percentage: what a data table holds.
_FIGURE = re.compile(r"^[\s\d.,:;/%£$€¥+\-–—()#x×]*\d[\s\d.,:;/%£$€¥+\-–—()#x×]*(?:[a-zA-Z]{0,4}\.?)?$")
_BOXES = re.compile(f"[{re.escape(CHECKED_MARKS + UNCHECKED_MARKS)}]")
# Ballot boxes, empty or ticked (a fillable check box is rendered as one).
# Not a lone tick or cross: newsletters and CVs use those as bullets.
_BALLOT = re.compile("[\u2610\u2611\u2612\u25a1\u25a2]")
_YES_NO = re.compile(r"\byes\s*(?:/|\bor\b|[\u2610\u25a1]|\s{2,})\s*no\b", re.I)
_SALUTATION = re.compile(r"^\s*(?:dear\s+\w|to whom it may concern)", re.I)
_VALEDICTION = re.compile(r"^\s*(?:yours\s+(?:sincerely|faithfully|truly)|kind(?:est)? regards|best wishes)\b", re.I)
_YOU = re.compile(r"\b(?:you|your|yours|yourself)\b", re.I)
_THIRD = re.compile(r"\b(?:he|she|him|her|his|hers|himself|herself)\b", re.I)


@dataclass
class Shape:
    """What a document is made of, counted once."""

    labels: float = 0.0  # label evidence, weighted
    label_rows: int = 0  # table rows with a label cell: a form's strongest sign
    fields: int = 0  # fillable fields (legacy, content controls, AcroForm, HTML inputs)
    ticks: int = 0  # tick boxes and Yes/No options
    blanks: int = 0  # labels left unanswered
    prose_words: int = 0  # words in lines long enough to be sentences
    title: bool = False  # a title near the top that calls it a form or a report
    # Report words in its labels, headings and title: about a child at
    # risk (cues), about any report (general_cues).
    cues: set[str] = field(default_factory=set)
    general_cues: set[str] = field(default_factory=set)
    letter: bool = False
    you: int = 0
    third: int = 0

    def signs(self) -> list[str]:
        out = []
        if self.ticks >= 2:
            out.append("tick boxes")
        if self.blanks >= 2:
            out.append("blank answers")
        if self.fields >= 1:
            out.append("form fields")
        if self.title:
            out.append("a form's title")
        return out


def _words(text: str) -> int:
    return len(text.split())


def label_head(text: str) -> tuple[str, str, str] | None:
    """(label, separator, value) when the line starts with a label."""
    body = strip_numbering(text)
    m = _HEAD.match(body)
    if m is None:
        return None
    label, sep = m.group("label").strip(), m.group("sep")
    if _SCHEME.search(label):
        return None
    if _words(label) > (MAX_QUESTION_WORDS if sep == "?" else MAX_LABEL_WORDS):
        return None
    return label, sep, body[m.end():]


# A further "Label:" inside a line: a PDF reader or OCR glues short lines
# ("Date: 03/04 Reporting person: Sam Patel Organisation: ...").
_INLINE = re.compile(r"(?<!\S)([^\W\d_][^\s:?]*(?:[ \t]+[^\s:?]+){0,4}?)[ \t]*:(?!//)(?=\s|$)")


def _next_label(text: str) -> re.Match | None:
    for m in _INLINE.finditer(text):
        label = m.group(1)
        if label[:1].isupper() and (label[-1].isalpha() or label[-1] == ")") and not _SCHEME.search(label):
            return m
    return None


def label_segments(text: str) -> list[tuple[str, str, str]]:
    """Every (label, separator, value) of a line that starts with a label;
    [] when it does not."""
    head = label_head(text)
    if head is None:
        return []
    label, sep, rest = head
    out = []
    while (m := _next_label(rest)) is not None and len(out) < 40:
        out.append((label, sep, rest[:m.start()]))
        label, sep, rest = m.group(1), ":", rest[m.end():]
    out.append((label, sep, rest))
    return out


def label_cell(text: str) -> bool:
    """A table cell that reads as a label: a few words (or one question),
    with letters in them; not a figure, a letter or a web address."""
    t = strip_numbering(text.strip()).strip(" :")
    if not t or _FIGURE.match(t) or _POINTER.match(t) or _SCHEME.search(t.split(":")[0]):
        return False
    if sum(c.isalpha() for c in t) < 3:
        return False
    return _words(t) <= (MAX_QUESTION_WORDS if t.endswith("?") else MAX_LABEL_WORDS)


def _is_data_grid(rows: list[list[str]]) -> bool:
    """A table of data rather than labels beside answers: five or more
    filled columns, or three or more with figures in a good part of them,
    or figures in most of the cells beside the first column."""
    filled = sorted(sum(1 for c in r if c.strip()) for r in rows)
    if not filled:
        return False
    typical = filled[len(filled) // 2]
    values = [c for r in rows for c in r[1:] if c.strip()]
    figures = sum(1 for c in values if _FIGURE.match(c.strip())) / len(values) if values else 0.0
    return typical >= 5 or (typical >= 3 and figures >= 0.3) or (len(rows) >= 3 and figures >= 0.6)


class _Cues:
    def __init__(self, nar: NotAReport):
        self.terms = [t for t in (norm(x) for x in nar.form_terms) if t]
        self.general = [t for t in (norm(x) for x in nar.form_general) if t and t not in self.terms]
        self.titles = [t for t in (norm(x) for x in nar.form_titles) if t]

    @staticmethod
    def _found(phrases: list[str], text: str) -> set[str]:
        padded = f" {norm(text)} "
        return {p for p in phrases if f" {p} " in padded}

    def terms_in(self, text: str) -> tuple[set[str], set[str]]:
        return self._found(self.terms, text), self._found(self.general, text)

    def is_title(self, text: str) -> bool:
        return bool(self._found(self.titles, text))


def shape_of(doc: Doc, nar: NotAReport) -> Shape:
    sh = Shape()
    cues = _Cues(nar)
    heads: list[str] = []  # the text a form asks with: labels, headings, its title
    lines = doc.lines
    for n, ln in enumerate(lines):
        text = ln.text
        words = _words(text)
        para = doc.containers[ln.container].kind == "para"
        if words >= PROSE_WORDS and para:
            sh.prose_words += words
        if _SALUTATION.match(text) or _VALEDICTION.match(text):
            sh.letter = True
        sh.you += len(_YOU.findall(text))
        sh.third += len(_THIRD.findall(text))
        sh.ticks += len(_BALLOT.findall(text)) + len(_YES_NO.findall(text))
        if n < TITLE_LINES and 0 < words <= 14 and cues.is_title(text):
            sh.title = True
            heads.append(text)
        if not para:
            continue  # cells are judged by rows below
        segments = label_segments(text) if len(text) <= MAX_LINE else []
        for k, (label, sep, value) in enumerate(segments):
            if _words(value) >= PROSE_WORDS:
                continue  # "Note: a whole sentence ..." is prose
            heads.append(label)
            if n < TITLE_LINES and k == 0 and cues.is_title(label):
                sh.title = True  # "... Information Sharing Form" glued to the first label
            if sep == "?":
                sh.labels += 0.5  # a question heading an FAQ reads the same
                continue
            sh.labels += 0.5 if _POINTER.match(value) else 1.0
            nxt = lines[n + 1].text if n + 1 < len(lines) else ""
            if clean_value(value) is None and (k + 1 < len(segments) or not nxt.strip()
                                               or label_head(nxt) is not None or clean_value(nxt) is None):
                sh.blanks += 1  # "Name:" with nothing after it, and the next label after it
        if not segments and 0 < words <= HEADING_WORDS and not text.rstrip().endswith((".", ",", ";")):
            heads.append(text)
    _count_rows(doc, sh, heads)
    sh.fields = sum(1 for f in doc.loose_fields if f.kind != "checkbox") + sum(
        1 for ln in lines for f in ln.fields if f.kind != "checkbox")
    sh.ticks += sum(1 for f in doc.loose_fields if f.kind == "checkbox")
    for h in heads:
        terms, general = cues.terms_in(h)
        sh.cues |= terms
        sh.general_cues |= general
    return sh


def _count_rows(doc: Doc, sh: Shape, heads: list[str]) -> None:
    tables: dict[int, list[list[int]]] = {}
    for c in doc.containers:
        if c.kind == "cell" and c.col == 0 and c.row_cells:
            tables.setdefault(c.table, []).append(c.row_cells)
    for rows in tables.values():
        texts = [[doc.container_text(i) for i in ids] for ids in rows]
        if _is_data_grid(texts):
            continue
        for cells in texts:
            # A label cell beside its answer; a row of one cell is a box
            # or a heading.
            if len(cells) < 2 or not label_cell(cells[0]):
                continue
            sh.labels += 1.0
            sh.label_rows += 1
            heads.append(cells[0])
            if all(clean_value(c) is None or _BOXES.fullmatch(c.strip()) for c in cells[1:]):
                sh.blanks += 1


def structured(sh: Shape) -> bool:
    """Labels that outweigh the prose around them, counted in sentences of
    SENTENCE_WORDS words: label cells in a table against a quarter of the
    sentences (a form may print a page of guidance), "Label:" lines alone
    against all of them (a paper or a leaflet has an "Authors:", a
    "Website:", a "Published:"). Or fillable fields."""
    if sh.fields >= 3:
        return True
    if sh.labels < 4:
        return False
    sentences = sh.prose_words / SENTENCE_WORDS
    return sh.labels >= (0.25 if sh.label_rows >= 3 else 1.0) * sentences


def form_like(sh: Shape, best_score: float = 0.0) -> bool:
    """A report form nobody has a template for. A letter is not a form,
    whatever it lists."""
    if sh.letter or not structured(sh) or not sh.signs():
        return False
    specific = len(sh.cues) + (1 if best_score >= NEAR_TEMPLATE else 0)
    return specific >= 1 and specific + len(sh.general_cues) >= 2


def addressed_to_reader(sh: Shape) -> bool:
    """Guidance or a letter: written to "you" (or to "Dear ..."), not about
    "him" or "her" as an intelligence report is, even one sent as a letter."""
    to_reader = sh.you + (2 if sh.letter else 0)
    return (sh.letter or sh.you >= 3) and to_reader > 2 * sh.third
