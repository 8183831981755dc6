"""Detection: which template, or not a report, or a form we do not know, or
free text. Run over the real seed documents where they fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.parsers.parse import interpret
from intake.parsers.templates import build_doc, detect, load_registry
from intake.types import Cell, Layout, Paragraph, Table

# The forces' guidance documents, outside the repository (fixtures/README.md); skipped without them.
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="seed documents not on this machine")


def paras(text: str) -> Layout:
    return Layout(blocks=[Paragraph(t) for t in text.split("\n")], source="text")


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def section(text: str, start: str, end: str | None = None) -> str:
    a = text.index(start)
    b = text.index(end, a) if end else len(text)
    return text[a:b]


@needs_seeds
def test_section_116_hotel_notice_is_not_a_report():
    wm = seed("west-midlands-cse-disruption-toolkit.txt")
    notice = section(wm, "RESTRICTED after completion", "6. Section 116 (7)")
    out = interpret(paras(notice))
    assert out.status == "not_a_report"
    assert any("section_116" in n for n in out.record.notes)


@needs_seeds
@pytest.mark.parametrize("name", ["met-police-guidance-on-intelligence-sharing.txt",
                                  "npcc-capturing-and-reporting-intelligence-guidance.txt"])
def test_guidance_leaflets_are_not_reports(name):
    # The Met guidance carries a worked Problem/When/Where/... example that
    # looks like a filled form: the leaflet's own phrases overrule that.
    assert interpret(paras(seed(name))).status == "not_a_report"


@needs_seeds
def test_the_disruption_toolkit_with_a_blank_form_inside_is_not_a_report():
    assert interpret(paras(seed("west-midlands-cse-disruption-toolkit.txt"))).status == "not_a_report"


@needs_seeds
@pytest.mark.parametrize("name, tid", [
    ("staffordshire-cse-information-report.txt", "staffordshire_cse"),
    ("derbyshire-operation-liberty-information-report.txt", "derbyshire_op_liberty"),
])
def test_seed_forms_are_recognised(name, tid):
    det = detect(build_doc(paras(seed(name))), load_registry())
    assert det.kind == "template" and det.template.id == tid


@needs_seeds
def test_the_fib_form_of_appendix_1_is_recognised():
    form = section(seed("west-midlands-cse-disruption-toolkit.txt"), " Appendix 1", "Appendix 2")
    det = detect(build_doc(paras(form)), load_registry())
    assert det.template.id == "west_midlands_fib"
    assert dict(det.scores)["west_midlands_fib"] > dict(det.scores)["staffordshire_cse"]


def test_an_unknown_form_is_an_exception_with_the_candidates():
    rows = [("Originating officer / partner", "Sam Patel"), ("Organisation", "Youth Service"),
            ("Telephone", "01632 960123"), ("Subject of concern", "Kai Brown"),
            ("Summary of information", "Seen at a flat on Station Road."), ("Handling code", "P")]
    layout = Layout(blocks=[Paragraph("Northshire Constabulary – Partner Agency Information Sharing Form"),
                            Table([[Cell(a), Cell(b)] for a, b in rows])], source="docx")
    out = interpret(layout)
    assert out.status == "exception" and out.exception.code == "unknown_template"
    for tid in ("staffordshire_cse", "derbyshire_op_liberty", "met_mase_intel", "west_midlands_fib"):
        assert tid in out.exception.detail
    # The detail names templates and scores, never the form's content.
    assert "Sam Patel" not in out.exception.detail and "Kai Brown" not in out.exception.detail


def test_prose_without_form_structure_is_free_text():
    text = ("Hi, I work at the youth club. Kai (15) told staff on Friday that a man called Jay "
            "picks her up in a black Audi AB12 CDE and takes her to a flat on Mill Lane.\nThanks, Sam")
    out = interpret(paras(text))
    assert out.status == "parsed" and out.record.template == "free_text"
    assert "black Audi" in out.record.fields["incident.narrative"].value
    assert out.text == text


@pytest.mark.parametrize("layout", [
    Layout(blocks=[], source="ocr", ocr=True),  # a logo with no text
    Layout(blocks=[Paragraph("Sent from my iPhone")], source="ocr", ocr=True),
    Layout(blocks=[Table([[Cell(""), Cell("")]])], source="docx"),
])
def test_no_text_to_speak_of_is_not_a_report(layout):
    assert interpret(layout).status == "not_a_report"


def test_a_body_with_the_form_labels_pasted_in_is_read_as_that_form():
    body = ("Date/Time of report: 04/03/2026 14:30\nDetails of Professional submitting:\nName: Sam Patel\n"
            "Post / Job Title: Youth worker\nAgency: Northfield Youth Club\nContact Details: 07700 900123\n"
            "Details of Child/Young Person (if known):\nName: Kai Brown\nAge: 15\nAddress: 1 Mill Lane, B5 6FP\n"
            "If the information is from a 3rd party would they be willing to engage with the Police? No\n"
            "Please provide information: Kai is picked up by a man called Jay in a black Audi.")
    out = interpret(paras(body), is_body=True)
    assert out.status == "parsed" and out.record.template == "staffordshire_cse"
    f = out.record.fields
    assert f["report_datetime"].value == "2026-03-04T14:30"
    assert f["submitter.name"].value == "Sam Patel" and f["subject.name"].value == "Kai Brown"
    assert f["subject.age"].value == 15
    assert f["third_party.willing_to_engage"].value is False
    assert f["incident.narrative"].value == "Kai is picked up by a man called Jay in a black Audi."


def test_a_body_that_only_looks_like_a_form_is_still_free_text():
    body = "Name: Kai\nAge: 15\nWhere: the park\nWho: a man called Jay\nCar: black Audi"
    out = interpret(paras(body), is_body=True)
    assert out.status == "parsed" and out.record.template == "free_text"
