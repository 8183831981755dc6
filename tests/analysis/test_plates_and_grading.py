"""Plates of interest (CSV for an ANPR hotlist or a PNC check) and the 3x5x2
suggestion: a suggestion with reasons, never a grading, in the export."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from intake import cli
from intake.store.export import write_jsonl
from intake.store.grading_suggestion import suggest
from intake.store.models import AuditEntry
from intake.store.plates import write_plates_csv
from intake.store.recurrence import Recurrence, SharedEntity


def test_plates_csv_lists_each_plate_with_reports_agencies_vehicle_and_last_seen(analysis_store):
    with analysis_store.session() as s:
        buf = io.StringIO()
        n = write_plates_csv(s, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert n == len(rows) == 1
    row = rows[0]
    assert row["vrm"] == "AB12CDE" and row["partial"] == "false"
    assert (row["reports"], row["agencies"]) == ("3", "3")
    assert row["vehicle_descriptions"] == "silver vauxhall astra"
    assert (row["first_seen"], row["last_seen"]) == ("2026-03-02", "2026-03-09")
    assert len(row["report_ids"].split("; ")) == 3 and row["entity_id"].startswith("ent_")


def test_intake_export_plates_and_the_button_give_the_same_csv(analysis_settings, analysis_store, analyst, tmp_path,
                                                               capsys):
    url = analysis_settings.raw["store"]["url"]
    out = tmp_path / "plates.csv"
    assert cli.main(["export", "--plates", "-o", str(out), "--db", url]) == 0
    from_cli = out.read_text()
    r = analyst.get("/analysis/plates.csv")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    assert r.text.replace("\r\n", "\n") == from_cli.replace("\r\n", "\n")
    assert from_cli.splitlines()[0].startswith("vrm,partial,fits_full_plates,reports,agencies")
    with analysis_store.session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.action.in_(("export", "plates.exported")))).all()
    assert sorted(actions) == ["export", "plates.exported"]


def _shared(type_, display, other_agencies):
    return SharedEntity("ent_x", type_, display, 1, 1, other_agencies)


def test_a_named_professional_who_saw_it_suggests_1_a():
    fields = {"submitter.name": "Pat Jones", "submitter.agency": "Riverside Academy", "witnessed_by": "professional",
              "third_party.is_third_party": False, "incident.narrative": "Kayleigh got into a car."}
    g = suggest(fields)
    assert (g["source_evaluation"], g["intelligence_assessment"]) == ("1", "A")
    assert g["reasons"] and "not a grading" in g["note"] and "evaluator" in g["note"]


def test_second_hand_is_c_and_corroboration_by_another_agency_makes_it_b():
    fields = {"incident.narrative": "Her friend told me that a man called Darren drives her to a hotel."}
    alone = suggest(fields, Recurrence(1))
    assert alone["intelligence_assessment"] == "C" and "known second-hand" in " ".join(alone["reasons"])
    same_agency = suggest(fields, Recurrence(1, shared=[_shared("PERSON", "Darren", 0)]))
    assert same_agency["intelligence_assessment"] == "C"
    shop_only = suggest(fields, Recurrence(1, shared=[_shared("ORGANISATION", "Asda", 2)]))
    assert shop_only["intelligence_assessment"] == "C"  # a shared shop name corroborates nothing
    corroborated = suggest(fields, Recurrence(1, shared=[_shared("VRM", "AB12CDE", 1)]))
    assert corroborated["intelligence_assessment"] == "B" and "AB12CDE" in " ".join(corroborated["reasons"])


def test_negated_first_hand_words_do_not_count_and_doubt_suggests_e():
    assert suggest({"source.how_known": "I did not see it myself"})["intelligence_assessment"] == "D"
    assert suggest({"source.how_known": "I saw them at the door"})["intelligence_assessment"] == "A"
    assert suggest({"incident.narrative": "Mum thinks the account may be false."})["intelligence_assessment"] == "E"
    assert suggest({"grading.information_accuracy": 1})["intelligence_assessment"] == "E"
    assert suggest({"grading.source_reliability": 1})["source_evaluation"] == "3"
    g = suggest({"witnessed_by": "member_of_public", "third_party.is_third_party": True})
    assert g["source_evaluation"] == "2"


def test_the_export_carries_the_suggestion_and_leaves_the_forms_numbers_alone(analysis_store):
    with analysis_store.session() as s:
        buf = io.StringIO()
        write_jsonl(s, buf)
    objs = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert len(objs) == 5
    for o in objs:
        g = o["grading_suggestion"]
        assert set(g) >= {"source_evaluation", "intelligence_assessment", "reasons", "note"}
        assert g["source_evaluation"] in ("1", "2", "3") and g["intelligence_assessment"] in "ABCDE"
        assert not any(k.startswith("grading.") for k in o["fields"])  # free text: nothing invented
    def of(words):
        return next(o["grading_suggestion"] for o in objs if words in o["fields"]["incident.narrative"])

    assert of("I saw Kayleigh")["intelligence_assessment"] == "A"
    assert of("Jade Wilson aged 13")["intelligence_assessment"] == "B"  # "told me", and a plate another agency saw
    assert of("Mother reports")["intelligence_assessment"] == "C"


def test_the_partial_shows_a_suggestion_for_the_evaluator_with_its_reasons():
    from intake.review.app import _templates

    g = suggest({"incident.narrative": "Her friend told me he drives a silver Astra."})
    html = _templates().get_template("_grading_suggestion.html").render(gs=g)
    assert "for the evaluator, not a grading" in html
    assert "Intelligence C (known indirectly)" in html and "Source 2 (untested)" in html
    assert "known second-hand" in html
    assert _templates().get_template("_grading_suggestion.html").render(gs=None).strip() == ""
