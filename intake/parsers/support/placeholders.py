"""What an untouched form shows instead of a value. A reader reports these
as empty, so a template never mistakes "Click here to enter text." or a
dotted line for what the submitter wrote."""

from __future__ import annotations

import re

# Word's placeholder sentences for content controls, across versions.
_PLACEHOLDER_SENTENCES = re.compile(
    r"^\s*(click|tap|click or tap)( here)? to enter (a |the )?(text|date)\.?\s*$"
    r"|^\s*choose an item\.?\s*$"
    r"|^\s*(click|tap|click or tap)( here)? (to|and) (enter|type|add)\b.{0,30}$"
    r"|^\s*enter (text|a date) here\.?\s*$",
    re.IGNORECASE,
)

# Fill-in leaders: runs of dots, ellipses or underscores a form leaves for
# handwriting. Three or more, so the end of a sentence ("...") in a
# narrative survives when it is followed by more words.
LEADER = re.compile(r"(?:[.\u2026_]\s?){4,}|\u2026{2,}|_{3,}")

# Characters that fill a legacy FORMTEXT field nobody typed into (five
# U+2002 en spaces), or that are just layout.
_BLANKS = "\u2002\u2003\u2000\u2001\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u00a0\u200b\ufeff"


def is_placeholder(text: str | None) -> bool:
    """True when the text is nothing but blanks, leaders or a placeholder
    sentence."""
    if text is None:
        return True
    stripped = text.strip().strip(_BLANKS).strip()
    if not stripped:
        return True
    if not LEADER.sub("", stripped).strip(" \t\n.\u2026_:" + _BLANKS):
        return True
    return bool(_PLACEHOLDER_SENTENCES.match(stripped))


def clean_value(text: str | None) -> str | None:
    """A field's value, or None when it is a placeholder."""
    if is_placeholder(text):
        return None
    assert text is not None
    # A soft hyphen pasted into a form field is invisible: not part of the value.
    return text.replace("\u00ad", "").strip().strip(_BLANKS).strip()


# Word's placeholder sentence printed into running text (a PDF or scan of
# an untouched content control).
_INLINE_PLACEHOLDER = re.compile(
    r"\b(?:click|tap|click or tap) (?:here )?to enter (?:a |the )?(?:text|date)\.|\bchoose an item\.",
    re.IGNORECASE,
)


def strip_leaders(text: str) -> str:
    """Drop fill-in leaders and placeholder sentences from running text (a
    label followed by a dotted line keeps the label), leaving one space
    where they were."""
    if not LEADER.search(text) and not _INLINE_PLACEHOLDER.search(text):
        return text
    out = _INLINE_PLACEHOLDER.sub(" ", LEADER.sub(" ", text))
    return re.sub(r"[ \t]{2,}", " ", out)


def text_with_fields(pieces: list, clean=strip_leaders) -> tuple[str, list]:
    """A paragraph's text from its pieces, in order: plain text (``clean``ed:
    fill-in leaders dropped) or a form field with the text it shows, as
    ``(FormField, rendered)``. Sets each field's offsets in the text, then
    strips outer white space keeping the offsets on the same characters.
    The Word and HTML readers both build paragraphs this way."""
    merged: list = []
    for p in pieces:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        else:
            merged.append(p)
    text = ""
    fields: list = []
    for p in merged:
        if isinstance(p, str):
            text += clean(p)
        else:
            ff, rendered = p
            ff.start = len(text)
            text += rendered
            ff.end = len(text)
            fields.append(ff)
    return trim_fields(text, fields)


def trim_fields(text: str, fields: list) -> tuple[str, list]:
    """``text`` stripped of outer white space, and the fields' offsets moved
    to keep pointing at the same characters."""
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    for ff in fields:
        if ff.start is not None:
            ff.start = min(max(0, ff.start - lead), len(stripped))
            ff.end = min(max(ff.start, (ff.end or 0) - lead), len(stripped))
    return stripped, fields
