"""Layout + Template -> Record: walk the lines, find labels, take each value
from where submitters put it (after the label, the next cell, a form field,
the next line), then type it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from intake.exception_codes import AMBIGUOUS_VALUE, REPEATED_FIELD, UNREADABLE_VALUE
from intake.parsers.templates import values
from intake.parsers.templates.labels import Hit, LabelMatcher
from intake.parsers.templates.model import FieldDef, Template
from intake.parsers.templates.text import (
    clean_value,
    is_furniture,
    norm,
    trim_ocr_noise,
)
from intake.parsers.templates.units import Doc, Line
from intake.types import ExceptionInfo, FieldValue, FormField, Provenance, Record

CHOICE_TYPES = ("choice", "bool")
NEXT_LINE_LOOKAHEAD = 3  # blank lines skipped looking for a value below a label


@dataclass
class _Found:
    raw: str | None
    lines: list[int]
    parts: list[str] = field(default_factory=list)  # for choices: cell by cell
    field_name: str | None = None


@dataclass
class MapResult:
    record: Record
    warnings: list[ExceptionInfo]
    labels_found: int


class Mapper:
    def __init__(self, doc: Doc, template: Template, matcher: LabelMatcher | None = None):
        self.doc = doc
        self.t = template
        self.m = matcher or LabelMatcher(template)
        self.found: dict[str, _Found] = {}
        self.consumed: set[int] = set()
        self.repeated: list[str] = []
        self._label_cache: dict[int, list[Hit]] = {}

    # -- helpers -----------------------------------------------------------
    def hits(self, i: int) -> list[Hit]:
        if i not in self._label_cache:
            line = self.doc.lines[i]
            cont = self.doc.containers[line.container]
            # "Label value" with no separator only where a PDF or a scan
            # flattened a row: never when the row has a cell for the value.
            flat = cont.kind == "para" or not cont.row_cells or cont.row_cells[-1] == line.container
            self._label_cache[i] = self.m.find(line.text, allow_prefix=flat)
        return self._label_cache[i]

    def is_stop(self, i: int) -> bool:
        """A line that ends a value: another label, a heading, boilerplate."""
        text = self.doc.lines[i].text
        hs = self.hits(i)
        if hs and hs[0].strong:
            return True
        if self.m.section_of(text) or self.m.is_boilerplate(text):
            return True
        return False

    def strip_hints(self, f: FieldDef, text: str) -> str:
        """Drop printed guidance ("Include as much detail as possible ...")
        that follows a label, however the re-issue words it."""
        changed = True
        while changed and text.strip():
            changed = False
            t = text.lstrip(" \t:;.-–")
            # Parenthesised qualifiers right after a label are the form's.
            m = re.match(r"\([^)]{0,200}\)", t)
            if m:
                text = t[m.end():]
                changed = True
                continue
            for h in f.hints:
                hn = norm(h)
                words = list(re.finditer(r"[^\W_]+", t))
                k = len(hn.split())
                best, cut = 0.0, None
                for n in range(max(1, k - 3), min(len(words), k + 3) + 1):
                    cand = norm(t[: words[n - 1].end()])
                    score = fuzz.ratio(cand, hn)
                    if score > best:
                        best, cut = score, words[n - 1].end()
                if best >= 85 and cut is not None:
                    text = t[cut:]
                    # The hint's own closing punctuation.
                    text = re.sub(r"^\s*(?:etc\.?)?\s*[.:;)]*", "", text)
                    changed = True
                    break
        return text

    def choose(self, hit: Hit, section: str | None) -> FieldDef | None:
        cands = [f for f, _ in hit.candidates]
        fresh = [f for f in cands if f.key not in self.found]
        if not fresh:
            return None
        if section:
            in_sec = [f for f in fresh if f.section == section]
            if in_sec:
                return in_sec[0]
        # Template order settles a label used twice when no heading helps.
        order = {f.key: n for n, f in enumerate(self.t.fields + self.t.groups)}
        best = max(s for f, s in hit.candidates if f in fresh)
        tied = [f for f, s in hit.candidates if f in fresh and s >= best - 5]
        return min(tied, key=lambda f: order[f.key])

    def _field_name(self, line: Line, start: int, end: int) -> str | None:
        for f in line.fields:
            if f.start is not None and f.start < max(end, start + 1) and (f.end or f.start) >= start:
                return f.name
        return None

    # -- where a value is ------------------------------------------------------
    def _continuation(self, cont_lines: list[int], after_pos: int) -> list[int]:
        out = []
        for i in cont_lines[after_pos + 1:]:
            if is_furniture(self.doc.lines[i].text):
                continue
            if self.is_stop(i):
                break
            out.append(i)
        return out

    def _next_cells(self, line: Line) -> list[int] | None:
        cont = self.doc.containers[line.container]
        if cont.kind != "cell" or cont.row_cells is None:
            return None
        idx = cont.row_cells.index(line.container)
        rest = cont.row_cells[idx + 1:]
        if not rest:
            return None
        return rest

    def _cell_is_label(self, cid: int, owner: FieldDef | None = None) -> bool:
        """The cell starts with another field's label. For a group ("1.
        Referrer") its own members' labels are its value, not a stop."""
        lines = self.doc.containers[cid].lines
        if not lines or not self.hits(lines[0]) or not self.hits(lines[0])[0].strong:
            return False
        inside = set(self.t.members.get(owner.key, ())) if owner else set()
        return any(f.key not in self.found and f.key not in inside
                   for f, _ in self.hits(lines[0])[0].candidates)

    def _empty_slot(self, line: Line, vstart: int, vend: int) -> bool:
        """An empty text field right after the label is where the answer
        went: the answer is empty, whatever text follows the line."""
        def empty(ln: Line, lo: int, hi: int) -> bool:
            return any(ff.kind != "checkbox" and ff.start is not None and lo <= ff.start <= hi
                       and not (ff.value or "").strip() for ff in ln.fields)

        if empty(line, vstart - 2, vend):
            return True
        # The field may sit on the (otherwise blank) line under the label.
        cont = self.doc.containers[line.container]
        if vend >= len(line.text.rstrip()) and line.pos + 1 < len(cont.lines):
            nxt = self.doc.lines[cont.lines[line.pos + 1]]
            return not nxt.text.strip() and empty(nxt, 0, len(nxt.text))
        return False

    def locate(self, f: FieldDef, line: Line, vstart: int, vend: int, is_last: bool) -> _Found:
        doc = self.doc
        cont = doc.containers[line.container]
        inline = line.text[vstart:vend]
        inline_clean = clean_value(self.strip_hints(f, inline))
        multi = f.type in ("multiline", "group")

        if f.type in CHOICE_TYPES:
            parts = [inline] if inline.strip() else []
            used = [line.idx]
            if is_last:
                cells = self._next_cells(line)
                if cells:
                    prev = None
                    for cid in cells:
                        if self._cell_is_label(cid) and not self._is_option_cell(f, cid):
                            break
                        txt = doc.container_text(cid)
                        # A merged cell may come through as copies side by side.
                        if txt.strip() and txt == prev:
                            continue
                        prev = txt
                        parts.append(txt)
                        used += doc.containers[cid].lines
                elif not self._has_option(f, inline):
                    parts_below, below = self._lines_below(line, short=True, max_lines=4)
                    parts += parts_below
                    used += below
            return _Found(" ".join(p for p in parts if p.strip()) or None, used, parts)

        if inline_clean:
            lines = [line.idx]
            raw = inline
            if multi:
                more = self._continuation(cont.lines, line.pos)
                if cont.kind == "para":
                    more = self._paras_below(line, started=True)
                lines += more
                raw = self._text_of(more, first=inline)
            return _Found(raw, lines, field_name=self._field_name(line, vstart, vend))
        if not is_last or self._empty_slot(line, vstart, vend):
            return _Found(None, [line.idx], field_name=self._field_name(line, vstart, vend))

        cells = self._next_cells(line)
        if cells is not None:
            # Lines under the label in its own cell are the form's hint.
            self.consumed.update(self._continuation(cont.lines, line.pos))
            for cid in cells:
                if self._cell_is_label(cid, f):
                    break
                txt = self._text_of(doc.containers[cid].lines)
                if clean_value(self.strip_hints(f, txt)):
                    if not multi:
                        # One line of a cell is one value; extra lines are
                        # the submitter's own wrapping.
                        txt = " ".join(doc.lines[i].text for i in doc.containers[cid].lines)
                    first = doc.lines[doc.containers[cid].lines[0]]
                    return _Found(self.strip_hints(f, txt), list(doc.containers[cid].lines),
                                  field_name=self._field_name(first, 0, len(first.text) or 1))
            # Value cell empty: the submitter may have typed under the label
            # in its own cell ("Name" then a line "Jo Bloggs").
            below = self._continuation(cont.lines, line.pos)
            raw = self.strip_hints(f, self._text_of(below))
            if clean_value(raw):
                if not multi:
                    raw = raw.strip().split("\n")[0]
                return _Found(raw, below)
            header = self._under_header(f, cont)
            if header is not None:
                return header
            return _Found(None, [line.idx])
        if cont.kind == "cell":
            below = self._continuation(cont.lines, line.pos)
            texts = [doc.lines[i].text for i in below]
            if any(clean_value(self.strip_hints(f, t)) for t in texts):
                if not multi:
                    for i in below:
                        if clean_value(self.strip_hints(f, doc.lines[i].text)):
                            below = [i]
                            break
                raw = self.strip_hints(f, self._text_of(below))
                return _Found(raw, below)
            header = self._under_header(f, cont)
            if header is not None:
                return header
            rest = [i for i in cont.lines[line.pos + 1:] if doc.lines[i].text.strip()]
            if not cont.box or rest:
                # Other labels follow in this cell: this one was left empty.
                return _Found(None, [line.idx])
        # Label in a paragraph (or a box): the value is below it.
        if multi:
            below = self._paras_below(line, started=False)
            raw = self.strip_hints(f, self._text_of(below))
            return _Found(raw or None, below)
        texts, below = self._lines_below(line, short=False, max_lines=1)
        raw = self.strip_hints(f, texts[0]) if texts else None
        return _Found(raw, below)

    def _text_of(self, ids: list[int], first: str | None = None) -> str:
        """The value text of these lines: page furniture dropped, printed
        guidance sentences cut out."""
        out = [] if first is None else [first]
        for i in ids:
            t = self.doc.lines[i].text
            if is_furniture(t):
                continue
            out.append(self.m.strip_boilerplate(t))
        return "\n".join(out)

    def _under_header(self, f: FieldDef, cont) -> _Found | None:
        """A header row of labels over a row of values ("Name | Age" above
        "Jo | 14"): the value sits in the same column one row down."""
        doc = self.doc
        if not cont.next_row_cells or cont.col is None or len(cont.next_row_cells) <= cont.col \
                or len(cont.row_cells or []) < 2:
            return None
        # Every cell of the row is a label (some already used, so look at
        # the words, not at what is still unfilled).
        if not all(doc.containers[c].lines and self.hits(doc.containers[c].lines[0])
                   and self.hits(doc.containers[c].lines[0])[0].strong for c in cont.row_cells):
            return None
        cid = cont.next_row_cells[cont.col]
        if self._cell_is_label(cid):
            return None
        return _Found(self.strip_hints(f, self._text_of(doc.containers[cid].lines)),
                      list(doc.containers[cid].lines))

    def _has_option(self, f: FieldDef, text: str) -> bool:
        return values.read_choice([text], f.options).status != "empty"

    def _is_option_cell(self, f: FieldDef, cid: int) -> bool:
        return self._has_option(f, self.doc.container_text(cid))

    def _lines_below(self, line: Line, short: bool, max_lines: int) -> tuple[list[str], list[int]]:
        """Values on the lines after a label in a paragraph: skip blank lines
        and guidance; stop at another label, a heading or a table row."""
        doc = self.doc
        out_t, out_i = [], []
        blanks = 0
        src_box = doc.containers[line.container].box
        for i in range(line.idx + 1, len(doc.lines)):
            ln = doc.lines[i]
            cont = doc.containers[ln.container]
            if cont.kind == "cell" and not cont.box and not src_box:
                break
            if not ln.text.strip() or clean_value(ln.text) is None or is_furniture(ln.text):
                blanks += 1
                if blanks > NEXT_LINE_LOOKAHEAD:
                    break
                continue
            if self.is_stop(i) and not (short and self._line_is_only_options(i)):
                break
            if self.m.is_boilerplate(ln.text):
                continue
            if short and len(ln.text.split()) > 8:
                break
            if ln.text.rstrip().endswith(":"):
                break
            out_t.append(ln.text)
            out_i.append(i)
            if len(out_t) >= max_lines:
                break
        return out_t, out_i

    def _line_is_only_options(self, i: int) -> bool:
        return len(self.doc.lines[i].text.split()) <= 6

    def _paras_below(self, line: Line, started: bool) -> list[int]:
        """A free-text answer under its label: the one-cell box the form
        provides (guidance printed between label and box is skipped), or
        else the following paragraphs; ends at the next label or footer."""
        doc = self.doc
        paras: list[int] = []
        for i in range(line.idx + 1, len(doc.lines)):
            ln = doc.lines[i]
            cont = doc.containers[ln.container]
            if cont.kind == "cell":
                if cont.box:
                    # The box is where the answer goes; what came between was
                    # printed text, unless the box is unused and text was typed.
                    box = [j for j in cont.lines if not self.m.is_boilerplate(doc.lines[j].text)]
                    if any(clean_value(doc.lines[j].text) for j in box):
                        return self._trim(box)
                    return []
                break
            if is_furniture(ln.text):
                continue
            if self.m.is_boilerplate(ln.text):
                if any(clean_value(doc.lines[j].text) for j in paras):
                    break
                continue
            hs = self.hits(i)
            if hs and hs[0].strong or self.m.section_of(ln.text):
                break
            paras.append(i)
        return self._trim(paras)

    def _trim(self, ids: list[int]) -> list[int]:
        ids = list(ids)
        while ids and not self.doc.lines[ids[-1]].text.strip():
            ids.pop()
        while ids and not self.doc.lines[ids[0]].text.strip():
            ids.pop(0)
        return ids

    # -- the walk ----------------------------------------------------------------
    def run(self) -> None:
        section: str | None = None
        for line in self.doc.lines:
            if line.idx in self.consumed:
                continue
            sec = self.m.section_of(line.text)
            if sec:
                section = sec
                continue
            hits = self.hits(line.idx)
            for n, hit in enumerate(hits):
                f = self.choose(hit, section)
                if f is None:
                    if hit.strong and n == 0:
                        self._repeated(hit, line, hits, section)
                    continue
                if not hit.strong and f.type not in CHOICE_TYPES and f.key in self.found:
                    continue
                end = hits[n + 1].label_start if n + 1 < len(hits) else len(line.text)
                found = self.locate(f, line, hit.value_start, end, is_last=n + 1 == len(hits))
                self.found[f.key] = found
                self.consumed.update(i for i in found.lines if i != line.idx)
                if f.type == "group":
                    self._split_group(f, found)
        self._loose_fields()

    def _repeated(self, hit: Hit, line: Line, hits: list[Hit], section: str | None) -> None:
        """A label already used, with a different answer after it: a second
        report in the same document, or a form with a section repeated. The
        record keeps the first; the reviewer must hear of the second."""
        cands = [c for c, _ in hit.candidates]
        f = next((c for c in cands if section and c.section == section), cands[0])
        if f.type == "group" or f.key in self.repeated:
            return
        end = hits[1].label_start if len(hits) > 1 else len(line.text)
        again = self.locate(f, line, hit.value_start, end, is_last=len(hits) == 1)
        a = clean_value(again.raw)
        seen = {norm(clean_value(self.found[c.key].raw) or "") for c in cands if c.key in self.found}
        if a and norm(a) not in seen:
            self.repeated.append(f.key)
            self.consumed.update(i for i in again.lines if i != line.idx)

    def _split_group(self, g: FieldDef, found: _Found) -> None:
        """Share a box's text among its member fields: by their own labels
        inside it ("Name: ... Role: ..."), else one line (or one comma
        part) each in order, else all of it to the first member."""
        members = [k for k in self.t.members.get(g.key, ()) if k not in self.found]
        if not members or not clean_value(found.raw):
            for k in members:
                self.found[k] = _Found(None, found.lines, field_name=found.field_name)
            return
        text = found.raw or ""
        lines = [ln for ln in text.split("\n") if clean_value(ln)]
        got: dict[str, str] = {}
        for ln in lines:
            hits = self.m.find(ln, allow_prefix=False)
            for n, h in enumerate(hits):
                cands = [f for f, _ in h.candidates if f.key in members and f.key not in got]
                if not cands:
                    continue
                end = hits[n + 1].label_start if n + 1 < len(hits) else len(ln)
                got[cands[0].key] = ln[h.value_start:end]
        if not got:
            parts = lines
            if len(parts) == 1:
                commas = [p for p in parts[0].split(",") if p.strip()]
                parts = commas if len(commas) == len(members) else parts
            if 1 < len(parts) <= len(members) or len(members) == 1:
                got = dict(zip(members, parts))
            else:
                got = {members[0]: text}
        for k in members:
            self.found[k] = _Found(got.get(k), found.lines, field_name=found.field_name)

    @staticmethod
    def _field_words(name: str) -> str:
        """A form designer's field name as words: "box3_problem",
        "PostJobTitle", "WillingYes" -> "problem", "post job title", "willing yes"."""
        text = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
        return re.sub(r"^(?:box|field|txt|text|check)?\s*\d+\s*", "", text, flags=re.I).strip()

    def _loose_fields(self) -> None:
        """AcroForm fields that stand alone: matched by their tooltip or name,
        filling only what the page text left empty. A check box named for a
        question and an option ("WillingYes") answers that question."""
        boxes: dict[str, list[str]] = {}
        for ff in self.doc.loose_fields:
            if ff.kind == "checkbox":
                self._loose_box(ff, boxes)
                continue
            if not (ff.value or "").strip():
                continue
            for name in (ff.label, ff.name):
                if not name:
                    continue
                cands = self.m.match(self._field_words(name)) or self.m.match(name.replace("_", " "))
                if not cands:
                    continue
                f = cands[0][0]
                prev = self.found.get(f.key)
                if prev is None or clean_value(prev.raw) is None:
                    self.found[f.key] = _Found(ff.value, [], [ff.value], field_name=ff.name)
                    if f.type == "group":
                        self._split_group(f, self.found[f.key])
                break
        for key, parts in boxes.items():
            prev = self.found.get(key)
            if prev is None or values.read_choice(prev.parts or [prev.raw or ""],
                                                  self.t.field(key).options).status != "ok":
                self.found[key] = _Found(" ".join(parts), [], parts)

    def _loose_box(self, ff: FormField, boxes: dict[str, list[str]]) -> None:
        for name in (ff.label, ff.name):
            if not name:
                continue
            words = norm(self._field_words(name)).split()
            for f in self.t.fields:
                if f.type not in CHOICE_TYPES:
                    continue
                for value, wordings in f.options.items():
                    for w in wordings:
                        ow = norm(w).split()
                        if not ow or words[-len(ow):] != ow or len(words) == len(ow):
                            continue
                        rest = set(words[: -len(ow)])
                        vocab = {t for lab in f.labels + f.keys for t in norm(lab).split()}
                        if rest and rest <= vocab:
                            mark = "☒" if ff.checked else "☐"
                            boxes.setdefault(f.key, []).append(f"{w} {mark}")
                            return

    # -- typing --------------------------------------------------------------
    def record(self) -> MapResult:
        warnings: list[ExceptionInfo] = []
        fields: dict[str, FieldValue] = {}
        ref_year = dt.date.today().year
        order = sorted(self.t.fields, key=lambda f: f.key != "report_datetime")
        for f in order:
            fd = self.found.get(f.key)
            if fd is None:
                fields[f.key] = FieldValue(None, note="label not found")
                continue
            prov, conf = self._where(fd)
            raw = fd.raw
            value, problem = self._typed(f, fd, ref_year)
            if f.key == "report_datetime" and isinstance(value, str):
                ref_year = int(value[:4])
            note = None
            if problem:
                ambiguous = f.type in CHOICE_TYPES or "more than one" in problem
                code = AMBIGUOUS_VALUE if ambiguous else UNREADABLE_VALUE
                note = f"{code}: {problem}"
                warnings.append(ExceptionInfo(code, f"{f.key}: {problem}; check the original form"))
            fields[f.key] = FieldValue(value, raw=raw.strip() if raw else None,
                                       provenance=prov, confidence=conf, note=note)
        if self.repeated:
            warnings.append(ExceptionInfo(
                REPEATED_FIELD,
                f"{', '.join(self.repeated)} answered more than once; only the first answer is in the "
                "record. Check whether the document holds more than one report."))
        ordered = {f.key: fields[f.key] for f in self.t.fields}
        rec = Record(template=self.t.id, version=self.t.version, fields=ordered)
        return MapResult(rec, warnings, len(self.found))

    def _ocr(self, fd: _Found) -> bool:
        return any(self.doc.lines[i].confidence is not None for i in fd.lines) or self.doc.ocr

    def _where(self, fd: _Found) -> tuple[Provenance, float | None]:
        if not fd.lines:
            return Provenance(field=fd.field_name, source="acroform"), None
        first = self.doc.lines[fd.lines[0]]
        p = first.provenance
        prov = Provenance(page=p.page, table=p.table, row=p.row, cell=p.cell,
                          field=fd.field_name or p.field, source=p.source)
        confs = [self.doc.lines[i].confidence for i in fd.lines
                 if self.doc.lines[i].confidence is not None]
        return prov, (min(confs) if confs else None)

    def _typed(self, f: FieldDef, fd: _Found, ref_year: int):
        if f.type in CHOICE_TYPES:
            parts = [p for p in fd.parts if p is not None]
            value, problem = values.to_bool_or_choice(parts, f.options, f.type == "bool")
            if value is None and problem is None and clean_value(" ".join(parts)) \
                    and not values.is_dont_know(" ".join(parts)):
                problem = "the answer could not be read as one of the options"
            return value, problem
        text = clean_value(fd.raw)
        if text and self._ocr(fd):
            text = clean_value(trim_ocr_noise(text))
        if text is None:
            return None, None
        if f.type in ("text", "multiline"):
            return text, None
        if f.type == "datetime":
            return values.to_datetime(text, ref_year, with_time=True)
        if f.type == "date":
            return values.to_datetime(text, ref_year, with_time=False)
        if f.type == "integer":
            lo = f.min if f.min is not None else 0
            hi = f.max if f.max is not None else 120
            return values.to_integer(text, lo, hi)
        if f.type == "grade":
            return values.to_grade(text, f.min, f.max)
        return text, None


def map_layout(doc: Doc, template: Template, matcher: LabelMatcher | None = None) -> MapResult:
    m = Mapper(doc, template, matcher)
    m.run()
    return m.record()
