"""parse_document over real files: the blank force forms, forms filled by the
fixture generator (fixtures/make_forms.py) and re-saved through LibreOffice,
and every kind of read failure becoming an outcome."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import intake.parsers.parse as parse_mod
from intake.parsers import parse_document, sniff_media_type
from intake.types import Document, IntakeError, sha256_hex

REPO = Path(__file__).resolve().parents[2]
FORMS = REPO / "fixtures" / "blank_forms"  # the repo's copy of the blank forms (fixtures/README.md)
READ_FAILURES = {"corrupt_document", "encrypted_document", "unsupported_format"}
TEMPLATES = ["staffordshire_cse", "derbyshire_op_liberty", "met_mase_intel", "west_midlands_fib"]


def doc_for(path: Path, kind: str = "attachment") -> Document:
    data = path.read_bytes()
    media = "text/plain" if kind == "body" else sniff_media_type(data, path.name)
    return Document(kind, path.name, media, sha256_hex(data), data)


def same(have, want) -> bool:
    if isinstance(want, str) and isinstance(have, str):
        want = re.sub(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):00$", r"\1", " ".join(want.split()))
        return " ".join(have.split()) == want
    return have == want


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """Filled forms with ground truth, made once per session (quick mode:
    docx, text bodies and pypdf AcroForm PDFs; no LibreOffice)."""
    out = tmp_path_factory.mktemp("fixtures")
    subprocess.run([sys.executable, str(REPO / "fixtures" / "make_forms.py"), "--quick", "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    return out / "forms"


def expectations(folder: Path, fmt: str | None = None) -> list[dict]:
    exps = [json.loads(p.read_text()) for p in sorted(folder.glob("*.expected.json"))]
    return [e for e in exps if fmt is None or e["format"] == fmt]


@pytest.mark.parametrize("name", [f"{t}.docx" for t in TEMPLATES] + ["met_mase_intel.pdf"])
def test_a_blank_form_is_its_template_with_the_narrative_missing(name):
    out = parse_document(doc_for(FORMS / name))
    assert out.record is not None and out.record.template == name.split(".")[0]
    assert out.status == "exception" and out.exception.code == "missing_required_field"
    # Nothing on a blank form is taken for a value: no guidance, no hints.
    assert all(v.value is None for v in out.record.fields.values()), \
        {k: v.value for k, v in out.record.fields.items() if v.value is not None}


@pytest.mark.parametrize("fmt", ["docx", "acroform", "text"])
def test_every_generated_form_parses_to_its_ground_truth(generated, fmt):
    wrong = []
    # Read failures (damaged, encrypted) belong to the reader tests.
    exps = [e for e in expectations(generated, fmt) if e["expected_exception"] not in READ_FAILURES]
    assert exps
    for e in exps:
        out = parse_document(doc_for(generated / e["document"], "body" if fmt == "text" else "attachment"))
        assert out.status == e["expected_status"], e["fixture_id"]
        if e.get("expected_exception"):
            assert out.exception.code == e["expected_exception"], e["fixture_id"]
        if e["template"]:
            assert out.record.template == e["template"], e["fixture_id"]
        for key, want in (e.get("fields") or {}).items():
            have = out.record.fields[key].value if key in out.record.fields else None
            if not same(have, want):
                wrong.append((e["fixture_id"], key))
    assert wrong == []


def test_generated_non_reports_and_unknown_forms(generated):
    by_id = {e["fixture_id"]: e for e in expectations(generated)}
    for fid in ("s116-hotel-notice-docx", "guidance-leaflet-docx", "signature-logo-png", "unknown-form-docx"):
        e = by_id[fid]
        out = parse_document(doc_for(generated / e["document"]))
        assert out.status == e["expected_status"], fid
        if e.get("expected_exception"):
            assert out.exception.code == e["expected_exception"]


def test_every_filled_field_keeps_its_raw_text_and_where_it_came_from(generated):
    e = next(x for x in expectations(generated, "docx") if x["fixture_id"] == "derbyshire_op_liberty-standard-docx")
    out = parse_document(doc_for(generated / e["document"]))
    for key, fv in out.record.fields.items():
        if fv.value is None:
            continue
        assert fv.raw, key
        assert fv.provenance.source == "docx", key
    # Values typed into legacy fields say which field.
    assert out.record.fields["subject.name"].provenance.field


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_the_same_forms_resaved_as_pdf_and_doc(generated, tmp_path):
    sys.path.insert(0, str(REPO / "fixtures"))
    from formgen.convert import soffice_convert

    exps = [e for e in expectations(generated, "docx") if e["variant"] == "standard" and e["template"] in TEMPLATES
            and not e["fixture_id"].endswith("-copy-docx")]
    exps = {e["template"]: e for e in exps}.values()
    files = [generated / e["document"] for e in exps]
    right = total = 0
    for target in ("pdf", "doc"):
        converted = soffice_convert(files, target, tmp_path / target)
        for e, src in zip(exps, files):
            out = parse_document(doc_for(converted[src]))
            assert out.record is not None and out.record.template == e["template"], (target, e["fixture_id"])
            for key, want in e["fields"].items():
                total += 1
                right += same(out.record.fields[key].value, want)
    # Legacy check boxes do not survive LibreOffice's PDF export as text;
    # everything else should.
    assert right / total >= 0.95, f"{right}/{total}"


def test_a_damaged_file_is_an_exception_from_the_reader(tmp_path):
    data = (FORMS / "staffordshire_cse.docx").read_bytes()[:5000]
    out = parse_document(Document("attachment", "x.docx",
                                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                  sha256_hex(data), data))
    assert out.status == "exception" and out.exception.code and out.exception.detail
    assert out.record is None


def test_an_unsupported_format_is_an_exception():
    data = b"GIF89a" + bytes(100)
    out = parse_document(Document("attachment", "x.bin", "application/x-unknown", sha256_hex(data), data))
    assert out.status == "exception" and out.exception.code == "unsupported_format"


def test_a_reader_error_becomes_its_code(monkeypatch):
    def fail(doc, settings):
        raise IntakeError("encrypted_document", "The PDF needs a password; ask the sender.")

    monkeypatch.setattr(parse_mod, "_read", fail)
    out = parse_document(doc_for(FORMS / "met_mase_intel.pdf"))
    assert (out.status, out.exception.code) == ("exception", "encrypted_document")


@pytest.mark.parametrize("where", ["_read", "map_layout"])
def test_a_bug_anywhere_becomes_parser_error_without_content(monkeypatch, caplog, where):
    # A bug we cannot cause with a real file: inject it. The analysis stage
    # is the one boundary that turns a fault into parser_error.
    from intake.analysis.analyse import analyse_document

    def boom(*a, **k):
        raise ValueError("Kai Brown lives at 1 Mill Lane")

    monkeypatch.setattr(parse_mod, where, boom)
    with caplog.at_level("DEBUG"):
        out = analyse_document(doc_for(FORMS / "staffordshire_cse.docx"), None).outcome
    assert out.status == "exception" and out.exception.code == "parser_error"
    assert "ValueError" in out.exception.detail and "Kai" not in out.exception.detail
    assert "ValueError" in caplog.text and "Kai" not in caplog.text and "Mill Lane" not in caplog.text


def test_an_email_body_is_free_text(tmp_path):
    p = tmp_path / "body.txt"
    p.write_text("Hi,\n\nKai (15) is being picked up from school by a man called Jay in a black Audi "
                 "AB12 CDE.\n\nSam Patel\nYouth Worker\n07700 900123\n")
    out = parse_document(doc_for(p, "body"))
    assert out.status == "parsed" and out.record.template == "free_text"
    assert out.record.fields["incident.narrative"].value.startswith("Hi, Kai (15) is being picked up")
    assert "Jay" in out.text
