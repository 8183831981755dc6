"""Text normalisation shared by label matching, detection and value typing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters a form uses for ticks, in or next to an option: ballot boxes,
# check and cross marks (U+2713-2718), the square root sign that fonts
# without a tick stand in for one, a filled square or radio button, emoji
# ticks. Not a plain filled circle or small square: those are bullets.
CHECKED_MARKS = "☒☑✓✔✕✖✗✘√■◉⬛✅❎🗸🗹🗷"
UNCHECKED_MARKS = "☐□○◯⬜"

_WS = re.compile(r"\s+")
# The same line or label is cleaned and normalised many times over while a
# document is detected and mapped (every template, every head of every
# line); short strings are remembered. Longer ones (a whole document for
# detection) are seldom repeated and would hold on to a lot of text.
_MEMO_CHARS = 300
# Untouched placeholders a form leaves behind: Word content-control prompts,
# dotted and underscored fill-in lines.
_PLACEHOLDERS = re.compile(
    r"(?:click|tap)(?: or tap)?(?: here)? to enter (?:a )?(?:text|date)\.?"
    r"|choose an item\.?|select (?:an option|one)\.?"
    r"|\b(?:dd|d)\s*/\s*(?:mm|m)\s*/\s*(?:yyyy|yy)\b|\bhh\s*:\s*mm\b"
    r"|\[(?:insert|enter|type)[^\]]{0,40}\]"
    r"|enter (?:text|date) here\.?"
    r"|[.…·_‥]{3,}"
    r"|(?:\. ){3,}\.?"
    r"|(?:_ ){3,}_?",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r"^\s*(?:box\s*)?(?:\(?\d{1,2}[.)]|\d{1,2}\s*[-–:]|[•·▪■●\-–*])\s*", re.I)


def collapse(text: str) -> str:
    """White space collapsed to single spaces (docs/forms.md: text values); soft
    hyphens, invisible unless a line breaks at them, dropped."""
    return _WS.sub(" ", text.replace("\u00ad", "")).strip()


def strip_placeholders(text: str) -> str:
    return _PLACEHOLDERS.sub(" ", text)


def clean_value(text: str | None) -> str | None:
    """Placeholders removed, white space collapsed; None when nothing is left
    or only punctuation is (a stray ':' after a label)."""
    if text is None:
        return None
    # Asked of the same line again and again as values are located.
    return _clean_memo(text) if len(text) <= _MEMO_CHARS else _clean_value(text)


def _clean_value(text: str) -> str | None:
    out = collapse(strip_placeholders(text))
    out = out.strip(" :;,-–")
    if not out or not any(ch.isalnum() for ch in out):
        return None
    return out


_clean_memo = lru_cache(maxsize=8192)(_clean_value)


def strip_numbering(text: str) -> str:
    """'3. Problem', 'Box 3: Problem', '• Name' -> the label itself."""
    return _NUMBERING.sub("", text, count=1)


_NON_WORD = re.compile(r"[^\w]+")
_QUALIFIER = re.compile(r"\([^)]{0,80}\)")


def norm(text: str) -> str:
    """Lower case, accents and punctuation folded to spaces, white space
    collapsed: the form labels are compared in."""
    return _norm_memo(text) if len(text) <= _MEMO_CHARS else _norm(text)


def _norm(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        # Combining marks dropped: looked up once per distinct character,
        # not once per character of a long text.
        marks = {ord(ch): None for ch in set(text) if unicodedata.combining(ch)}
        if marks:
            text = text.translate(marks)
    text = text.lower().replace("&", " and ").replace("3rd", "third")
    text = _NON_WORD.sub(" ", text)
    return collapse(text.replace("_", " "))


_norm_memo = lru_cache(maxsize=8192)(_norm)


def norm_label(text: str) -> str:
    """A label without its numbering and qualifiers: '3. Problem',
    'Victim (if known)', 'Witnessed Incident?' -> 'problem', 'victim',
    'witnessed incident'."""
    return _norm_label_memo(text) if len(text) <= _MEMO_CHARS else _norm_label(text)


def _norm_label(text: str) -> str:
    text = strip_numbering(text)
    # Brackets in a label qualify it: "(if known)", "(s)", "(1-5)",
    # "(name, role, agency, contact)".
    text = _QUALIFIER.sub(" ", text)
    return norm(text)


_norm_label_memo = lru_cache(maxsize=8192)(_norm_label)


def words(text: str) -> list[str]:
    return norm(text).split()


# Page furniture a PDF or a scan repeats on every page: protective markings
# (Government Security Classifications) and page numbers. Never a value, and
# never the end of one (a narrative runs on over a page break).
_FURNITURE = re.compile(
    r"^\s*(?:(?:official|restricted|secret|protect|not protectively marked)"
    r"(?:\s*[-–—]?\s*sensitive)?(?:\s*[-–—(]*\s*(?:when|after)\s+complet(?:e|ed|ion)\)?)?"
    r"|page\s+\d+(?:\s+of\s+\d+)?)\s*$",
    re.IGNORECASE,
)


def is_furniture(text: str) -> bool:
    return bool(text.strip()) and bool(_FURNITURE.match(text))


# Words a value may well start or end with: never trimmed as OCR noise.
_SHORT_WORDS = {
    "a", "an", "on", "in", "at", "to", "of", "is", "it", "by", "he", "we", "my", "no", "so", "or",
    "be", "do", "go", "up", "us", "me", "hi", "ok", "mr", "ms", "dr", "st", "rd", "the", "and", "she",
    "her", "his", "him", "one", "two", "six", "ten", "mum", "dad", "yes", "dk", "n/a", "mrs", "mx",
    "ave", "ln", "way", "flat", "age", "aka", "about", "not", "for", "has", "had", "was", "who",
}


def trim_ocr_noise(text: str) -> str:
    """Box edges and speckle that OCR reads as a short nonsense word before
    or after a value ("ee The young person", "| ; ce Una Nolan", "... cos").
    Only for OCR'd text, and only short tokens that are not words."""
    toks = text.split()

    def junk(t: str) -> bool:
        if not any(c.isalnum() for c in t):
            return True
        return len(t) <= 3 and t.isalpha() and t.islower() and t not in _SHORT_WORDS

    # Leading: up to three junk tokens, then a capital or a digit.
    for k in range(1, min(4, len(toks))):
        if all(junk(t) for t in toks[:k]) and (toks[k][:1].isupper() or toks[k][:1].isdigit()):
            toks = toks[k:]
            break
    # Trailing: junk after the end of a sentence or clause.
    for _ in range(3):
        if len(toks) > 1 and junk(toks[-1]) and (toks[-2][-1:] in ".,;" or not any(c.isalnum() for c in toks[-1])):
            toks.pop()
    out = " ".join(toks)
    return out.rstrip(" ,;") if out != text else out
