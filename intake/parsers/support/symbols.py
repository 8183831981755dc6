"""Symbol-font characters → the Unicode a reader expects. Word's Wingdings
tick boxes and Symbol bullets sit at private code points (U+F0xx) or at
plain letters ("þ" is a ticked box in Wingdings); mapped, a ticked
Wingdings box reads as a tick like any other."""

from __future__ import annotations

from functools import lru_cache

_FONTS = {
    "wingdings": {0xFE: "\u2611", 0xFD: "\u2612", 0xA8: "\u2610", 0x6F: "\u2610",
                  0x71: "\u2610", 0xFC: "\u2713", 0xFB: "\u2717", 0x78: "\u2612",
                  0x9F: "\u2022", 0xA7: "\u25aa", 0xD8: "\u27a2"},
    "wingdings 2": {0x52: "\u2611", 0x54: "\u2612", 0x53: "\u2612", 0xA3: "\u2610",
                    0x50: "\u2713", 0x4F: "\u2717", 0x51: "\u2717", 0x2A: "\u2610"},
    "symbol": {0xB7: "\u2022"},
}


@lru_cache(maxsize=1024)  # a page's words share a handful of font names
def _family(font: str | None) -> str | None:
    if not font:
        return None
    name = font.lower().split("+")[-1].replace("-", " ").replace(",", " ")
    for family in ("wingdings 2", "wingdings", "symbol"):
        if name.startswith(family) or name.replace(" ", "").startswith(family.replace(" ", "")):
            return family
    return None


def map_symbol(font: str | None, ch: str) -> str:
    family = _family(font)
    code = ord(ch)
    private = 0xF000 <= code <= 0xF0FF
    if family is None:
        # A private-use bullet with no font name left is still a bullet.
        return "\u2022" if code == 0xF0B7 else ch
    if private:
        code -= 0xF000
    return _FONTS[family].get(code, ch)


SOFT_HYPHEN = "\u00ad"


def map_text(font: str | None, text: str) -> str:
    """Text of a run or word as a reader expects it: symbol-font ticks and
    bullets mapped, soft hyphens (invisible unless a line breaks at them,
    often pasted in from Word) dropped."""
    if SOFT_HYPHEN in text:
        text = text.replace(SOFT_HYPHEN, "")
    if _family(font) is None and "\uf0b7" not in text:
        return text
    return "".join(map_symbol(font, ch) for ch in text)
