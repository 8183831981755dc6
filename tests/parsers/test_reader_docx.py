"""The .docx reader over filled copies of the real blank forms."""

from __future__ import annotations

import io
import zipfile

import docx as pydocx
import pytest
from lxml import etree
from reader_forms import (
    W,
    all_fields,
    blank,
    cell_after,
    document,
    fill_content_controls,
    fill_legacy_fields,
    paragraph_with,
    rendered,
    rewrite_document_xml,
    tables,
    w,
)

from intake.config.settings import Settings
from intake.parsers.readers import read_layout
from intake.parsers.sniff import DOCX, sniff_media_type
from intake.types import IntakeError, Paragraph, Table


def read(data: bytes, settings=None):
    return read_layout(document(data, sniff_media_type(data, "x.docx")), settings)


# --------------------------------------------------------------------------
# legacy form fields (Derbyshire)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def derbyshire():
    data = fill_legacy_fields(
        blank("derbyshire_op_liberty.docx"),
        texts={"Text1": "03/02/2025 14:30", "Text2": "Priya Kaur", "Text3": "School Nurse",
               "Text8": "Amelia Thornbury", "Text9": "14/07/2011",
               "Text11": "Two adult males, one called 'Deano'.", "Text13": "DS Hollis, 0121 496 0123"},
        checks={"Check2": True, "Check3": True, "Check4": False},
    )
    return read(data)


def test_legacy_text_fields_are_values_with_inline_spans(derbyshire):
    fields = all_fields(derbyshire)
    assert fields["Text2"].value == "Priya Kaur"
    assert fields["Text2"].kind == "text"
    assert fields["Text9"].kind == "date" and fields["Text9"].value == "14/07/2011"
    cell = cell_after(derbyshire, "Name:")
    assert cell.text == "Priya Kaur"
    assert rendered(cell, cell.fields[0]) == "Priya Kaur"
    assert cell.fields[0].provenance.table == 0 and cell.fields[0].provenance.row == 0
    assert cell.fields[0].provenance.field == "Text2"
    para = paragraph_with(derbyshire, "Date/Time of report")
    assert rendered(para, para.fields[0]) == "03/02/2025 14:30"
    assert para.text == "Date/Time of report:\t03/02/2025 14:30"


def test_untouched_legacy_field_is_empty_not_en_spaces(derbyshire):
    fields = all_fields(derbyshire)
    for name in ("Text4", "Text5", "Text6", "Text7", "Text10", "Text12"):
        assert fields[name].value is None, name
        assert fields[name].start == fields[name].end
    assert "\u2002" not in derbyshire.plain_text()


def test_legacy_checkboxes_render_and_carry_state(derbyshire):
    fields = all_fields(derbyshire)
    assert fields["Check1"].checked is False and fields["Check2"].checked is True
    assert cell_after(derbyshire, "Professional").text == "\u2612"
    assert cell_after(derbyshire, "Member of Public").text == "\u2610"
    para = paragraph_with(derbyshire, "Would they be willing")
    assert "Yes \u2612" in para.text and "No \u2610" in para.text
    assert [rendered(para, f) for f in para.fields] == ["\u2612", "\u2610"]


def test_fields_inside_a_long_cell_keep_offsets(derbyshire):
    cell = next(c for t in tables(derbyshire) for row in t.rows for c in row
                if "Victim (if known)" in c.text)
    by_name = {f.name: f for f in cell.fields}
    assert rendered(cell, by_name["Text8"]) == "Amelia Thornbury"
    assert rendered(cell, by_name["Text11"]) == "Two adult males, one called 'Deano'."
    line = next(ln for ln in cell.text.split("\n") if ln.startswith("Victim"))
    assert "Amelia Thornbury" in line and "DOB:" in line and "14/07/2011" in line


def test_header_comes_after_body_and_is_flagged(derbyshire):
    last = derbyshire.blocks[-1]
    assert isinstance(last, Paragraph) and last.provenance.source == "docx:header"
    assert "OFFICIAL" in last.text
    body_sources = {b.provenance.source for b in derbyshire.blocks[:-1]}
    assert body_sources == {"docx"}


def test_checkbox_falls_back_to_default_when_never_clicked():
    def edit(root):
        box = root.find(f".//{{{W}}}checkBox")  # Check1
        box.find(w("default")).set(w("val"), "1")

    layout = read(rewrite_document_xml(blank("derbyshire_op_liberty.docx"), edit))
    assert all_fields(layout)["Check1"].checked is True


