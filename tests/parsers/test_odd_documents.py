"""Ordinary documents other people's software produces, read or labelled
right (parser side): papers, letters and leaflets are not
unknown forms; a PDF whose page tree pdfminer rejects is read by PDFium (or,
failing both, the second reader); a Strict OOXML .docx is read; an encrypted .ppt and an .xps get
their own names; limits are checked on what will actually be processed."""

from __future__ import annotations

import io
import shutil
import zipfile

import docx as pydocx
import pytest
from PIL import Image
from reader_forms import blank
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from intake.parsers import parse_document, sniff_media_type
from intake.parsers.readers import image as image_reader
from intake.parsers.readers import read_layout
from intake.parsers.readers.pdf.pages import PdfPage, render_dpi
from intake.parsers.readers.pdf.reader import read_pdf_with
from intake.parsers.support.options import ParsingOptions
from intake.types import Document, IntakeError, sha256_hex
from tests.support.msg_writer import write_cfb


def as_doc(data: bytes, name: str) -> Document:
    return Document("attachment", name, sniff_media_type(data, name), sha256_hex(data), data)


def docx_of(paragraphs: list[tuple[str, str]]) -> bytes:
    d = pydocx.Document()
    for style, text in paragraphs:
        d.add_paragraph(text, style=style)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf_of(lines: list[str]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    y = 800
    for line in lines:
        c.drawString(60, y, line)
        y -= 16
        if y < 60:
            c.showPage()
            y = 800
    c.save()
    return buf.getvalue()


# -- form-likeness: label density against prose ----------------------------

PAPER = [
    ("Title", "Contextual safeguarding in transport hubs: a practice review"),
    ("Normal", "Authors: R. Ahmed, L. Okafor"),
    ("Normal", "Published: March 2025"),
    ("Normal", "Keywords: exploitation, transport, partnership"),
    ("Normal", "Correspondence: research@example.org"),
    ("Normal", "DOI: https://doi.org/10.0000/example.2025.001"),
    ("Heading 1", "Abstract"),
    ("Normal", "This review draws on forty case files from three local authorities to describe how young "
               "people come to the notice of partner agencies at bus and rail stations, and what makes "
               "information sharing between transport staff and safeguarding teams succeed or fail."),
    ("Normal", "We find that staff are most confident when a named contact receives their concerns, and "
               "least confident when the route depends on a generic inbox with no acknowledgement."),
    ("Heading 1", "Method"),
    ("Normal", "Files were sampled at random from a two-year period and coded independently by two "
               "reviewers; disagreements were settled by discussion with a third."),
    ("Normal", "See https://www.example.org/methods for the coding frame and https://www.example.org/data "
               "for the anonymised tables."),
]

LETTER = [
    ("Normal", "Dear parent or carer,"),
    ("Normal", "We are holding an information evening about keeping children safe online, with a speaker "
               "from the local police and time for questions afterwards."),
    ("Normal", "Date: Thursday 12 March"),
    ("Normal", "Time: 6pm to 7.30pm"),
    ("Normal", "Venue: School hall"),
    ("Normal", "Booking: https://www.example.org/events"),
    ("Normal", "Contact: office@example.org"),
    ("Normal", "Yours faithfully,"),
    ("Normal", "The Pastoral Team"),
]

GUIDANCE = [
    ("Heading 1", "Sharing what you know"),
    ("Normal", "If you are worried that a child is being exploited, you do not need to be certain before "
               "you tell someone. Your information may be the piece the police are missing."),
    ("Normal", "You can use your force's report form, or speak to your safeguarding lead, who will know "
               "which route to use. If a child is in immediate danger, call 999."),
    ("Normal", "Website: https://www.example.org/exploitation"),
    ("Normal", "Email: advice@example.org"),
    ("Normal", "Helpline: 0808 800 5000"),
    ("Normal", "Opening hours: 9am to 5pm, Monday to Friday"),
]

REPORT_IN_PROSE = [
    ("Normal", "Date: 03/04/2026"),
    ("Normal", "Time: 14:30"),
    ("Normal", "Reported by: Sam Patel, youth worker"),
    ("Normal", "Kayla told me that an older man called Jay picks her up after school in a black Audi. "
               "She says he gives her vodka and takes her to a flat on Mill Lane where other girls stay."),
    ("Normal", "Her mum says she has been missing overnight twice this month and came back with a new phone "
               "that she will not explain."),
]


@pytest.mark.parametrize("paras,status", [
    (PAPER, "parsed"),            # a paper: free text at most, never a form nobody knows
    (LETTER, "not_a_report"),     # correspondence about an event
    (GUIDANCE, "not_a_report"),   # written to the reader
    (REPORT_IN_PROSE, "parsed"),  # a report without a form: free text
])
def test_papers_letters_and_guidance_are_not_unknown_forms(paras, status):
    for data, name in ((docx_of(paras), "x.docx"), (pdf_of([t for _, t in paras]), "x.pdf")):
        out = parse_document(as_doc(data, name))
        assert out.status == status, (name, out.exception)
        if status == "parsed":
            assert out.record.template == "free_text"


def test_a_form_nobody_knows_is_still_an_unknown_template():
    rows = [("Originating officer", "Sam Patel"), ("Organisation", "Youth Service"),
            ("Telephone", "01632 960123"), ("Subject of concern", "Kai Brown"),
            ("Summary of information", "Seen at a flat on Station Road."), ("Handling code", "P")]
    d = pydocx.Document()
    d.add_paragraph("Northshire Partner Information Sharing Form")
    t = d.add_table(rows=0, cols=2)
    for a, b in rows:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = a, b
    buf = io.BytesIO()
    d.save(buf)
    out = parse_document(as_doc(buf.getvalue(), "paisf.docx"))
    assert out.status == "exception" and out.exception.code == "unknown_template"


def test_urls_are_not_labels():
    lines = [f"https://www.example.org/page/{i}" for i in range(8)] + [
        "A list of links about online safety for parents, carers and teachers to read at home."]
    out = parse_document(as_doc(docx_of([("Normal", x) for x in lines]), "links.docx"))
    assert out.status != "exception"


# -- a PDF whose page tree pdfminer rejects -----------------------------------

def _without_page_type(pdf: bytes) -> bytes:
    """pdfminer skips a page object without /Type /Page; pypdf and poppler
    read it (seen in the wild from some scanners' software)."""
    assert b"/Type /Page\n" in pdf or b"/Type /Page " in pdf
    return pdf.replace(b"/Type /Page\n", b"/Tqpe /Page\n", 1).replace(b"/Type /Page ", b"/Tqpe /Page ", 1)


def test_a_pdf_pdfminer_finds_no_pages_in_is_read_by_pdfium():
    """PDFium, the layout engine, pages through it as a viewer would."""
    data = _without_page_type(pdf_of([t for _, t in REPORT_IN_PROSE]))
    out = parse_document(as_doc(data, "report.pdf"))
    assert out.status == "parsed" and out.record.template == "free_text"
    assert "black Audi" in out.record.fields["incident.narrative"].value
    assert not any("found no pages" in n for n in out.record.notes)


def test_a_pdf_the_layout_engine_finds_no_pages_in_is_read_by_the_second_reader():
    data = _without_page_type(pdf_of([t for _, t in REPORT_IN_PROSE]))
    layout = read_pdf_with(as_doc(data, "report.pdf"), ParsingOptions(), "pdfplumber")
    assert "black Audi" in layout.plain_text()
    assert any("read with pypdf" in n for n in layout.notes)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract not installed")
def test_a_scan_pdfminer_finds_no_pages_in_is_rendered_and_ocrd():
    img = Image.new("L", (1654, 2339), 255)
    from PIL import ImageDraw, ImageFont
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        font = ImageFont.load_default()
    for i, line in enumerate(["Kayla is picked up after school", "by an older man in a black Audi.",
                              "He takes her to a flat on Mill Lane."]):
        draw.text((150, 300 + 70 * i), line, fill=0, font=font)
    buf = io.BytesIO()
    img.save(buf, "PDF", resolution=200.0)
    data = _without_page_type(buf.getvalue())
    out = parse_document(as_doc(data, "scan.pdf"))
    assert out.status == "parsed" and out.reader == "ocr"
    assert "black Audi" in out.record.fields["incident.narrative"].value


def test_a_pdf_no_reader_can_page_through_is_damaged():
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    with pytest.raises(IntakeError) as info:
        read_layout(as_doc(data, "broken.pdf"))
    assert info.value.code == "corrupt_document"


# -- limits on what is processed ------------------------------------------------

def test_a_huge_page_is_rendered_within_the_pixel_limit_or_not_at_all():
    opts = ParsingOptions(ocr_dpi=300, max_image_pixels=80_000_000)
    assert render_dpi(PdfPage(1, 842, 595), opts) == 300  # A4: 8.7 Mpx
    a0 = render_dpi(PdfPage(1, 3370, 2384), opts)  # A0 at 300 dpi would be 139 Mpx
    assert 72 <= a0 < 300 and (2384 / 72 * a0) * (3370 / 72 * a0) <= 80_000_000
    assert render_dpi(PdfPage(1, 14400, 14400), opts) < 72  # 200 in square: skipped


def test_a_page_too_large_to_render_is_skipped_with_a_warning():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(14400, 14400))
    pic = Image.new("L", (64, 64), 0)
    from reportlab.lib.utils import ImageReader
    c.drawImage(ImageReader(pic), 0, 0, 14400, 14400)
    c.save()
    layout = read_layout(as_doc(buf.getvalue(), "poster.pdf"))
    assert [w.code for w in layout.warnings] == ["ocr_pages_skipped"]
    assert "too large" in layout.warnings[0].detail


