"""A hyphen at the end of a wrapped line: part of the text, or a soft
hyphenation that only the line break put there?

PDF and OCR text lose the difference: LibreOffice and Word print both as a
plain "-" at the line end. Getting it wrong costs twice: "x@community-" +
"paediatrics.nhs.uk" joined as "communitypaediatrics" is a wrong e-mail
address and a missed one, and "exploita-" + "tion" kept as "exploita-tion"
is a word nobody can search for. The rule, in order:

1. Shape says the hyphen is real: the fragment before it belongs to an
   e-mail address, a domain or a web address (it holds "@", "." or "/"),
   or the text after it is one ("paediatrics.nhs-trust.example.org"); or
   the next line starts with a capital or a digit ("K-" + "Dog",
   "Newcastle-under-" + "Lyme", "A-" + "level"). Hyphenators break words
   between lower-case syllables, and never inside an address.
2. Dictionary says it was a word broken in two: the letters either side
   joined make an English word (wordfreq, Zipf frequency >= WORD_ZIPF) and
   at least one side is not a word on its own ("re-" + "peatedly",
   "accommo-" + "dation", "investiga-" + "tion"): the hyphen goes.
3. Anything else keeps its hyphen, joined without a space: compounds whose
   joined form is no word ("well-" + "known", "drop-" + "off", "so-" +
   "called") and the ambiguous case where both sides and the whole are
   words ("pick-" + "up"/"pickup", "safe-" + "guarding"). Forms are rarely
   hyphenated by software (Word's automatic hyphenation is off by
   default), so a line-end hyphen is more often real: a real hyphen kept is
   the safer mistake.

A line that ends in a dash set off by a space ("... the car -") is not a
hyphenated word: it joins with a space as any wrap does."""

from __future__ import annotations

import re
from functools import lru_cache

# Zipf 3 is about once per million words: "followup" (2.9) and "dropoff"
# (2.0) fall below, "safeguarding" (3.2) and "repeatedly" (4.2) above.
WORD_ZIPF = 3.0

_HYPHEN_END = re.compile(r"(\S*[^\W_])-$")
_ADDRESS = re.compile(r"[@/]|\.[^\W\d_]")
_DOMAIN_NEXT = re.compile(r"^[\w-]*(?:\.[^\W\d_][\w-]*)+|^[\w.+-]*@")


@lru_cache(maxsize=8192)
def is_word(word: str) -> bool:
    from wordfreq import zipf_frequency  # loaded on first use: ~0.3 s

    return zipf_frequency(word, "en") >= WORD_ZIPF


def wrap_join(before: str, after: str) -> tuple[int, str]:
    """How to join a line that ends ``before`` to the next that starts
    ``after``: (characters to drop from the end of ``before``, separator).
    (0, " ") for an ordinary wrap, (0, "") to keep a real hyphen, (1, "")
    to drop a soft one."""
    m = _HYPHEN_END.search(before.rstrip()) if before.rstrip() == before else None
    nxt = after.lstrip()
    if m is None or not nxt or not nxt[0].isalnum():
        return 0, " "
    left = m.group(1).lstrip("\"'([{\u201c\u2018")
    right = nxt.split()[0]
    if _ADDRESS.search(left) or _DOMAIN_NEXT.match(right) or not nxt[0].islower():
        return 0, ""
    tail = re.search(r"([^\W\d_]+)$", left)
    head = re.match(r"([^\W\d_]+)", right)
    if not tail or not head:
        return 0, ""
    a, b = tail.group(1).lower(), head.group(1).lower()
    if is_word(a + b) and not (is_word(a) and is_word(b)):
        return 1, ""
    return 0, ""


def join_lines(before: str, after: str) -> str:
    drop, sep = wrap_join(before, after)
    return before[: len(before) - drop] + sep + after.lstrip() if sep == "" else before + sep + after
