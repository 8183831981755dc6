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
