"""Where a value came from, on the page: each field's box on the
page image lands where the value is printed, for a PDF's text layer, an
AcroForm, a scan read by OCR and a Word form shown through LibreOffice's
PDF. The ground truth comes from other tools than the ones under test:
pdfplumber's text search (and its annotations for the AcroForm) on the PDF
the page image is drawn from, or, for the scan, on the PDF it was printed
from."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import select

from intake import canonical
from intake.config.settings import load_settings
from intake.parsers.parse import parse_document
from intake.review.rendering import OFFICE, PDF, Renditions
from intake.review.source_boxes import SourceBoxes, locate_text, tokens
from intake.store.models import AuditEntry, DocumentRow
from intake.types import Document

REPO = Path(__file__).resolve().parent.parent.parent
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WORD_FORM = "west_midlands_fib-standard-docx.docx"
ACROFORM = "met_mase_intel-standard-acroform.pdf"


@pytest.fixture(scope="module")
def forms(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("boxes")
    subprocess.run([sys.executable, str(REPO / "fixtures" / "make_forms.py"), "--quick", "--out", str(out)],
                   check=True, capture_output=True, timeout=600)
    return out / "forms"


@pytest.fixture(scope="module")
def printed(forms, tmp_path_factory) -> dict[str, Path]:
    """The Word form printed to PDF by LibreOffice (a PDF with a text
    layer), and that PDF printed and scanned (no text layer at all)."""
    from fixtures.formgen.convert import scan, soffice_convert

    out = tmp_path_factory.mktemp("printed")
    pdf = soffice_convert([forms / WORD_FORM], "pdf", out)[forms / WORD_FORM]
    scanned = out / "scanned.pdf"
    scanned.write_bytes(scan(pdf, seed=7))
    return {"pdf": pdf, "scan": scanned}


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings(db_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'x.sqlite'}")


def _placed(path: Path, media_type: str, settings):
    """(the rendition's PDF bytes, {key: (FieldBoxes | None, raw, provenance)})."""
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    outcome = parse_document(Document("attachment", path.name, media_type, sha, data), settings)
    assert outcome.status == "parsed", outcome.exception
    renditions = Renditions(settings)
    sb = SourceBoxes(renditions)
    pages = sb.pages(media_type, sha, data)
    out = {}
    for key, fv in outcome.record.fields.items():
        label = canonical.BY_KEY[key].label if key in canonical.BY_KEY else key
        found = sb.field(pages, key, label, fv.value, fv.raw, fv.provenance.as_dict(), media_type in OFFICE)
        out[key] = (found, fv.raw if isinstance(fv.raw, str) else None, fv.provenance.as_dict())
    return renditions.pdf(media_type, sha, data), out


def _truth(pdf: bytes | Path, text: str) -> tuple[int, tuple[float, float, float, float]] | None:
    """Where pdfplumber finds the first words of ``text``, as fractions of
    the page: (page, (x0, top, x1, bottom)), or None when they stand in
    more than one place (or none) and the truth is not clear."""
    words = text.split()[:3]
    if not words:
        return None
    pattern = r"\s*".join(re.escape(w) for w in words)
    found = []
    src = pdf if isinstance(pdf, Path) else __import__("io").BytesIO(pdf)
    with pdfplumber.open(src) as doc:
        for n, page in enumerate(doc.pages, start=1):
            for m in page.search(pattern, regex=True, case=False):
                found.append((n, (m["x0"] / page.width, m["top"] / page.height, m["x1"] / page.width,
                                  m["bottom"] / page.height)))
    return found[0] if len(found) == 1 else None


def _lands_on(box, truth, tol: float) -> bool:
    page, (x0, top, x1, bottom) = truth
    cx, cy = (x0 + x1) / 2, (top + bottom) / 2
    inside = box.x - tol <= cx <= box.x + box.w + tol and box.y - tol <= cy <= box.y + box.h + tol
    return box.page == page and inside and abs(box.x - x0) <= tol and abs(box.y - top) <= tol


def _check(rendition_pdf, placed, truth_pdf, tol, how, min_checked):
    checked, missed = [], []
    for key, (found, raw, _) in placed.items():
        if not raw or not tokens(raw):
            continue
        truth = _truth(truth_pdf, raw)
        if truth is None:
            continue
        if found is None:
            missed.append(key)
            continue
        assert found.how.startswith(how), (key, found.how)
        assert _lands_on(found.boxes[0], truth, tol), (key, found.boxes[0], truth)
        checked.append(key)
    assert not missed, f"values printed once on the page but given no box: {missed}"
    assert len(checked) >= min_checked, checked
    return checked


def test_a_word_form_through_its_libreoffice_pdf(forms, settings):
    pdf, placed = _placed(forms / WORD_FORM, DOCX, settings)
    checked = _check(pdf, placed, pdf, 0.01, "Word", 6)
    assert placed["submitter.name"][0].how == "Word table (LibreOffice PDF)"
    assert {"submitter.name", "submitter.agency"} <= set(checked)
    # A multi-line value gets one box per line, top to bottom.
    narrative = placed["incident.narrative"][0]
    assert len(narrative.boxes) >= 2 and narrative.boxes[0].y < narrative.boxes[1].y


def test_a_pdf_text_layer(printed, settings):
    pdf, placed = _placed(printed["pdf"], PDF, settings)
    _check(pdf, placed, printed["pdf"], 0.01, "text layer", 6)


@pytest.mark.slow
def test_a_scan_by_its_ocr_word_boxes(printed, settings):
    pdf, placed = _placed(printed["scan"], PDF, settings)
    # The scan is turned by up to 1.2 degrees and speckled: a little more room.
    _check(pdf, placed, printed["pdf"], 0.02, "OCR", 6)


def test_an_acroform_field_is_its_widget(forms, settings):
    path = forms / ACROFORM
    pdf, placed = _placed(path, PDF, settings)
    with pdfplumber.open(path) as doc:
        widgets = {}
        for n, page in enumerate(doc.pages, start=1):
            for a in page.annots:
                name = (a.get("data") or {}).get("T")
                name = name.decode("latin-1") if isinstance(name, bytes) else name
                if name:
                    widgets[name] = (n, (a["x0"] / page.width, a["top"] / page.height, a["x1"] / page.width,
                                         a["bottom"] / page.height))
    checked = 0
    for key, (found, _, prov) in placed.items():
        if prov.get("field") not in widgets:
            continue
        assert found is not None and found.how == "form field", key
        page, (x0, top, x1, bottom) = widgets[prov["field"]]
        b = found.boxes[0]
        assert b.page == page
        assert (b.x, b.y, b.x + b.w, b.y + b.h) == pytest.approx((x0, top, x1, bottom), abs=0.003), key
        checked += 1
    assert checked >= 8


def test_a_value_not_on_the_page_gets_no_box(forms, settings):
    data = (forms / WORD_FORM).read_bytes()
    sb = SourceBoxes(Renditions(settings))
    pages = sb.pages(DOCX, hashlib.sha256(data).hexdigest(), data)
    assert sb.field(pages, "submitter.name", "Submitter: name", "Zebedee Quixotic-Marchbanks", None, {}) is None
    assert locate_text(pages, "", "submitter.name", None, None) == ([], None)


def test_the_page_gets_the_boxes_as_data_and_the_view_is_audited(login, review_store):
    with review_store.session() as s:
        doc = s.scalar(select(DocumentRow.public_id).where(DocumentRow.media_type == DOCX,
                                                            DocumentRow.status == "parsed")
                       .order_by(DocumentRow.id).limit(1))
    b = login("anna")
    page = b.get(f"/documents/{doc}")
    assert page.status_code == 200
    assert f'data-url="/documents/{doc}/sources.json"' in page.text and "/static/sourcebox.js" in page.text
    assert "<script>" not in page.text  # no inline script
    r = b.get(f"/documents/{doc}/sources.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "no-store" in r.headers.get("cache-control", "")
    body = json.loads(r.text)
    assert body["document"] == doc and body["fields"]
    for f in body["fields"]:
        assert f["key"] and f["label"] and f["how"]
        for box in f["boxes"]:
            assert 1 <= box["page"] <= body["pages"]
            assert 0 <= box["x"] < 1 and 0 <= box["y"] < 1 and 0 < box["w"] <= 1 and 0 < box["h"] <= 1
    with review_store.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.sources_viewed")).one()
    assert entry.object_id == doc and entry.actor == "user:anna" and entry.detail["placed"] == len(body["fields"])
    for path in ("/static/sourcebox.js", "/static/sourcebox.css"):
        assert b.get(path).status_code == 200
    assert b.get("/documents/d_nosuchdocument/sources.json").status_code == 404


def _synthetic(lines: list[tuple[float, str]], how: str = "text"):
    """A page of words laid out left to right on lines at the given heights."""
    from intake.review.source_boxes import _Page

    words = []
    for y, text in lines:
        x = 0.05
        for w in text.split():
            words.append([w, x, y, x + 0.012 * len(w), y + 0.015])
            x += 0.012 * len(w) + 0.01
    return _Page({"words": words, "how": how})


def test_a_value_printed_twice_is_taken_beside_its_label():
    page = _synthetic([(0.10, "Victim: Reece Thornton"), (0.20, "Name: Yusuf Bennett"),
                       (0.30, "Agency: Reece Thornton")])
    boxes, how = locate_text([page], "Reece Thornton", "submitter.agency", "Submitter: agency", None)
    assert how == "text" and len(boxes) == 1 and boxes[0].y == pytest.approx(0.30, abs=0.003)
    boxes, _ = locate_text([page], "Reece Thornton", "subject.name", "Victim", None)
    assert boxes[0].y == pytest.approx(0.10, abs=0.003)


def test_ocr_misreads_and_line_breaks_still_place_a_narrative():
    page = _synthetic([(0.50, "On 08.10.25 Reece was seen g3tr1ng into a car"),
                       (0.52, "by the park. Taxis from Blue Arrow Cabs co1lect Reece")], how="ocr")
    text = "On 08.10.25 Reece was seen getting into a car by the park. Taxis from Blue Arrow Cabs collect Reece"
    boxes, how = locate_text([page], text, "incident.narrative", "Details", None)
    assert how == "ocr" and [round(b.y, 2) for b in boxes] == [0.50, 0.52]
    assert boxes[1].x + boxes[1].w > 0.5  # the second line is followed to its end, past the misread word
    # Without tolerance (a text layer) the misread words are not the value's.
    page.how = "text"
    strict, _ = locate_text([page], "getting collect", "incident.narrative", None, None)
    assert strict == []
