"""A PDF table's cells find their words through WordsByHeight: the same
words, in the same order, as looking at every word for every cell."""

from __future__ import annotations

import random

import pytest

from intake.parsers.support.words import Word, WordsByHeight


def _scan(words, x0, top, x1, bottom):
    return [w for w in words if x0 <= w.cx <= x1 and top <= w.cy <= bottom]


@pytest.mark.parametrize("seed", range(10))
def test_cells_get_the_words_a_full_scan_gives(seed):
    rng = random.Random(seed)
    words = []
    for i in range(rng.choice([0, 1, 30, 300])):
        x0, top = rng.choice([10.0, 50.0, rng.uniform(0, 500)]), rng.choice([100.0, 112.0, rng.uniform(0, 800)])
        words.append(Word(f"w{i}", x0, x0 + rng.uniform(0, 60), top, top + rng.choice([0.0, 10.0, 12.0])))
    lookup = WordsByHeight(words)
    for _ in range(50):
        x0, top = rng.uniform(-10, 500), rng.choice([100.0, 105.0, rng.uniform(-10, 800)])
        box = (x0, top, x0 + rng.uniform(0, 300), top + rng.choice([0.0, 7.0, 11.0, 200.0]))
        assert lookup(*box) == _scan(words, *box)


def test_a_nan_coordinate_falls_back_to_the_scan():
    nan = float("nan")
    words = [Word("a", 0, 10, 0, 10), Word("b", 0, 10, nan, 10), Word("c", 0, 10, 5, 15)]
    lookup = WordsByHeight(words)
    assert lookup(0, 0, 20, 20) == _scan(words, 0, 0, 20, 20)
    assert lookup(0, nan, 20, 20) == _scan(words, 0, nan, 20, 20) == []
