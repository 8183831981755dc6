"""Label matching by meaning: a line's head (text up to ':' or '?', or the
whole short line) is compared with a template's wordings after
normalisation, then synonyms, then rapidfuzz with a cut-off. Long text never
counts as a label, so a free-text cell that mentions "name" stays a value.

Long on purpose: LabelMatcher's index (exact, word-prefix and OCR-folded
wordings) and its memory are only right with respect to the matching rules
beside them; kept in one module so a change to a rule is made next to the
index that must follow it (tests/parsers/test_template_labels.py holds the
indexed matching against the rules written out plainly)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

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
# A first word joined to more by "/", "&", "+", "and" or "or" ("Tel / email").
_JOINED = re.compile(r"^\W*[^\W_]+\s*(?:/|&|\+|\band\b|\bor\b)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPLIT_KEEP = re.compile(r"(?<=[.!?])(\s+)")
_WORD = re.compile(r"[^\W_]+")
# Remembered per template: label heads and lines, as they recur from one
# document of a form to the next. Only short ones (a label row, not a
# paragraph of an answer), and emptied when full, so a long-running worker
# holds a bounded amount.
MEMO_ENTRIES = 8192
MEMO_CHARS = 300

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
    # Asked for each line by detection and again by mapping.
    return list(_heads_memo(text)) if len(text) <= 1000 else _heads(text)


def _heads(text: str) -> list[tuple[int, int, int, bool]]:
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


_heads_memo = lru_cache(maxsize=4096)(lambda text: tuple(_heads(text)))


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
        self._index()

    def _index(self) -> None:
        """The wordings indexed once, so that matching a head looks up the
        few wordings that can match it instead of scoring every one:
        exact and word-prefix matches by the wording itself, OCR-folded
        matches by the folded wording, fuzzy ones among the wordings of a
        length that can reach the cut-off."""
        self._words = [tuple(v.split()) for _, v in self.variants]
        self._exact: dict[str, list[int]] = {}
        self._folded: dict[str, list[int]] = {}
        by_len: dict[int, list[int]] = {}
        for i, (f, v) in enumerate(self.variants):
            self._exact.setdefault(v, []).append(i)
            if len(v) >= 5:
                self._folded.setdefault(ocr_fold(v), []).append(i)
            if len(v) >= 6:
                by_len.setdefault(len(v), []).append(i)
        self._by_len = sorted(by_len.items())
        self._plain = [v for _, v in self.variants]
        self._plain_folded = [ocr_fold(v) for _, v in self.variants]
        # c and k are both norm() output (word characters and single
        # spaces), so "k as whole words in c" is a plain substring test.
        self._keys_spaced = [(f, len(k.split()), f" {k} ") for f, k in self.keys]
        # Wordings a flattened row may start with (prefix_match): free text
        # starts with any word at all.
        self._prefixable: dict[str, int] = {}
        for i, (f, v) in enumerate(self.variants):
            if f.type not in ("multiline", "group") and len(v) >= 3:
                self._prefixable.setdefault(v, i)
        # Second labels on a line (_inline): each with its words (ASCII
        # ones, longest first) for a quick test that the line can hold it at
        # all; its pattern is compiled when first needed.
        self._inline_vs = [(n, f, v, sorted((t for t in norm(v).split() if t.isascii()), key=len, reverse=True)
                            or [""])
                           for n, (f, v) in enumerate((f, v) for f, v in self.variants
                                                      if f.type not in ("multiline", "group")
                                                      and len(v.split()) <= 4)]
        self._inline_rx: dict[int, re.Pattern] = {}
        self._memo: dict[tuple[str, str], object] = {}

    def _remember(self, kind: str, text: str, compute: Callable[[str], object]):
        if len(text) > MEMO_CHARS:
            return compute(text)
        key = (kind, text)
        try:
            return self._memo[key]
        except KeyError:
            pass
        if len(self._memo) >= MEMO_ENTRIES:
            self._memo.clear()
        res = self._memo[key] = compute(text)
        return res

    # -- single phrases -------------------------------------------------
    def match(self, head: str) -> list[tuple[FieldDef, float]]:
        c = norm_label(head)
        head_bare = strip_numbering(head)
        joined = _JOINED.match(head_bare) is not None
        stop = head.rstrip().endswith((".", "!"))
        key = c + ("/" if joined else "") + ("." if stop else "")
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        out: dict[str, tuple[FieldDef, float]] = {}
        cw = c.split()
        nwords = len(cw)
        # A sentence ("She is not willing to engage with police.") is prose:
        # only an exact wording makes it a label.
        sentence = nwords >= 4 and stop
        if c and sentence:
            for i in self._exact.get(c, ()):
                f = self.variants[i][0]
                out[f.key] = (f, 100.0)
        elif c and nwords <= MAX_LABEL_WORDS:
            for i, score in sorted(self._variant_scores(c, cw, joined).items()):
                f = self.variants[i][0]
                if score > out.get(f.key, (f, 0))[1]:
                    out[f.key] = (f, score)
            padded = f" {c} "
            for f, klen, k in self._keys_spaced:
                if nwords <= 3 * klen + 14 and k in padded:
                    if 90 > out.get(f.key, (f, 0))[1]:
                        out[f.key] = (f, 90.0)
        res = sorted(out.values(), key=lambda p: -p[1])
        if len(key) <= MEMO_CHARS:
            if len(self._cache) >= MEMO_ENTRIES:
                self._cache.clear()
            self._cache[key] = res
        return res

    def _variant_scores(self, c: str, cw: list[str], joined: bool) -> dict[int, float]:
        """Each wording's score against the head ``c`` (variant index ->
        score), for the wordings that reach one, tried in this order:
        - the same wording: 100;
        - the wording plus a word or two ("Problem / concern", "Contact
          number / email", "Who is involved"): 91 less a point a word;
        - the same wording after OCR folding: 95;
        - slips and re-ordered words ("Organisation / Agency"): the best of
          rapidfuzz's ratio, token-sort ratio (less 2) and ratio of the
          OCR-folded texts (less 1), at least FUZZY_CUTOFF."""
        scores: dict[int, float] = {}
        for i in self._exact.get(c, ()):
            scores[i] = 100.0
        n = len(cw)
        for k in range(max(1, n - 2), n):
            for i in self._exact.get(" ".join(cw[:k]), ()):
                if len(self.variants[i][1]) >= 3 and (k >= 2 or joined):
                    scores[i] = 91.0 - (n - k)
        lc = len(c)
        cf = ocr_fold(c)
        for i in self._folded.get(cf, ()):
            if i not in scores and len(self.variants[i][1]) == lc:
                scores[i] = 95.0
        window = [i for ln, ids in self._by_len if 0.7 * ln <= lc <= 1.4 * ln + 4 for i in ids
                  if i not in scores]
        if not window:
            return scores
        # Each score counts only at the cut-off after its handicap, so each
        # is asked for at its own cut-off; the rest are below FUZZY_CUTOFF.
        fuzzy: dict[int, float] = {}
        for scorer, texts, head, cut in ((fuzz.ratio, self._plain, c, FUZZY_CUTOFF),
                                         (fuzz.token_sort_ratio, self._plain, c, FUZZY_CUTOFF + 2),
                                         (fuzz.ratio, self._plain_folded, cf, FUZZY_CUTOFF + 1)):
            for _, got, i in process.extract(head, {i: texts[i] for i in window}, scorer=scorer,
                                             score_cutoff=cut, limit=None):
                got -= cut - FUZZY_CUTOFF
                if got > fuzzy.get(i, -1.0):
                    fuzzy[i] = got
        scores.update(fuzzy)
        return scores

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
        nw = norm(body).split()
        if len(nw) > 16:
            return None  # a sentence, not a flattened "Label value" row
        # The longest wording the text starts with, followed by more words
        # (the first such wording on a tie).
        best = None
        for k in range(len(nw) - 1, 0, -1):
            i = self._prefixable.get(" ".join(nw[:k]))
            if i is not None:
                best = self.variants[i]
                break
        if best is None:
            return None
        # Walk the raw text to where the wording's words end.
        want = len(best[1].split())
        words = list(_WORD.finditer(body))
        if len(words) <= want:
            return None
        end = lead + words[want - 1].end()
        start_val = lead + words[want].start()
        return LabelHit([(best[0], 95.0)], lead, end, start_val, strong=False)

    # -- lines -------------------------------------------------------------
    def find(self, text: str, allow_prefix: bool = False) -> list[LabelHit]:
        """Labels in a line: one at its start, then any more written on the
        same line as "Label: value"."""
        if len(text) > MEMO_CHARS:
            return self._find(text, allow_prefix)
        # The hits are never changed once found, so a line seen before (a
        # form's label rows recur in every copy) shares them.
        return list(self._remember("find+" if allow_prefix else "find", text,
                                   lambda t: self._find(t, allow_prefix)))

    def _find(self, text: str, allow_prefix: bool) -> list[LabelHit]:
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
        # The wording's words are in the line whatever the case, or the
        # pattern cannot match; tested on ASCII only, where re.I folds case
        # exactly as str.lower() does.
        if text.isascii():
            low = text.lower()
            cands = [e for e in self._inline_vs if e[3][0] in low and all(t in low for t in e[3])]
        else:
            cands = self._inline_vs
        for n, f, v, _ in cands:
            pat = self._inline_rx.get(n)
            if pat is None:
                pat = self._inline_rx[n] = _flex(v)
            m = pat.search(text, pos)
            if m and m.start() > pos and (best is None or m.start() < best.label_start):
                colon = m.group().rstrip().endswith(":")
                best = LabelHit([(f, 100.0)], m.start(), m.end() - 1 if colon else m.end(), m.end(), True)
        if best is not None:
            best.candidates = self.match(text[best.label_start:best.label_end]) or best.candidates
        return best

    def section_of(self, text: str) -> str | None:
        """A heading opening a section: the whole line, nothing after a colon
        (else it is a label with its value, "Young person: Kai")."""
        if not self.sections:
            return None
        return self._remember("section", text, self._section_of)

    def _section_of(self, text: str) -> str | None:
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
            if len(short) >= 0.6 * len(long_) and fuzz.partial_ratio(short, long_, score_cutoff=90) >= 90:
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
        return self._remember("strip", text, self._strip_boilerplate)

    def _strip_boilerplate(self, text: str) -> str:
        text = self.cut_printed(text)
        parts = _SPLIT_KEEP.split(text)
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
        return self._remember("is_bp", text, self._is_boilerplate)

    def _is_boilerplate(self, text: str) -> bool:
        spans = self._printed_spans(text)
        if spans and spans[0][0] > 0:
            # Something before the printed text: an answer a PDF reader
            # glued to the line printed under it. (Printed text first, with a
            # little after it, is a re-issue's wording: boilerplate.)
            return len(norm(text[: spans[0][0]])) < 3
        sentences = [norm(x) for x in _SENTENCE_END.split(text)]
        sentences = [x for x in sentences if x]
        long = [x for x in sentences if len(x) >= 20]
        if not long:
            return False
        return all(self._is_bp_sentence(n) for n in long)


# One matcher per template for the life of the process: its index is built
# once and its memory of heads serves every document of that form. Keyed
# by identity (a reloaded registry brings new Template objects); the
# template is held so that its id is not reused while it is a key.
_MATCHERS: dict[int, tuple[Template, LabelMatcher]] = {}
MAX_MATCHERS = 32


def matcher_for(template: Template) -> LabelMatcher:
    held = _MATCHERS.get(id(template))
    if held is not None and held[0] is template:
        return held[1]
    if len(_MATCHERS) >= MAX_MATCHERS:
        _MATCHERS.clear()
    m = LabelMatcher(template)
    _MATCHERS[id(template)] = (template, m)
    return m
