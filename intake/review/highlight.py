"""A field's text cut into plain runs and entity mentions, for the page to
mark up (the template escapes every run; nothing here builds HTML)."""

from __future__ import annotations


def segments(text: str, mentions) -> list[tuple[str, object | None]]:
    """[(run, mention or None)] covering ``text`` in order. A mention whose
    offsets no longer fit the text (the field was corrected since) or that
    overlaps an earlier one is left out rather than misplaced."""
    out: list[tuple[str, object | None]] = []
    pos = 0
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start < pos or m.end > len(text) or text[m.start:m.end] != m.text:
            continue
        if m.start > pos:
            out.append((text[pos:m.start], None))
        out.append((text[m.start:m.end], m))
        pos = m.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out
