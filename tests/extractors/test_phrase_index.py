from hypothesis import given, settings
from hypothesis import strategies as st

from intake.extractors.gazetteer import PhraseIndex


def hits(index, text):
    return [(text[s:e], p) for s, e, p in index.finditer(text)]


def test_longest_phrase_wins_and_spacing_and_hyphens_are_equal():
    idx = PhraseIndex({"snap chat": ["a"], "snap": ["b"], "crack cocaine": ["c"]})
    assert hits(idx, "on Snap-Chat and snap  chat") == [("Snap-Chat", ["a"]), ("snap  chat", ["a"])]
    assert hits(idx, "crack cocaine, crack") == [("crack cocaine", ["c"])]


def test_no_match_inside_handles_hashtags_or_hyphenated_words():
    idx = PhraseIndex({"weed": ["w"]})
    assert hits(idx, "@weed #weed non-weed weed-free weed's") == []
    assert hits(idx, "weed. Weed, (weed)") == [("weed", ["w"]), ("Weed", ["w"]), ("weed", ["w"])]


def _every_length(index, text, spans, words, i):
    """match_at as first written: every phrase length tried at every token."""
    import re

    join = re.compile(r"[ \t\-]+")
    longest = index.max_n if words[i] in index.first_words else 1
    for n in range(min(longest, len(spans) - i), 0, -1):
        if n > 1 and any(not join.fullmatch(text, spans[j][1], spans[j + 1][0]) for j in range(i, i + n - 1)):
            continue
        payloads = index.map.get(" ".join(words[i:i + n]))
        e = spans[i + n - 1][1]
        if payloads is None:
            continue
        if e < len(text) and (text[e] in "@'’" or (text[e] == "-" and text[e + 1:e + 2].isalnum())):
            continue
        return n, e, payloads
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["snap", "chat", "Snap", "crack", "cocaine", "red", "ford", "focus", "the",
                                 "-", " ", "  ", "\t", "@", "#", "'s", ".", ",", "x"]), max_size=30))
def test_lookups_skip_only_tokens_no_phrase_starts_with(parts):
    """finditer and match_at find what trying every length at every token
    finds, with the tokens shared between indexes of one text."""
    text = "".join(parts)
    first = PhraseIndex({"snap chat": ["a"], "snap": ["b"], "crack cocaine": ["c"]})
    second = PhraseIndex({"red ford focus": ["v"], "ford": ["m"], "focus": ["o"]})
    for idx in (first, second, first):
        assert idx.tokens(text + " Zz")[1][-1:] == ["zz"]  # another text: its own tokens
        spans, words = idx.tokens(text)
        assert words == [text[s:e].lower() for s, e in spans]
        want = [(spans[i][0], hit[1], hit[2]) for i in range(len(spans))
                if not (spans[i][0] and text[spans[i][0] - 1] in "@#/-'’")
                for hit in [_every_length(idx, text, spans, words, i)] if hit]
        assert list(idx.finditer(text)) == want
        assert [idx.match_at(text, spans, words, i) for i in range(len(spans))] == \
            [_every_length(idx, text, spans, words, i) for i in range(len(spans))]