def _png(w: int, h: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    # Noise, so the file is not taken for a small logo.
    Image.effect_noise((w, h), 64).save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


@pytest.mark.parametrize("w,h,dpi,want_scale", [
    (4032, 3024, 72, 1.0),   # a phone photo says 72 dpi: it is a big picture, not a tiny page
    (827, 1169, 100, 3.0),   # a 100-dpi scan of an A4 page: enlarged to 300 dpi
    (1654, 2339, 200, 1.0),  # 200 dpi: read as it is
])
def test_a_picture_is_enlarged_only_within_the_limits(monkeypatch, w, h, dpi, want_scale):
    seen = {}

    def fake_ocr(pic, page, used_dpi, opts, tables, **kw):
        seen["size"], seen["dpi"] = pic.size, used_dpi
        return [], []

    monkeypatch.setattr(image_reader, "ocr_page", fake_ocr)
    read_layout(as_doc(_png(w, h, dpi), "photo.png"))
    assert seen["size"] == (int(w * want_scale), int(h * want_scale))
    assert seen["size"][0] * seen["size"][1] <= ParsingOptions().max_image_pixels


def test_enlarging_never_passes_the_pixel_limit():
    scale = image_reader.upscale_factor(3000, 4000, 100, 80_000_000)
    assert 1.0 <= scale < 3.0 and 3000 * 4000 * scale * scale <= 80_000_000 + 1


# -- labels for what is not read ---------------------------------------------------

def _ppt(encrypted: bool) -> bytes:
    # MS-PPT CurrentUserAtom: record header (8), size (4), headerToken (4).
    token = 0xF3D1C4DF if encrypted else 0xE391C05F
    current_user = b"\x00\x00\xf6\x0f" + (20).to_bytes(4, "little") + (20).to_bytes(4, "little") \
        + token.to_bytes(4, "little") + b"\x00" * 16
    return write_cfb({"PowerPoint Document": b"\x00" * 4200, "Current User": current_user})


def test_an_encrypted_powerpoint_is_called_password_protected():
    with pytest.raises(IntakeError) as info:
        read_layout(as_doc(_ppt(True), "slides.ppt"))
    assert info.value.code == "encrypted_document" and "PowerPoint" in info.value.detail


def test_a_powerpoint_is_called_a_powerpoint():
    with pytest.raises(IntakeError) as info:
        read_layout(as_doc(_ppt(False), "slides.ppt"))
    assert info.value.code == "unsupported_format" and "PowerPoint 97-2003" in info.value.detail


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_an_xps_document_is_called_xps_and_a_zip_a_zip():
    xps = _zip({"[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-'
                b'types"><Default Extension="fdseq" ContentType="application/vnd.ms-package.xps-'
                b'fixeddocumentsequence+xml"/></Types>',
                "FixedDocumentSequence.fdseq": b"<FixedDocumentSequence/>",
                "Documents/1/Pages/1.fpage": b"<FixedPage/>"})
    with pytest.raises(IntakeError) as info:
        read_layout(as_doc(xps, "report.xps"))
    assert info.value.code == "unsupported_format" and "XPS" in info.value.detail
    with pytest.raises(IntakeError) as info:
        read_layout(as_doc(_zip({"a.txt": b"hello"}), "files.zip"))
    assert info.value.code == "unsupported_format" and info.value.detail.startswith("A zip archive")


# -- Strict OOXML ------------------------------------------------------------------

_STRICT = {
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main": b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def strict_of(transitional: bytes) -> bytes:
    """Word's "Strict Open XML Document": the same parts under the ISO
    Strict namespaces and relationship types."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(transitional)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                for a, b in _STRICT.items():
                    data = data.replace(a, b)
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_strict_ooxml_docx_is_read_not_called_damaged():
    from reader_forms import fill_legacy_fields
    filled = fill_legacy_fields(blank("derbyshire_op_liberty.docx"),
                                {"Text1": "03/04/2026 14:30", "Text2": "Jo Bloggs",
                                 "Text10": "Seen getting into a black Audi by the park."},
                                {"Check2": True, "Check3": True})
    out = parse_document(as_doc(strict_of(filled), "report.docx"))
    assert out.status == "parsed" and out.record.template == "derbyshire_op_liberty"
    assert out.reader.startswith("strict docx")
    f = out.record.fields
    assert f["submitter.name"].value == "Jo Bloggs"
    assert f["report_datetime"].value == "2026-04-03T14:30"
    assert f["incident.narrative"].value == "Seen getting into a black Audi by the park."
