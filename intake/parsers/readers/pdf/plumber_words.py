"""pdfplumber's word grouping (``WordExtractor.extract_words``) for the one
setting the PDF reader asks for: default tolerances and directions, blank
characters dropped, lines clustered (no text flow), no split at
punctuation, ligatures expanded, ``fontname`` and ``size`` carried.

pdfplumber's extractor is written for every setting (either direction,
ratios, punctuation, text flow), and its per-character generators and
method calls were a fifth of reading a text-layer PDF. This is the same
algorithm, step by step and in the same order (clusters, stable sorts,
first-found minima), so its words are pdfplumber's exactly;
tests/parsers/test_plumber_words.py holds the two side by side. Any other
setting goes to pdfplumber itself (``page.extract_words``)."""

from __future__ import annotations

import itertools
from operator import itemgetter

from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES

# The keyword arguments this module answers for; anything else is pdfplumber's.
SETTINGS = {"keep_blank_chars": False, "use_text_flow": False, "extra_attrs": ["fontname", "size"]}

_GROUP_KEY = itemgetter("upright", "fontname", "size")


def _clusters(chars: list[dict], key: str, tolerance: float) -> list[list[dict]]:
    """pdfplumber's cluster_objects(chars, key, tolerance): values within
    ``tolerance`` of the previous one (sorted, distinct) share a cluster;
    the characters of a cluster keep their order."""
    xs = sorted(set(c[key] for c in chars))
    ids: dict = {}
    if tolerance == 0 or len(xs) < 2:
        for i, x in enumerate(xs):
            ids[x] = i
    else:
        group = 0
        last = xs[0]
        ids[last] = 0
        for x in xs[1:]:
            if not x <= last + tolerance:
                group += 1
            ids[x] = group
            last = x
    keyed = sorted(((c, ids.get(c[key])) for c in chars), key=itemgetter(1))
    return [[c for c, _ in run] for _, run in itertools.groupby(keyed, key=itemgetter(1))]


def _word(chars: list[dict], direction: str) -> dict:
    """pdfplumber's merge_chars."""
    first = chars[0]
    x0 = min([c["x0"] for c in chars])
    top = min([c["top"] for c in chars])
    x1 = max([c["x1"] for c in chars])
    bottom = max([c["bottom"] for c in chars])
    expand = LIGATURES.get
    return {
        "text": "".join([expand(c["text"], c["text"] or "") for c in chars]),
        "x0": x0,
        "x1": x1,
        "top": top,
        "doctop": top + (first["doctop"] - first["top"]),
        "bottom": bottom,
        "upright": first["upright"],
        "height": bottom - top,
        "width": x1 - x0,
        "direction": direction,
        "fontname": first["fontname"],
        "size": first["size"],
    }


def extract_words(chars: list[dict]) -> list[dict]:
    xt, yt = DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE
    words: list[dict] = []
    for _, group in itertools.groupby(chars, _GROUP_KEY):
        group = list(group)
        if group[0]["upright"]:
            # lines top to bottom, characters left to right
            line_key, line_tol, direction = "top", yt, "ltr"
            along, lo, hi, across, along_tol, across_tol = "x0", "x0", "x1", "top", xt, yt
        else:
            # turned text: lines left to right, characters top to bottom
            line_key, line_tol, direction = "x0", xt, "ttb"
            along, lo, hi, across, along_tol, across_tol = "top", "top", "bottom", "x0", yt, xt
        sort_key = (lambda c: (c["x0"], c["x0"])) if direction == "ltr" else (lambda c: (c["top"], c["bottom"]))
        for line in _clusters(group, line_key, line_tol):
            current: list[dict] = []
            for char in sorted(line, key=sort_key):
                text = char["text"]
                if text.isspace():
                    if current:
                        words.append(_word(current, direction))
                    current = []
                elif text == "":
                    # pdfplumber's "text in split_at_punctuation" with no
                    # punctuation given: "" is in "", so an empty
                    # character is a word of its own.
                    if current:
                        words.append(_word(current, direction))
                    words.append(_word([char], direction))
                    current = []
                elif current:
                    prev = current[-1]
                    if (char[along] < prev[lo] or char[along] > prev[hi] + along_tol
                            or abs(char[across] - prev[across]) > across_tol):
                        words.append(_word(current, direction))
                        current = [char]
                    else:
                        current.append(char)
                else:
                    current.append(char)
            if current:
                words.append(_word(current, direction))
    return words
