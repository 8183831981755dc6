"""Hostile and damaged bytes: whatever comes in, a reader returns a Layout
or raises IntakeError, never another exception."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reader_forms import blank, document

from intake.parsers.readers import read_layout
from intake.parsers.sniff import DOCX, PDF, sniff_media_type
from intake.types import IntakeError, Layout

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DOCX_BYTES = blank("derbyshire_op_liberty.docx")
PDF_BYTES = blank("met_mase_intel.pdf")
with zipfile.ZipFile(io.BytesIO(blank("west_midlands_fib.docx"))) as _z:
    WM_MEMBERS = {i.filename: _z.read(i.filename) for i in _z.infolist()}


def _read_only_intake_errors(data: bytes, media_type: str) -> None:
    try:
        layout = read_layout(document(data, media_type))
    except IntakeError as exc:
        assert exc.code and exc.detail
        return
    assert isinstance(layout, Layout)
    layout.plain_text()


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    buf = bytearray(data)
    for pos, value in edits:
        buf[pos % len(buf)] = value
    if cut is not None:
        buf = buf[: max(1, cut % len(buf))]
    return bytes(buf)


edits = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), max_size=40)
cuts = st.none() | st.integers(0, 10**7)


@FUZZ
@given(edits, cuts)
def test_mutated_docx_bytes(edit_list, cut):
    _read_only_intake_errors(_mutate(DOCX_BYTES, edit_list, cut), DOCX)


@FUZZ
@given(edits, cuts)
def test_mutated_pdf_bytes(edit_list, cut):
    _read_only_intake_errors(_mutate(PDF_BYTES, edit_list, cut), PDF)


@FUZZ
@given(edits, cuts, st.sampled_from(["word/document.xml", "word/_rels/document.xml.rels",
                                     "[Content_Types].xml", "word/header1.xml"]))
def test_mutated_docx_xml_inside_a_valid_zip(edit_list, cut, member):
    members = dict(WM_MEMBERS)
    members[member] = _mutate(members[member], edit_list, cut)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    _read_only_intake_errors(out.getvalue(), DOCX)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_under_their_sniffed_type(data):
    mt = sniff_media_type(data, None)
    if mt.startswith("image/") and len(data) >= 20 * 1024:
        return  # never reached with max_size; OCR of noise is not the point here
    _read_only_intake_errors(data, mt)


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from([DOCX, PDF, "text/html", "text/plain",
                                                  "image/png", "application/rtf"]))
def test_random_bytes_under_a_lying_type(data, media_type):
    if media_type == "application/rtf":
        return  # would start LibreOffice per example; covered in test_reader_doc
    _read_only_intake_errors(data, media_type)


@FUZZ
@given(st.text(max_size=3000), st.sampled_from(["text/html", "text/plain"]))
def test_any_body_text_reads_without_error(text, media_type):
    # A body is never "damaged": whatever its text, it reads.
    markup = text if media_type == "text/plain" else f"<div>{text}</div><table><tr><td>{text}"
    layout = read_layout(document(markup.encode("utf-8", "surrogatepass"), media_type))
    assert isinstance(layout, Layout)
