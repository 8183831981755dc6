"""Tick boxes and "delete as appropriate": which option did the submitter
choose? Never a guess: both or neither gives None and says so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from intake.parsers.templates.text import CHECKED_MARKS, UNCHECKED_MARKS, norm

# A scan reads a ticked box as "X", "Xx", "[X", "|x|"...: a lone x or two,
# possibly with box edges, counts as a mark.
_ON = re.compile(
    rf"[{CHECKED_MARKS}]|[\[(|]\s*[xX✓✔]{{1,2}}\s*[\])|]?|(?<![\w'’-])[xX]{{1,2}}(?![\w'’-])"
)
_OFF = re.compile(rf"[{UNCHECKED_MARKS}]|\[\s*\]|\(\s\)")
# Words typed into a tick cell instead of a mark. They count as a mark only
# where they are not themselves one of the question's options (a "Yes"
# beside "Professional" marks it; beside "Yes / No" it is the answer).
_MARK_WORDS = re.compile(r"(?<![\w'’-])(?:yes|y|ticked|tick|selected|chosen|true)(?![\w'’-])", re.I)
_NOISE = re.compile(r"\((?:please )?(?:delete|tick|circle|select)[^)]*\)|\bn/?a\b", re.I)


@dataclass
class Choice:
    value: str | None
    status: str  # "ok" | "empty" | "neither" | "both"


@dataclass
class _Tok:
    pos: int
    kind: str  # "opt" | "on" | "off"
    value: str = ""


OPTION_LIST_GAP = 6  # characters between options printed as one list ("Yes / No")


def _typed_after_the_list(opts: list[_Tok], values: set[str]) -> str | None:
    """The options left as printed ("Yes/No (delete as appropriate)") and
    one of them typed after the list: that one is the answer."""
    first = [opts[0]]
    for t in opts[1:]:
        if t.pos - first[-1].pos > len(t.value) + OPTION_LIST_GAP + 4:
            break
        first.append(t)
    rest = {t.value for t in opts[len(first):]}
    if {t.value for t in first} == values and len(rest) == 1:
        return rest.pop()
    return None


@lru_cache(maxsize=1024)
def _option_regex(wording: str) -> re.Pattern:
    toks = [re.escape(t) for t in norm(wording).split()]
    return re.compile(r"(?<![\w])" + r"[\W_]*".join(toks) + r"(?![\w])", re.I)


def read_choice(parts: list[str], options: dict[str, tuple[str, ...]]) -> Choice:
    """``parts``: the text after the label, cell by cell or line by line."""
    toks: list[_Tok] = []
    base = 0
    option_words = {t for ws in options.values() for w in ws for t in norm(w).split()}
    words_are_options = bool(option_words & {"yes", "y", "true", "no", "n", "false"})
    wordings = sorted(
        ((w, val) for val, ws in options.items() for w in ws), key=lambda p: -len(p[0])
    )
    for part in parts:
        part = _NOISE.sub(lambda m: " " * len(m.group()), part)
        taken: list[tuple[int, int]] = []
        for w, val in wordings:
            if len(norm(w)) <= 1:
                # A bare "Y"/"N" counts only in a short answer ("Y", "Y/N").
                if len(part.strip()) <= 5:
                    for m in re.finditer(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", part, re.I):
                        if not any(s < m.end() and m.start() < e for s, e in taken):
                            taken.append((m.start(), m.end()))
                            toks.append(_Tok(base + m.start(), "opt", val))
                continue
            for m in _option_regex(w).finditer(part):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                toks.append(_Tok(base + m.start(), "opt", val))
        for rx, kind in ((_ON, "on"), (_OFF, "off")):
            for m in rx.finditer(part):
                if not any(s <= m.start() < e for s, e in taken):
                    toks.append(_Tok(base + m.start(), kind))
        if not words_are_options:
            for m in _MARK_WORDS.finditer(part):
                if not any(s < m.end() and m.start() < e for s, e in taken):
                    toks.append(_Tok(base + m.start(), "on"))
        base += len(part) + 1
    toks.sort(key=lambda t: t.pos)
    opts = [t for t in toks if t.kind == "opt"]
    marks = [t for t in toks if t.kind != "opt"]
    if not opts:
        # Marks with no option to tie them to cannot be read.
        return Choice(None, "empty" if not any(m.kind == "on" for m in marks) else "neither")
    if not marks:
        chosen = {t.value for t in opts}
        if len(chosen) == 1:
            return Choice(chosen.pop(), "ok")
        typed = _typed_after_the_list(opts, set(options))
        if typed is not None:
            return Choice(typed, "ok")
        return Choice(None, "neither")
    # Boxes sit consistently before or after their option on one form; the
    # first token tells which.
    before = toks[0].kind != "opt"
    chosen: set[str] = set()
    for i, t in enumerate(toks):
        if t.kind != "opt":
            continue
        j = i - 1 if before else i + 1
        if 0 <= j < len(toks) and toks[j].kind == "on":
            chosen.add(t.value)
    if len(chosen) == 1:
        return Choice(chosen.pop(), "ok")
    return Choice(None, "both" if chosen else "neither")
