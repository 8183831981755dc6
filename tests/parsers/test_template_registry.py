"""The template registry: packaged TOML files, extra folders from settings,
and errors that name the file and key to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.config.settings import load_settings
from intake.parsers.parse import interpret, parse_document
from intake.parsers.templates import load_registry
from intake.parsers.templates.loader import load_file
from intake.types import Cell, Document, IntakeError, Layout, Paragraph, Table, sha256_hex

HERE = Path(__file__).resolve().parent
FORMS_MD_TEMPLATES = {"staffordshire_cse", "derbyshire_op_liberty", "met_mase_intel", "west_midlands_fib"}
CANONICAL = {
    "report_datetime", "submitter.name", "submitter.role", "submitter.agency", "submitter.contact",
    "witnessed_by", "third_party.is_third_party", "third_party.details", "third_party.willing_to_engage",
    "subject.name", "subject.age", "subject.dob", "subject.address", "incident.narrative", "incident.when",
    "incident.where", "incident.who", "incident.others_present", "incident.alleged_offenders",
    "source.details", "source.how_known", "source.others_aware", "source.last_known_true", "shared_with",
    "grading.source_reliability", "grading.information_accuracy", "licensed_premises.involved",
    "licensed_premises.name_address", "licensed_premises.concern",
}
# docs/forms.md, field lists per template.
EXPECTED_FIELDS = {
    "staffordshire_cse": {"report_datetime", "submitter.name", "submitter.role", "submitter.agency",
                          "submitter.contact", "witnessed_by", "subject.name", "subject.age",
                          "subject.address", "third_party.willing_to_engage", "incident.narrative"},
    "derbyshire_op_liberty": {"report_datetime", "submitter.name", "submitter.role", "submitter.agency",
                              "submitter.contact", "witnessed_by", "third_party.is_third_party",
                              "third_party.details", "third_party.willing_to_engage", "subject.name",
                              "subject.dob", "incident.narrative", "incident.others_present",
                              "incident.alleged_offenders", "shared_with"},
    "met_mase_intel": {"report_datetime", "submitter.name", "submitter.role", "submitter.agency",
                       "submitter.contact", "source.details", "incident.narrative", "incident.when",
                       "incident.where", "incident.who", "source.how_known", "source.others_aware",
                       "source.last_known_true"},
    "west_midlands_fib": {"report_datetime", "submitter.name", "submitter.role", "submitter.agency",
                          "submitter.contact", "witnessed_by", "grading.source_reliability",
                          "grading.information_accuracy", "third_party.willing_to_engage",
                          "licensed_premises.involved", "licensed_premises.name_address",
                          "licensed_premises.concern", "incident.narrative"},
}


def _site(tmp_path: Path, dirs: list[str]) -> object:
    cfg = tmp_path / "site.toml"
    cfg.write_text("[parsing]\ntemplate_dirs = [" + ", ".join(f'"{d}"' for d in dirs) + "]\n")
    return load_settings(cfg)


def test_packaged_templates_are_the_four_of_forms_md_with_its_fields():
    reg = load_registry()
    assert {t.id for t in reg.templates} == FORMS_MD_TEMPLATES
    for t in reg.templates:
        keys = {f.key for f in t.fields}
        assert keys == EXPECTED_FIELDS[t.id], t.id
        assert keys <= CANONICAL
        assert [f.key for f in t.fields if f.required] == ["incident.narrative"]
    assert reg.not_a_report.kinds, "not_a_report is defined as data"


def test_a_fifth_force_is_one_toml_file_in_a_configured_folder(tmp_path):
    settings = _site(tmp_path, [str(HERE / "extra_templates")])
    reg = load_registry(settings)
    assert reg.get("northshire_paisf") is not None
    rows = [("Originating officer / partner", "Sam Patel"), ("Organisation", "Northshire Youth Service"),
            ("Telephone", "01632 960123"), ("Subject of concern", "Kai Brown"),
            ("Risk category (CSE / CCE / Missing / Other)", "CCE"),
            ("Summary of information", "Kai is dropped at a flat on Station Road late at night."),
            ("Handling code", "P")]
    layout = Layout(blocks=[
        Paragraph("Northshire Constabulary – Partner Agency Information Sharing Form (PAISF v2)"),
        Table([[Cell(a), Cell(b)] for a, b in rows]),
    ], source="docx")
    out = interpret(layout, settings)
    assert out.status == "parsed"
    assert out.record.template == "northshire_paisf" and out.record.version == "2"
    f = out.record.fields
    assert f["submitter.name"].value == "Sam Patel"
    assert f["submitter.contact"].value == "01632 960123"
    assert f["subject.name"].value == "Kai Brown"
    assert f["incident.narrative"].value.startswith("Kai is dropped")
    # Without the folder the same document is a form nobody knows.
    assert interpret(layout, None).exception.code == "unknown_template"


def test_relative_template_dirs_are_relative_to_the_config_file(tmp_path):
    d = tmp_path / "forms"
    d.mkdir()
    (d / "x.toml").write_text((HERE / "extra_templates" / "northshire_paisf.toml").read_text())
    assert load_registry(_site(tmp_path, ["forms"])).get("northshire_paisf") is not None


def test_a_site_file_replaces_a_packaged_template_with_the_same_id(tmp_path):
    d = tmp_path / "site"
    d.mkdir()
    (d / "met.toml").write_text(
        'id = "met_mase_intel"\nversion = "4"\n[recognition]\ntitles = ["MASE"]\n'
        '[fields."incident.narrative"]\nlabels = ["Problem"]\nrequired = true\n')
    reg = load_registry(_site(tmp_path, [str(d)]))
    assert reg.get("met_mase_intel").version == "4"
    assert len(reg.templates) == 4


@pytest.mark.parametrize("body, what", [
    ('id = "x"\nversion = "1"\n[recognition]\ntitles=["X"]\n', "no [fields"),
    ('version = "1"\n[recognition]\ntitles=["X"]\n[fields.a]\nlabels=["A"]\n', "'id' is missing"),
    ('id = "x"\nversion = "1"\n[recognition]\ntitles=["X"]\n[fields.a]\nlabels=["A"]\ntype="colour"\n',
     "type 'colour'"),
    ('id = "x"\nversion = "1"\n[recognition]\ntitles=["X"]\n[fields.a]\nlabels=["A"]\ntype="grade"\n',
     "min < max"),
    ('id = "x"\nversion = "1"\n[recognition]\ntitles=["X"]\n[fields.a]\nlabels=["A"]\ntype="choice"\n',
     "two or more options"),
    ('id = "x"\nversion = "1"\n[fields.a]\nlabels=["A"]\n', "titles or labels"),
    ('id = "x"\nversion = "1"\n[recognition]\ntitles=["X"]\n[fields.a]\nlabels=[]\n', "at least one label"),
    ('id = "x"\nversion = "1"\n[recognition]\ntitles=["X"]\n[fields.a]\nlabels=["A"]\nsection="s"\n',
     "no [sections.s]"),
    ('id = "x"\nversion = \n', "not valid TOML"),
])
def test_a_broken_template_file_says_which_file_and_what_to_fix(tmp_path, body, what):
    p = tmp_path / "broken.toml"
    p.write_text(body)
    with pytest.raises(IntakeError) as err:
        load_file(p)
    assert err.value.code == "template_invalid"
    assert "broken.toml" in err.value.detail and what in err.value.detail


def test_a_missing_template_folder_is_reported_not_ignored(tmp_path):
    with pytest.raises(IntakeError) as err:
        load_registry(_site(tmp_path, ["no-such-folder"]))
    assert err.value.code == "template_invalid"


def test_a_broken_site_template_becomes_an_outcome_not_a_crash(tmp_path):
    d = tmp_path / "t"
    d.mkdir()
    (d / "bad.toml").write_text("id = ")
    data = b"A man called Jay waits at the school gates most evenings."
    doc = Document("body", None, "text/plain", sha256_hex(data), data)
    out = parse_document(doc, _site(tmp_path, [str(d)]))
    assert out.status == "exception" and out.exception.code == "template_invalid"
    assert "bad.toml" in out.exception.detail