# --------------------------------------------------------------------------
# content controls (West Midlands)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def west_midlands():
    data = fill_content_controls(
        blank("west_midlands_fib.docx"),
        texts={"Name": "Tomasz Nowak", "Agency": "Sandwell Youth Service",
               "Information": "Seen at the bus station on 2 March.\nGot into a grey Corsa."},
        checks={"WitnessedProfessional": True, "WillingNo": True},
    )
    return read(data)


def test_content_control_text_and_placeholders(west_midlands):
    fields = all_fields(west_midlands)
    assert fields["Name"].value == "Tomasz Nowak"
    assert fields["Name"].label == "Name"
    assert cell_after(west_midlands, "Name").text == "Tomasz Nowak"
    # untouched controls show Word's placeholder sentence: empty
    assert fields["ReportDateTime"].value is None
    assert fields["PostJobTitle"].value is None
    assert cell_after(west_midlands, "Post / Job Title").text == ""
    assert "Click here to enter text" not in west_midlands.plain_text()
    assert paragraph_with(west_midlands, "Date/Time of report").text == "Date/Time of report:"


def test_content_control_checkboxes(west_midlands):
    fields = all_fields(west_midlands)
    assert fields["WitnessedProfessional"].checked is True
    assert fields["WitnessedMemberOfPublic"].checked is False
    assert fields["WillingNo"].checked is True and fields["WillingYes"].checked is False
    willing = next(row for t in tables(west_midlands) for row in t.rows
                   if row[0].text.startswith("If the information is from a 3rd party"))
    assert [c.text for c in willing[1:]] == ["Yes", "\u2610", "No", "\u2612"]


def test_block_content_control_is_one_field_over_its_paragraphs(west_midlands):
    ff = all_fields(west_midlands)["Information"]
    assert ff.value == "Seen at the bus station on 2 March.\nGot into a grey Corsa."
    cell = next(c for t in tables(west_midlands) for row in t.rows for c in row
                if ff in c.fields)
    assert rendered(cell, ff) == ff.value
    assert all_fields(west_midlands)["PremiseConcern"].value is None


def test_checkbox_glyph_without_w14_state_is_read_from_the_glyph():
    def edit(root):
        for sdt in root.iter(w("sdt")):
            box = sdt.find(f"{w('sdtPr')}/{{http://schemas.microsoft.com/office/word/2010/wordml}}checkbox")
            if box is not None:
                box.remove(box[0])  # drop w14:checked
                sdt.find(f".//{w('t')}").text = "\u2612"

    layout = read(rewrite_document_xml(blank("west_midlands_fib.docx"), edit))
    assert all_fields(layout)["WillingYes"].checked is True


# --------------------------------------------------------------------------
# plain cells, typed ticks, deletions (Staffordshire)
# --------------------------------------------------------------------------


def test_typed_values_and_ticks_stay_in_their_cells():
    d = pydocx.Document(io.BytesIO(blank("staffordshire_cse.docx")))
    prof, child = d.tables[0], d.tables[1]
    prof.cell(0, 1).text = "Name: Jo Bloggs"
    prof.cell(4, 2).text = "X"
    child.cell(1, 1).text = "14"
    d.tables[2].cell(0, 0).text = "First line of the account.\nSecond line."
    for p in d.paragraphs:
        if "delete as appropriate" in p.text:
            for r in p.runs:  # the submitter deletes "/No (delete as appropriate)"
                r.text = {"Yes/No": "Yes", " (delete as appropriate)": ""}.get(r.text, r.text)
    out = io.BytesIO()
    d.save(out)
    layout = read(out.getvalue())
    assert cell_after(layout, "Name").text == "Name: Jo Bloggs"
    assert cell_after(layout, "Professional").text == "X"
    assert cell_after(layout, "Member of the Public").text == ""
    assert cell_after(layout, "Age").text == "14"
    free = tables(layout)[2].rows[0][0]
    assert free.text == "First line of the account.\nSecond line."
    assert any(isinstance(b, Paragraph) and b.text.endswith("Police?  Yes") for b in layout.blocks)
    sources = [b.provenance.source for b in layout.blocks if isinstance(b, Paragraph)]
    assert sources[-2:] == ["docx:footer", "docx:header"] or sources[-2:] == ["docx:header", "docx:footer"]


# --------------------------------------------------------------------------
# hand-built structures
# --------------------------------------------------------------------------


