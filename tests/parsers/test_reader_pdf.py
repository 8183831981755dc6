"""The PDF reader: fillable forms, printed forms (real LibreOffice), ruled
and borderless tables, tables over a page break, encryption, damage."""

from __future__ import annotations

import io

import docx as pydocx
import pytest
from pypdf import PdfReader, PdfWriter
from reader_forms import all_fields, blank, cell_after, document, paragraph_with
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from intake.config.settings import Settings
from intake.parsers.readers import read_layout
from intake.parsers.sniff import PDF
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.soffice import convert
from intake.types import FormField, IntakeError, Paragraph, Table


def read(data: bytes, settings=None):
    return read_layout(document(data, PDF, "form.pdf"), settings)


def _fill_met_pdf(values: dict[str, str]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank("met_mase_intel.pdf"))))
    writer.update_page_form_field_values(writer.pages[0], values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_fillable_pdf_values_land_in_the_cell_beside_their_label():
    data = _fill_met_pdf({
        "box1_referrer": "Hannah Lee, PCSO, Lambeth SNT, 020 7946 0456",
        "box3_problem": "Girl aged 15 collected from school\nby older males in a black Audi.",
        "date_of_report": "04/03/2025",
    })
    layout = read(data)
    assert layout.source == "pdf" and layout.pages == 1 and not layout.ocr
    cell = cell_after(layout, "1. Referrer")
    assert cell.text == "Hannah Lee, PCSO, Lambeth SNT, 020 7946 0456"
    ff = cell.fields[0]
    assert ff.name == "box1_referrer" and ff.label == "1. Referrer"
    assert cell.text[ff.start:ff.end] == ff.value
    assert ff.provenance.page == 1 and ff.provenance.source == "acroform"
    assert cell_after(layout, "3. Problem").text.startswith("Girl aged 15 collected from school")
    assert cell_after(layout, "2. Source").text == ""
    assert all_fields(layout)["box2_source"].value is None
    # the date box is outside the table: a top-level field right after its label
    i = next(i for i, b in enumerate(layout.blocks)
             if isinstance(b, Paragraph) and b.text.startswith("Date of report"))
    date = layout.blocks[i + 1]
    assert isinstance(date, FormField) and date.value == "04/03/2025" and date.start is None


def test_checkbox_and_radio_acroform_fields():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "Willing to engage with the Police?")
    form = c.acroForm
    form.checkbox(name="willing_yes", tooltip="Yes", x=320, y=755, size=12, checked=True)
    form.checkbox(name="willing_no", tooltip="No", x=360, y=755, size=12, checked=False)
    form.radio(name="witness", value="professional", selected=True, x=320, y=700, size=12)
    form.radio(name="witness", value="public", selected=False, x=360, y=700, size=12)
    c.save()
    fields = all_fields(read(buf.getvalue()))
    assert fields["willing_yes"].kind == "checkbox" and fields["willing_yes"].checked is True
    assert fields["willing_yes"].label == "Yes"
    assert fields["willing_no"].checked is False
    assert fields["witness"].value == "professional"


def _borderless_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 11)
    # Values drawn before their labels: the content stream order is not
    # the reading order.
    c.drawString(250, 700, "Jordan Pike")
    c.drawString(250, 680, "07700 900123")
    c.drawString(72, 700, "Name:")
    c.drawString(72, 680, "Contact details:")
    c.drawString(72, 640, "Seen near the canal path most evenings after school, usually with")
    c.drawString(72, 627, "two older boys on e-scooters.")
    c.drawString(72, 600, "Address: ..........................")
    c.save()
    return buf.getvalue()


def test_reading_order_keeps_label_with_value_in_borderless_layout():
    layout = read(_borderless_pdf())
    texts = [b.text for b in layout.blocks]
    assert texts[0] == "Name:\tJordan Pike"
    assert texts[1] == "Contact details:\t07700 900123"
    # a soft wrap is a space, as in the Word file
    assert texts[2] == ("Seen near the canal path most evenings after school, usually with "
                        "two older boys on e-scooters.")
    assert texts[3] == "Address:"  # the dotted line is no value
    assert all(b.provenance.page == 1 for b in layout.blocks)


