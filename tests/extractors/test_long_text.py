"""Long text goes through the model in bounded pieces without losing or
shifting anything (a 1 MB body once took 3.9 GB)."""

from datetime import date

from intake.extractors import nlp
from intake.extractors.extract import extract_text_fields


def test_chunks_cover_the_text_exactly_and_cut_at_boundaries():
    text = ("Kyle Mensah was seen in Hackney with Aisha. " * 400) + ("x" * 12_000) + " end.\nLast line"
    chunks = nlp._chunks(text, 5_000)
    assert "".join(c for _, c in chunks) == text
    assert all(len(c) <= 5_000 for _, c in chunks)
    assert [off for off, _ in chunks] == [sum(len(c) for _, c in chunks[:i]) for i in range(len(chunks))]
    # prose is cut after a sentence, never inside a name
    assert all(c.endswith(". ") for _, c in chunks[:3])


def test_batch_is_capped_by_the_character_budget():
    assert nlp.batch_size_for(64, 5_000, 160_000) == 32
    assert nlp.batch_size_for(8, 5_000, 160_000) == 8
    assert nlp.batch_size_for(64, 500_000, 160_000) == 1


def test_model_mentions_deep_in_a_long_field_keep_their_offsets():
    filler = "Staff will continue to build trust with her and keep the school informed. "
    text = filler * 3_000 + "Later Tyrone Walker was seen at Walsall bus station. " + filler * 50
    ms = extract_text_fields({"incident.narrative": text}, date(2026, 3, 12), {})
    people = [m for m in ms if m.type == "PERSON"]
    assert [m.value for m in people] == ["Tyrone Walker"]
    m = people[0]
    assert text[m.start:m.end] == "Tyrone Walker" and m.start > 200_000