def _docx_with_body_xml(xml: str) -> bytes:
    """A document whose body is the given WordprocessingML fragment."""
    d = pydocx.Document()
    out = io.BytesIO()
    d.save(out)

    def edit(root):
        body = root.find(w("body"))
        sect = body.find(w("sectPr"))
        for child in list(body):
            if child is not sect:
                body.remove(child)
        frag = etree.fromstring(
            f'<w:body xmlns:w="{W}" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml">' + xml + "</w:body>")
        for i, child in enumerate(frag):
            body.insert(i, child)

    return rewrite_document_xml(out.getvalue(), edit)


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_merged_cells_are_not_duplicated_and_nested_tables_kept():
    nested = ("<w:tbl><w:tr>" + _tc("inner A") + _tc("inner B") + "</w:tr></w:tbl>")
    xml = (
        "<w:tbl>"
        "<w:tr>" + _tc("Address", '<w:vMerge w:val="restart"/>') + _tc("12 Elm Row") + "</w:tr>"
        "<w:tr>" + _tc("", "<w:vMerge/>") + _tc("Walsall") + "</w:tr>"
        "<w:tr>" + _tc("Both columns", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>Outer</w:t></w:r></w:p>" + nested + "<w:p/></w:tc>"
        + _tc("right") + "</w:tr>"
        "</w:tbl><w:p><w:r><w:t>after</w:t></w:r></w:p>"
    )
    layout = read(_docx_with_body_xml(xml))
    outer = layout.blocks[0]
    assert isinstance(outer, Table)
    assert layout.plain_text().count("Address") == 1
    assert outer.rows[1][0].row_continued and outer.rows[1][0].text == ""
    assert outer.rows[2][0].col_span == 2 and len(outer.rows[2]) == 1
    cell = outer.rows[3][0]
    assert cell.text == "Outer"
    assert [c.text for c in cell.tables[0].rows[0]] == ["inner A", "inner B"]
    assert cell.tables[0].provenance.table == 1
    assert outer.rows[3][1].provenance.as_dict() == {"table": 0, "row": 3, "cell": 1, "source": "docx"}
    assert isinstance(layout.blocks[1], Paragraph) and layout.blocks[1].text == "after"


def test_dropdowns_dates_symbols_leaders_and_placeholders():
    xml = (
        # legacy dropdown, second entry chosen
        '<w:p><w:r><w:t xml:space="preserve">Gender: </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Drop1"/>'
        '<w:ddList><w:result w:val="1"/><w:listEntry w:val="Select"/><w:listEntry w:val="Female"/>'
        '</w:ddList></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMDROPDOWN </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        # date picker content control, filled
        '<w:p><w:r><w:t xml:space="preserve">Seen on: </w:t></w:r><w:sdt><w:sdtPr><w:tag w:val="seen"/>'
        '<w:date w:fullDate="2025-03-02T00:00:00Z"><w:dateFormat w:val="dd/MM/yyyy"/></w:date></w:sdtPr>'
        '<w:sdtContent><w:r><w:t>02/03/2025</w:t></w:r></w:sdtContent></w:sdt></w:p>'
        # newer Word placeholder wording, without showingPlcHdr
        '<w:p><w:r><w:t xml:space="preserve">Agency: </w:t></w:r><w:sdt><w:sdtPr><w:tag w:val="agency"/>'
        '</w:sdtPr><w:sdtContent><w:r><w:t>Click or tap here to enter text.</w:t></w:r></w:sdtContent>'
        '</w:sdt></w:p>'
        # a Wingdings tick typed as a symbol, and a dotted leader after a label
        '<w:p><w:r><w:t xml:space="preserve">Professional </w:t></w:r>'
        '<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r></w:p>'
        '<w:p><w:r><w:t>Vehicle: ……………………</w:t></w:r></w:p>'
        # tracked deletion is not text; insertion is
        '<w:p><w:del><w:r><w:delText>old words</w:delText></w:r></w:del>'
        '<w:ins><w:r><w:t>new words</w:t></w:r></w:ins></w:p>'
        # a generic field shows its result, not its instruction
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    layout = read(_docx_with_body_xml(xml))
    texts = [b.text for b in layout.blocks]
    fields = all_fields(layout)
    assert fields["Drop1"].kind == "dropdown" and fields["Drop1"].value == "Female"
    assert texts[0] == "Gender: Female"
    assert fields["seen"].kind == "date" and fields["seen"].value == "02/03/2025"
    assert fields["agency"].value is None and texts[2] == "Agency:"
    assert texts[3] == "Professional \u2611"
    assert texts[4] == "Vehicle:"
    assert texts[5] == "new words"
    assert texts[6] == "7"


def test_text_box_read_once_from_alternate_content():
    box = ('<w:p><w:r><w:t>Label</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
           '<w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p>'
           '</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>'
           '<w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></v:textbox>'
           '</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    layout = read(_docx_with_body_xml(box))
    assert [b.text for b in layout.blocks] == ["Label", "Boxed note"]


# --------------------------------------------------------------------------
# damaged and hostile files
# --------------------------------------------------------------------------


def _expect(code: str, data: bytes, media_type: str = DOCX, settings=None) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        read_layout(document(data, media_type), settings)
    assert info.value.code == code
    return info.value


def test_truncated_docx_is_corrupt():
    data = blank("met_mase_intel.docx")
    err = _expect("corrupt_document", data[: len(data) // 2])
    assert "resend" in err.detail


def test_docx_without_body_xml_is_corrupt():
    def edit(root):
        root.remove(root.find(w("body")))

    _expect("corrupt_document", rewrite_document_xml(blank("met_mase_intel.docx"), edit))


def test_zip_bomb_is_refused_before_expansion():
    src = zipfile.ZipFile(io.BytesIO(blank("met_mase_intel.docx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("word/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    err = _expect("unsafe_document", out.getvalue())
    assert "zip bomb" in err.detail


def test_size_limit_comes_from_settings():
    settings = Settings(raw={"parsing": {"max_unzipped_bytes": 10_000}})
    _expect("unsafe_document", blank("met_mase_intel.docx"), settings=settings)


def test_entities_are_not_expanded():
    def edit(root):
        pass

    data = blank("met_mase_intel.docx")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "AAAAAAAAAA">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b'<w:document xmlns:w="' + W.encode() + b'"><w:body><w:p><w:r><w:t>&c;</w:t></w:r>'
            b'</w:p></w:body></w:document>')
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, bomb if info.filename == "word/document.xml" else src.read(info.filename))
    try:
        layout = read_layout(document(out.getvalue(), DOCX))
    except IntakeError as exc:
        assert exc.code == "corrupt_document"
    else:
        assert "AAAAAAAAAA" not in layout.plain_text()


@pytest.mark.parametrize("data,kind", [
    (b"PK\x05\x06" + b"\0" * 18, "zip"),
    (b"MZ\x90\x00" + b"\0" * 200, "program"),
])
def test_unsupported_formats_say_what_they_are(data, kind):
    mt = sniff_media_type(data, "x")
    err = _expect("unsupported_format", data, mt)
    assert "key it in by hand" in err.detail


def test_spreadsheet_is_unsupported():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    data = out.getvalue()
    err = _expect("unsupported_format", data, sniff_media_type(data, "x.xlsx"))
    assert err.detail.startswith("An Excel spreadsheet")


def test_legacy_field_typed_over_several_paragraphs_keeps_all_lines():
    def field_para(begin: bool, text: str, end: bool) -> str:
        parts = ""
        if begin:
            parts += ('<w:r><w:t xml:space="preserve">Details: </w:t></w:r>'
                      '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Narr"/>'
                      '<w:textInput/></w:ffData></w:fldChar></w:r>'
                      '<w:r><w:instrText> FORMTEXT </w:instrText></w:r>'
                      '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        parts += f"<w:r><w:t>{text}</w:t></w:r>"
        if end:
            parts += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        return f"<w:p>{parts}</w:p>"

    xml = (field_para(True, "Seen on Friday.", False) + field_para(False, "Again on Sunday.", False)
           + field_para(False, "Told her mum.", True) + "<w:p><w:r><w:t>Next label</w:t></w:r></w:p>")
    layout = read(_docx_with_body_xml(xml))
    first = layout.blocks[0]
    ff = first.fields[0]
    assert ff.value == "Seen on Friday.\nAgain on Sunday.\nTold her mum."
    assert first.text == "Details: " + ff.value
    assert rendered(first, ff) == ff.value
    assert layout.blocks[1].text == "Next label"


def test_alt_chunk_html_is_read_in_place():
    """Case-management systems export forms as a .docx wrapping an HTML
    chunk that Word converts on opening."""
    d = pydocx.Document()
    d.add_paragraph("Before the chunk")
    out = io.BytesIO()
    d.save(out)
    html = (b"<html><body><table><tr><td>Name</td><td>Ruby Frost</td></tr></table>"
            b"<p>Seen at the leisure centre.</p></body></html>")
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Default Extension="htm" ContentType="text/html"/></Types>')
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdChunk1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/aFChunk" Target="chunk1.htm"/></Relationships>'))
            elif info.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", (
                    b'<w:altChunk xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships" r:id="rIdChunk1"/><w:sectPr'), 1)
            dst.writestr(info, data)
        dst.writestr("word/chunk1.htm", html)
    layout = read(result.getvalue())
    assert layout.blocks[0].text == "Before the chunk"
    assert [c.text for c in layout.blocks[1].rows[0]] == ["Name", "Ruby Frost"]
    assert layout.blocks[2].text == "Seen at the leisure centre."
