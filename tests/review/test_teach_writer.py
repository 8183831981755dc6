"""The site template a form taught from one example becomes: checked like a
hand-written one (canonical keys only, one field per label), written
atomically and privately inside the site's folder only, never over an
existing file unless asked, holding labels and never values; and it must
know its own form again without claiming the fixture forms of the packaged
templates."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from intake.config.settings import load_settings
from intake.parsers.templates import load_registry
from intake.parsers.templates.teach import candidates, claims, doc_score, steals, title_candidates
from intake.parsers.templates.writer import (
    NO_FOLDER,
    TeachError,
    make_draft,
    render,
    site_folder,
    slug,
    target_path,
    validate_text,
    write_file,
)
from intake.types import IntakeError
from tests.review.yos_form import FIRST, LABELS, SECOND, TITLE, make_docx

WHEN = datetime(2026, 3, 14, 11, 0, tzinfo=timezone.utc)
TID = "westmoor_yos_exploitation"


def _picks() -> dict[str, list[str]]:
    return {k: [v] for k, v in LABELS.items()}


def _text(**kw) -> str:
    d = make_draft(TID, "Westmoor YOS Exploitation Concern Form", [TITLE], kw.get("picks") or _picks(),
                   load_registry(None))
    return render(d, taught_by="adam", document_id="doc-123", when=WHEN)


def _first_text() -> str:
    """The stored text of the first filled form, as the pipeline keeps it."""
    return TITLE + "\nWestmoor Youth Offending Service.\n" + "\n".join(
        f"{label}\t{FIRST.value(key)}" for key, label in LABELS.items())


def test_the_file_has_labels_a_header_and_no_values():
    text = _text()
    tpl = validate_text(text, f"{TID}.toml")
    assert tpl.id == TID and tpl.field("subject.name").labels[0] == "Young person's full name"
    assert tpl.field("incident.narrative").required
    assert tpl.field("subject.dob").type == "date" and tpl.field("report_datetime").type == "datetime"
    assert tpl.titles == (TITLE,)
    head = text.split("\nid =")[0]
    assert "adam" in head and "doc-123" in head and "2026-03-14" in head
    for key in LABELS:
        v = FIRST.value(key)
        assert v not in text, key  # only printed labels, never what the form was filled with
    # Synonyms from the packaged templates, for a re-issued wording.
    assert "Date of birth" in tpl.field("subject.dob").labels


def test_labels_with_quotes_backslashes_and_control_characters_round_trip():
    picks = _picks()
    picks["subject.address"] = ['Home "usual" address \\ C:\\temp\x7f\x00']
    d = make_draft(TID, 'The "Westmoor" form\x00', [TITLE + "\x7f"], picks)
    tpl = validate_text(render(d, taught_by="adam", document_id="d", when=WHEN), "x.toml")
    assert tpl.field("subject.address").labels[0] == 'Home "usual" address \\ C:\\temp'
    assert tpl.name == 'The "Westmoor" form' and tpl.titles == (TITLE,)


def test_a_misspelt_key_is_refused_with_the_right_one_suggested():
    picks = _picks()
    picks["subject.nmae"] = picks.pop("subject.name")
    with pytest.raises(TeachError, match=r"subject\.nmae \(did you mean subject\.name\?\)"):
        make_draft(TID, "Westmoor", [TITLE], picks)
    # A hand-edited file with a misspelt key is refused by the same check.
    edited = _text().replace('[fields."subject.dob"]', '[fields."subject.dobb"]')
    with pytest.raises(IntakeError, match=r"subject\.dobb \(did you mean subject\.dob\?\)"):
        validate_text(edited, "x.toml")
    # ... and so is a misplaced key, by the loader's own check.
    with pytest.raises(IntakeError, match="unknown key"):
        validate_text(_text().replace('type = "date"', 'type = "date"\nlables = ["DOB"]'), "x.toml")


def test_one_label_for_two_fields_is_refused():
    picks = _picks()
    picks["subject.address"] = ["young person's FULL name:"]  # the same label once normalised
    with pytest.raises(TeachError, match="both subject.name and subject.address"):
        make_draft(TID, "Westmoor", [TITLE], picks)


def test_a_synonym_another_pick_owns_is_left_out():
    # "Contact details" is a packaged wording of submitter.contact; picked
    # here for the subject's address it must not also stay a contact synonym.
    picks = _picks()
    picks["subject.address"] = ["Contact details"]
    d = make_draft(TID, "Westmoor", [TITLE], picks, load_registry(None))
    assert "Contact details" not in d.synonyms.get("submitter.contact", [])
    tpl = validate_text(render(d, taught_by="a", document_id="d", when=WHEN), "x.toml")
    owners = {}
    for f in tpl.fields:
        for lab in f.labels:
            assert owners.setdefault(lab.lower(), f.key) == f.key, lab


def test_a_narrative_and_enough_cues_are_required():
    picks = _picks()
    del picks["incident.narrative"]
    with pytest.raises(TeachError, match="incident.narrative"):
        make_draft(TID, "Westmoor", [TITLE], picks)
    with pytest.raises(TeachError, match="title, or at least three labels"):
        make_draft(TID, "Westmoor", [], {"incident.narrative": ["Describe the exploitation concern"]})
    with pytest.raises(TeachError, match="label, not the value"):
        make_draft(TID, "Westmoor", [TITLE], {"incident.narrative": [FIRST.narrative * 2]})


@pytest.mark.parametrize("bad", ["../etc/passwd", "..", "a/b", "/abs", "x", "Upper", "with space", "a" * 61,
                                 "évil", "1starts_with_digit", "a\x00b"])
def test_names_that_could_leave_the_folder_are_refused(tmp_path, bad):
    with pytest.raises(TeachError):
        target_path(tmp_path, bad)
    with pytest.raises(TeachError):
        write_file(tmp_path, bad, _text())
    assert list(tmp_path.iterdir()) == []


def test_a_slug_is_always_a_safe_id():
    assert slug("../../etc/passwd") == "etc_passwd"
    assert slug("Youth Offending Service – Exploitation Concern Form") == \
        "youth_offending_service_exploitation_concern_form"
    assert slug("2024 form") == "form"


def test_writing_is_private_atomic_and_never_overwrites_unasked(tmp_path):
    text = _text()
    path = write_file(tmp_path, TID, text)
    assert path == tmp_path / f"{TID}.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == text
    with pytest.raises(TeachError, match="already exists"):
        write_file(tmp_path, TID, text.replace("Westmoor", "Other"))
    assert path.read_text() == text
    write_file(tmp_path, TID, text.replace("Westmoor", "Eastmoor"), overwrite=True)
    assert "Eastmoor" in path.read_text() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{TID}.toml"]  # no temporary file left
    # An invalid text is never written.
    with pytest.raises(IntakeError):
        write_file(tmp_path, "another_one", "id = 'x'\n")
    assert not (tmp_path / "another_one.toml").exists()


def test_without_a_writable_folder_the_site_is_told_what_to_configure(tmp_path):
    assert site_folder(load_settings()) is None
    assert "template_dirs" in NO_FOLDER and "[parsing]" in NO_FOLDER
    rw = tmp_path / "rw"
    rw.mkdir()
    assert site_folder(load_settings().updated("parsing", template_dirs=[str(rw)])) == rw
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        # (root can write anywhere: then the folder counts as writable)
        expected = ro if os.access(ro, os.W_OK) else None
        assert site_folder(load_settings().updated("parsing", template_dirs=[str(ro)])) == expected
    finally:
        ro.chmod(0o700)


def test_candidates_are_the_labels_and_title_lines():
    cands = candidates(_first_text())
    texts = [c.text for c in cands]
    for label in LABELS.values():
        assert label in texts
    assert next(c for c in cands if c.text == LABELS["subject.name"]).likely
    assert not next(c for c in cands if c.text == FIRST.subject_name).likely
    assert title_candidates(cands)[0].text == TITLE
    # "Label: value" on one line offers the label alone.
    assert [c.text for c in candidates("Referred by: Sam Hill")] == ["Referred by"]


def test_the_draft_knows_its_form_and_leaves_the_packaged_forms_alone():
    registry = load_registry(None)
    tpl = validate_text(_text(), "x.toml")
    assert doc_score(tpl, _first_text()) >= tpl.threshold
    assert claims(tpl, registry, _first_text())
    assert steals(tpl, registry) == []
    # A "template" made of Staffordshire's own labels would steal its forms.
    staffs = registry.get("staffordshire_cse")
    picks, seen = {}, set()
    for f in staffs.fields:
        if f.key in LABELS and f.labels[0].lower() not in seen:
            seen.add(f.labels[0].lower())
            picks[f.key] = [f.labels[0]]
    greedy = make_draft("greedy_one", "Greedy", list(staffs.titles), picks)
    greedy_tpl = validate_text(render(greedy, taught_by="a", document_id="d", when=WHEN), "g.toml")
    assert "staffordshire_cse" in [t for t, _ in steals(greedy_tpl, registry)]


def test_the_written_template_maps_another_copy_of_the_form(tmp_path):
    from intake.parsers.parse import parse_document
    from intake.types import Document, sha256_hex

    folder = tmp_path / "site"
    folder.mkdir()
    write_file(folder, TID, _text())
    settings = load_settings().updated("parsing", template_dirs=[str(folder)])
    data = make_docx(tmp_path / "second.docx", SECOND).read_bytes()
    doc = Document(kind="attachment", filename="second.docx", sha256=sha256_hex(data), data=data,
                   media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    before = parse_document(doc)
    assert before.exception is not None and before.exception.code == "unknown_template"
    out = parse_document(doc, settings)
    assert out.status == "parsed" and out.exception is None
    assert out.record.template == TID
    values = {k: fv.value for k, fv in out.record.fields.items()}
    assert values["subject.name"] == SECOND.subject_name
    assert values["subject.dob"] == "2009-09-11"
    assert values["report_datetime"] == "2026-03-21T15:45"
    assert values["incident.narrative"] == SECOND.narrative
    assert values["incident.alleged_offenders"] == SECOND.offenders


def test_the_fixture_forms_keep_their_templates(review_db_template, tmp_path):
    """Every fixture form of the review store parsed with and without the
    taught template: the same status, template and exception."""
    from intake.parsers import parse_document, sniff_media_type
    from intake.types import Document, sha256_hex

    folder = tmp_path / "site"
    folder.mkdir()
    write_file(folder, TID, _text())
    site = load_settings().updated("parsing", template_dirs=[str(folder)])
    forms = Path(review_db_template).parent / "forms"
    files = sorted(forms.glob("*.expected.json"))
    assert len(files) >= 20
    changed = []
    for e in files:
        exp = json.loads(e.read_text())
        p = forms / exp["document"]
        data = p.read_bytes()
        kind = "body" if exp.get("format") == "text" else "attachment"
        doc = Document(kind=kind, filename=p.name, sha256=sha256_hex(data), data=data,
                       media_type="text/plain" if kind == "body" else sniff_media_type(data, p.name))

        def key(o):
            return o.status, o.record.template if o.record else None, o.exception.code if o.exception else None

        a, b = key(parse_document(doc)), key(parse_document(doc, site))
        if a != b:
            changed.append((p.name, a, b))
    assert changed == []