def _grid(c, x0: float, top: float, widths: list[float], rows: list[list[str]], h: float = 24):
    xs = [x0]
    for wd in widths:
        xs.append(xs[-1] + wd)
    y = top
    for row in rows:
        c.rect(x0, y - h, xs[-1] - x0, h)
        for x in xs[1:-1]:
            c.line(x, y, x, y - h)
        for x, text in zip(xs, row):
            c.drawString(x + 4, y - 16, text)
        y -= h


def test_ruled_table_split_over_a_page_break_is_joined():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 800, "Details of Child/Young Person")
    _grid(c, 72, 200, [150, 300], [["Name", "Ellie Marsh"], ["Age", "13"],
                                   ["Address", "Flat 2, 9 Quarry Lane,"]])
    c.drawString(280, 30, "Page 1")
    c.showPage()
    c.drawString(280, 820, "OFFICIAL - SENSITIVE")
    _grid(c, 72, 790, [150, 300], [["", "Dudley DY1 4AB"], ["School", "Castle High"]])
    c.save()
    layout = read(buf.getvalue())
    ts = [b for b in layout.blocks if isinstance(b, Table)]
    assert len(ts) == 1
    assert [[c.text for c in row] for row in ts[0].rows] == [
        ["Name", "Ellie Marsh"], ["Age", "13"],
        ["Address", "Flat 2, 9 Quarry Lane,\nDudley DY1 4AB"], ["School", "Castle High"]]
    school = ts[0].rows[3][1]
    assert school.provenance.page == 2 and school.provenance.row == 3
    assert school.provenance.table == ts[0].provenance.table


@pytest.mark.slow
def test_printed_word_form_reads_as_tables_with_values():
    d = pydocx.Document(io.BytesIO(blank("staffordshire_cse.docx")))
    d.tables[0].cell(0, 1).text = "Marcus Doyle"
    d.tables[0].cell(1, 1).text = "Youth Worker"
    d.tables[0].cell(4, 4).text = "\u2612"
    d.tables[1].cell(2, 1).text = "14 Brook Street, Leek ST13 5AB"
    out = io.BytesIO()
    d.save(out)
    pdf = convert(out.getvalue(), ".docx", "pdf", ParsingOptions(), "test form")
    layout = read(pdf)
    assert layout.pages and layout.pages >= 2 and not layout.ocr
    assert cell_after(layout, "Name").text == "Marcus Doyle"
    assert cell_after(layout, "Post / Job Title").text == "Youth Worker"
    assert cell_after(layout, "Member of the Public").text == "\u2612"
    assert cell_after(layout, "Address").text == "14 Brook Street, Leek ST13 5AB"
    para = paragraph_with(layout, "If the information is from a 3rd party")
    assert "Yes/No" in para.text
    name_cell = cell_after(layout, "Name")
    assert name_cell.provenance.page is not None and name_cell.provenance.row == 0


def test_encrypted_pdf_needs_a_password():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_borderless_pdf())))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(IntakeError) as info:
        read(out.getvalue())
    assert info.value.code == "encrypted_document"
    assert "s3cret" not in info.value.detail


def test_owner_password_only_pdf_opens_with_the_empty_password():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_borderless_pdf())))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    layout = read(out.getvalue())
    assert layout.blocks[0].text == "Name:\tJordan Pike"


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n%garbage only\n",
    b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
])
def test_damaged_pdf_is_a_clear_error(data):
    with pytest.raises(IntakeError) as info:
        read(data)
    assert info.value.code == "corrupt_document"


def test_truncated_pdf_is_an_intake_error_or_partial_layout():
    data = _fill_met_pdf({"box1_referrer": "Someone"})
    try:
        layout = read(data[: len(data) // 3])
    except IntakeError as exc:
        assert exc.code == "corrupt_document"
    else:
        assert layout.source == "pdf"


def test_page_cap_warns_and_stops():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(5):
        c.drawString(72, 700, f"Page number {i + 1} has enough text to count as text.")
        c.showPage()
    c.save()
    layout = read(buf.getvalue(), Settings(raw={"parsing": {"max_pages": 2}}))
    assert layout.pages == 5
    assert [b.provenance.page for b in layout.blocks] == [1, 2]
    assert [w.code for w in layout.warnings] == ["pages_truncated"]
    assert "only the first 2" in layout.warnings[0].detail
