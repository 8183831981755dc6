"""Label matching by meaning: a line's head (text up to ':' or '?', or the
whole short line) is compared with a template's wordings after
normalisation, then synonyms, then rapidfuzz with a cut-off. Long text never
counts as a label, so a free-text cell that mentions "name" stays a value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from intake.parsers.templates.model import FieldDef, Template
from intake.parsers.templates.text import norm, norm_label, strip_numbering

FUZZY_CUTOFF = 88  # below this "Post/Job Title" ~ "Post Code" starts to pass
MAX_LABEL_WORDS = 40  # the longest real label (WM reliability) is ~30 words
MAX_SCAN = 400  # a label head never starts further into a line than this
PRINTED_MIN = 30  # characters: a printed sentence this long is cut from inside a value
PRINTED_MATCH = 90  # rapidfuzz partial ratio for such a sentence (PDF dashes, quotes, spacing)

# Where a label can end: a colon or question mark, a tab or a wide gap, or
# the close of a bracketed qualifier followed by hint text ("1. Referrer
# details (name, role, agency, contact) Your name, ...").
_SEP = re.compile(r"[:?\t]|\s{3,}|(?<=\))\s")


_BOX_NUMBER = re.compile(r"^\s*(?:box\s*)?(\d{1,2})\s*[.):]\s*\S", re.I)

_OCR_FOLD = str.maketrans({"i": "l", "1": "l", "!": "l", "|": "l", "0": "o", "5": "s", "8": "b"})


def ocr_fold(text: str) -> str:
    """Characters OCR confuses, folded together on both sides of a
    comparison ("Probiem" ~ "Problem", "C0ntact" ~ "Contact")."""
    return text.replace("rn", "m").replace("cl", "d").translate(_OCR_FOLD)


@dataclass
class LabelHit:
    candidates: list[tuple[FieldDef, float]]  # best first
    label_start: int
    label_end: int
    value_start: int
    strong: bool  # ended by a separator or the whole line: safe as a terminator


def heads(text: str) -> list[tuple[int, int, int, bool]]:
    """Possible label heads at the start of a line: (start, end, value_start,
    strong). Earliest separator first, then the whole line."""
    lead = len(text) - len(strip_numbering(text))
    lead += len(text[lead:]) - len(text[lead:].lstrip())
    strong, weak = [], []
    for m in _SEP.finditer(text, lead, min(len(text), lead + MAX_SCAN)):
        if m.start() > lead:
            # A closing bracket is the weakest end: only when nothing else fits.
            (weak if m.group().isspace() and text[m.start() - 1] == ")" and len(m.group()) == 1
             else strong).append((lead, m.start(), m.end(), True))
    if len(text) > lead:
        strong.append((lead, len(text), len(text), True))
    return strong + weak


@lru_cache(maxsize=256)
def _flex(variant: str) -> re.Pattern:
    """A wording as a regex that tolerates punctuation/space differences,
    for a second label written on the same line ("... DOB: 01/02/2010")."""
    toks = [re.escape(t) for t in norm(variant).split()]
    words = r"[\W_]*".join(toks) + r"[ \t]*(?:\([^)]{0,30}\))?"
    # "Label:" anywhere after a value, or a label set off by tabs or wide
    # gaps on both sides ("Name<tab>Jo Bloggs<tab>Age<tab>14").
    return re.compile(r"(?<![\w])" + words + r"[ \t]*:"
                      + r"|(?:(?<=\t)|(?<=\S {3}))" + words + r"(?=\t| {3,})", re.I)


class LabelMatcher:
    def __init__(self, template: Template):
        self.template = template
        self.variants: list[tuple[FieldDef, str]] = []
        for f in template.fields + template.groups:
            for lab in f.labels:
                n = norm_label(lab)
                if n:
                    self.variants.append((f, n))
        self.keys = [(f, norm(k)) for f in template.fields + template.groups
                     for k in f.keys if norm(k)]
        self.sections = {
            name: [norm_label(h) for h in hs] for name, hs in template.sections.items()
        }
        # Sentences the form prints; its titles too (a PDF repeats them as
        # running headers and footers).
        self.boilerplate = [norm(x) for b in template.boilerplate + template.titles
                            for x in re.split(r"(?<=[.!?])\s+", b) if len(norm(x)) >= 12]
        # The same sentences as printed, for finding one inside a line a
        # reader glued to a value; only long ones, so an answer that happens
        # to share a short phrase with the guidance keeps it.
        self._printed = sorted({x.strip().lower() for b in template.boilerplate
                                for x in re.split(r"(?<=[.!?])\s+", b) if len(x.strip()) >= PRINTED_MIN},
                               key=len, reverse=True)
        self._cache: dict[str, list[tuple[FieldDef, float]]] = {}

    # -- single phrases -------------------------------------------------
    def match(self, head: str) -> list[tuple[FieldDef, float]]:
        c = norm_label(head)
        head_bare = strip_numbering(head)
        key = c + ("/" if re.match(r"^\W*[^\W_]+\s*(?:/|&|\+|\band\b|\bor\b)", head_bare) else "") \
            + ("." if head.rstrip().endswith((".", "!")) else "")
        if key in self._cache:
            return self._cache[key]
        out: dict[str, tuple[FieldDef, float]] = {}
        nwords = len(c.split())
        # A sentence ("She is not willing to engage with police.") is prose:
        # only an exact wording makes it a label.
        sentence = nwords >= 4 and head.rstrip().endswith((".", "!"))
        if c and sentence:
            for f, v in self.variants:
                if c == v:
                    out[f.key] = (f, 100.0)
        elif c and nwords <= MAX_LABEL_WORDS:
            cw = c.split()
            for f, v in self.variants:
                vw = v.split()
                if c == v:
                    score = 100.0
                elif cw[: len(vw)] == vw and len(cw) <= len(vw) + 2 and len(v) >= 3 and (
                        len(vw) >= 2 or re.match(r"^\W*[^\W_]+\s*(?:/|&|\+|\band\b|\bor\b)", head_bare)):
                    # The wording plus a word or two: "Problem / concern",
                    # "Contact number / email", "Who is involved".
                    score = 91.0 - (len(cw) - len(vw))
                elif len(v) >= 5 and len(c) == len(v) and ocr_fold(c) == ocr_fold(v):
                    score = 95.0
                elif len(v) < 6 or not (0.7 * len(v) <= len(c) <= 1.4 * len(v) + 4):
                    continue
                else:
                    # Slips and re-ordered words ("Organisation / Agency").
                    score = max(fuzz.ratio(c, v), fuzz.token_sort_ratio(c, v) - 2,
                                fuzz.ratio(ocr_fold(c), ocr_fold(v)) - 1)
                    if score < FUZZY_CUTOFF:
                        continue
                if score > out.get(f.key, (f, 0))[1]:
                    out[f.key] = (f, score)
            for f, k in self.keys:
                klen = len(k.split())
                if nwords <= 3 * klen + 14 and re.search(rf"(?<!\w){re.escape(k)}(?!\w)", c):
                    if 90 > out.get(f.key, (f, 0))[1]:
                        out[f.key] = (f, 90.0)
        res = sorted(out.values(), key=lambda p: -p[1])
        self._cache[key] = res
        return res

    def numbered_box(self, text: str) -> LabelHit | None:
        """A label cell "3. <any wording>" on a form that numbers its boxes:
        the field printed as box 3. Only for a label cell (the caller
        checks), never for a numbered list in an answer."""
        m = _BOX_NUMBER.match(text)
        if m is None:
            return None
        n = int(m.group(1))
        f = next((f for f in self.template.fields + self.template.groups if f.box == n), None)
        if f is None:
            return None
        return LabelHit([(f, 89.0)], m.start(1), len(text), len(text), strong=True)

    def prefix_match(self, text: str) -> LabelHit | None:
        """A label with no separator after it ("Name Jo Bloggs" once a PDF or
        OCR flattens a row): whole-word prefix, exact after normalisation."""
        lead = len(text) - len(strip_numbering(text))
        body = text[lead:]
        n = norm(body)
        if len(n.split()) > 16:
            return None  # a sentence, not a flattened "Label value" row
        best = None
        for f, v in self.variants:
            if f.type in ("multiline", "group"):
                continue  # free-text answers start with any word at all
            if len(v) >= 3 and n.startswith(v + " ") and (best is None or len(v) > len(best[1])):
                best = (f, v)
        if best is None:
            return None
        # Walk the raw text to where the wording's words end.
        want = len(best[1].split())
        words = list(re.finditer(r"[^\W_]+", body))
        if len(words) <= want:
            return None
        end = lead + words[want - 1].end()
        start_val = lead + words[want].start()
        return LabelHit([(best[0], 95.0)], lead, end, start_val, strong=False)

    # -- lines -------------------------------------------------------------
    def find(self, text: str, allow_prefix: bool = False) -> list[LabelHit]:
        """Labels in a line: one at its start, then any more written on the
        same line as "Label: value"."""
        if not text.strip():
            return []
        first: LabelHit | None = None
        for start, end, vstart, strong in heads(text):
            cands = self.match(text[start:end])
            if cands:
                first = LabelHit(cands, start, end, vstart, strong)
                break
        if first is None and allow_prefix:
            first = self.prefix_match(text)
        if first is None:
            return []
        hits = [first]
        pos = first.value_start
        while pos < len(text):
            nxt = self._inline(text, pos)
            if nxt is None:
                break
            hits.append(nxt)
            pos = nxt.value_start
        return hits

    def _inline(self, text: str, pos: int) -> LabelHit | None:
        best: LabelHit | None = None
        for f, v in self.variants:
            if f.type in ("multiline", "group") or len(v.split()) > 4:
                continue
            m = _flex(v).search(text, pos)
            if m and m.start() > pos and (best is None or m.start() < best.label_start):
                colon = m.group().rstrip().endswith(":")
                best = LabelHit([(f, 100.0)], m.start(), m.end() - 1 if colon else m.end(), m.end(), True)
        if best is not None:
            best.candidates = self.match(text[best.label_start:best.label_end]) or best.candidates
        return best

    def section_of(self, text: str) -> str | None:
        """A heading opening a section: the whole line, nothing after a colon
        (else it is a label with its value, "Young person: Kai")."""
        if ":" in text and text.split(":", 1)[1].strip():
            return None
        c = norm_label(text)
        if not c or len(c.split()) > 14:
            return None
        for name, hs in self.sections.items():
            for h in hs:
                if c == h or c.startswith(h + " ") or (len(h) >= 8 and fuzz.ratio(c, h) >= FUZZY_CUTOFF):
                    return name
        return None

    def _is_bp_sentence(self, n: str) -> bool:
        """Most of a printed sentence, or a printed sentence with a little
        added (a different e-mail address on a re-issue). A short phrase
        that merely occurs in the guidance ("designated safeguarding lead")
        is not enough."""
        for b in self.boilerplate:
            short, long_ = (n, b) if len(n) <= len(b) else (b, n)
            if len(short) >= 0.6 * len(long_) and fuzz.partial_ratio(short, long_) >= 90:
                return True
        return False

    def _printed_spans(self, text: str) -> list[tuple[int, int]]:
        low = text.lower()
        cuts: list[tuple[int, int]] = []
        for printed in self._printed:
            if len(printed) > len(low) + 5:
                continue
            al = fuzz.partial_ratio_alignment(printed, low, score_cutoff=PRINTED_MATCH)
            if al is None or al.dest_end - al.dest_start < 0.85 * len(printed):
                continue
            if any(a < al.dest_end and al.dest_start < b for a, b in cuts):
                continue
            cuts.append((al.dest_start, al.dest_end))
        return sorted(cuts)

    def cut_printed(self, text: str) -> str:
        """The line without any printed sentence inside it: a PDF reader
        glues the line printed under an answer to it when the two are close
        ("... school DSL City referrals: send to the City Referral Unit,
        ...")."""
        cuts = self._printed_spans(text)
        if not cuts:
            return text
        out, pos = [], 0
        for a, b in sorted(cuts):
            out.append(text[pos:a])
            pos = b
        out.append(text[pos:])
        return " ".join(" ".join(out).split())

    def strip_boilerplate(self, text: str) -> str:
        """The line without the sentences the form prints (a PDF reader may
        put printed guidance and the answer in one paragraph)."""
        if not self.boilerplate or len(norm(text)) < 20:
            return text
        text = self.cut_printed(text)
        parts = re.split(r"(?<=[.!?])(\s+)", text)
        keep = []
        for n in range(0, len(parts), 2):
            sent = parts[n]
            ns = norm(sent)
            if len(ns) >= 20 and self._is_bp_sentence(ns):
                continue
            keep.append(sent)
        return " ".join(k.strip() for k in keep if k.strip()) if len(keep) * 2 < len(parts) + 1 else text

    def is_boilerplate(self, text: str) -> bool:
        """Printed guidance, whole or in pieces: every sentence of the line
        is (nearly) a sentence the form prints. A submitter's sentence mixed
        in makes it a value."""
        if not self.boilerplate:
            return False
        spans = self._printed_spans(text)
        if spans and spans[0][0] > 0:
            # Something before the printed text: an answer a PDF reader
            # glued to the line printed under it. (Printed text first, with a
            # little after it, is a re-issue's wording: boilerplate.)
            return len(norm(text[: spans[0][0]])) < 3
        sentences = [norm(x) for x in re.split(r"(?<=[.!?])\s+", text)]
        sentences = [x for x in sentences if x]
        long = [x for x in sentences if len(x) >= 20]
        if not long:
            return False
        return all(self._is_bp_sentence(n) for n in long)
