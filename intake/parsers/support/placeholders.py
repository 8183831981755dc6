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
