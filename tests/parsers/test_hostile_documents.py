"""Documents that carry something that could act when opened (Word macros,
PDF JavaScript, actions on opening, launch actions, embedded files): read as
text, never run, and flagged with their own code beside a usable record.
Ordinary documents (a hyperlink, an open-at-page-one view) are not flagged."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reader_forms import blank, fill_legacy_fields
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from intake.parsers import parse_document, sniff_media_type
from intake.parsers.support.active_content import ooxml_macros
from intake.types import Document, sha256_hex

NARRATIVE = "Kayla was collected from school by an older male in a silver Astra, reg AB12 CDE."


def as_doc(data: bytes, name: str) -> Document:
    return Document("attachment", name, sniff_media_type(data, name), sha256_hex(data), data)


def derbyshire_filled() -> bytes:
    return fill_legacy_fields(blank("derbyshire_op_liberty.docx"),
                              {"Text1": "03/04/2026 14:30", "Text2": "Jo Bloggs", "Text10": NARRATIVE},
                              {"Check2": True, "Check3": True})


def with_vba_project(docx: bytes, macro_content_type: bool = True) -> bytes:
    """What Word writes for a .docm: a vbaProject.bin part, its content type
    and relationship, and (optionally) the macro-enabled main part type."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                text = data.decode()
                if macro_content_type:
                    text = text.replace("wordprocessingml.document.main+xml",
                                        "ms-word.document.macroEnabled.main+xml")
                text = text.replace("</Types>", '<Default Extension="bin" '
                                    'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
                data = text.encode()
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.'
                                    b'microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            dst.writestr(info, data)
        # Not a real VBA project: only its presence matters, and it is never read.
        dst.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return out.getvalue()


@pytest.mark.parametrize("macro_content_type", [True, False])
def test_a_macro_enabled_word_file_is_read_and_flagged(macro_content_type):
    out = parse_document(as_doc(with_vba_project(derbyshire_filled(), macro_content_type), "report.docm"))
    assert out.status == "parsed" and out.record.template == "derbyshire_op_liberty"
    assert out.record.fields["incident.narrative"].value == NARRATIVE
    assert out.record.fields["report_datetime"].value == "2026-04-03T14:30"
    flags = [w for w in out.warnings if w.code == "macro_enabled"]
    assert len(flags) == 1 and "not run" in flags[0].detail


def test_a_clean_docx_is_not_flagged():
    out = parse_document(as_doc(derbyshire_filled(), "report.docx"))
    assert out.status == "parsed" and out.warnings == []
    assert ooxml_macros(derbyshire_filled()) is None


# -- PDF ----------------------------------------------------------------------

def _text_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 780
    for line in ("Intelligence for the CSE team.", NARRATIVE,
                 "She is picked up most Friday nights outside the library and returns after midnight.",
                 "The driver is known to her as Tiny and is about thirty years old."):
        c.drawString(72, y, line)
        y -= 18
    c.save()
    return buf.getvalue()


def _writer() -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(io.BytesIO(_text_pdf())))


def _bytes(w: PdfWriter) -> bytes:
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _action(kind: str, **extra) -> DictionaryObject:
    d = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    for k, v in extra.items():
        d[NameObject(f"/{k}")] = TextStringObject(v)
    return d


def _link(w: PdfWriter, action: DictionaryObject) -> None:
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(72), FloatObject(700), FloatObject(300), FloatObject(720)]),
        NameObject("/A"): action})
    w.pages[0][NameObject("/Annots")] = ArrayObject([w._add_object(annot)])


def _js_document(w: PdfWriter) -> None:
    # The document-level JavaScript name tree, as Acrobat writes it.
    tree = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("init"), w._add_object(_action("/JavaScript", JS="app.alert('hello');"))])})
    w._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): w._add_object(tree)})


def _js_on_opening(w: PdfWriter) -> None:
    w._root_object[NameObject("/OpenAction")] = w._add_object(_action("/JavaScript", JS="app.alert(1);"))


def _launch_link(w: PdfWriter) -> None:
    _link(w, _action("/Launch", F="calc.exe"))


def _embedded_file(w: PdfWriter) -> None:
    w.add_attachment("invoice.exe", b"MZ" + b"\x00" * 64)


def _page_open_js(w: PdfWriter) -> None:
    w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/JavaScript", JS="1;")})


@pytest.mark.parametrize("add,said", [
    (_js_document, "document-level JavaScript"),
    (_js_on_opening, "JavaScript on opening"),
    (_launch_link, "launch action"),
    (_embedded_file, "embedded files"),
    (_page_open_js, "JavaScript"),
])
def test_a_pdf_with_active_content_is_read_and_flagged(add, said):
    w = _writer()
    add(w)
    out = parse_document(as_doc(_bytes(w), "report.pdf"))
    # Read as text like any other PDF: a record, not an error.
    assert out.status == "parsed" and out.record.template == "free_text"
    assert "silver Astra" in out.record.fields["incident.narrative"].value
    flags = [x for x in out.warnings if x.code == "active_content"]
    assert len(flags) == 1 and said in flags[0].detail


def _ordinary_link(w: PdfWriter) -> None:
    _link(w, _action("/URI", URI="https://www.example.org/"))


def _open_at_page_one(w: PdfWriter) -> None:
    w._root_object[NameObject("/OpenAction")] = ArrayObject(
        [w.pages[0].indirect_reference, NameObject("/Fit")])


def _goto_on_opening(w: PdfWriter) -> None:
    w._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/GoTo"),
        NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")])})


@pytest.mark.parametrize("add", [_ordinary_link, _open_at_page_one, _goto_on_opening])
def test_an_ordinary_pdf_link_or_view_is_not_active_content(add):
    w = _writer()
    add(w)
    out = parse_document(as_doc(_bytes(w), "report.pdf"))
    assert out.status == "parsed" and out.warnings == []


def test_a_chain_of_actions_that_loops_ends():
    w = _writer()
    first = _action("/GoTo")
    second = _action("/JavaScript", JS="1;")
    ref1, ref2 = w._add_object(first), w._add_object(second)
    first[NameObject("/Next")] = ref2
    second[NameObject("/Next")] = ref1
    w._root_object[NameObject("/OpenAction")] = ref1
    out = parse_document(as_doc(_bytes(w), "loop.pdf"))
    assert [x.code for x in out.warnings] == ["active_content"]


# -- reader warnings reach the outcome ------------------------------------------

def test_a_scan_read_with_low_confidence_is_flagged_and_a_clear_one_is_not():
    from intake.config.settings import Settings
    from intake.parsers.parse import interpret
    from intake.types import Layout, Paragraph

    def scan(conf: float) -> Layout:
        return Layout(blocks=[Paragraph(NARRATIVE, confidence=conf),
                              Paragraph("She is seen at the park most Friday nights after school.", confidence=conf)],
                      source="ocr", ocr=True, pages=1)

    low = interpret(scan(0.55))
    assert low.status == "parsed" and [w.code for w in low.warnings] == ["low_ocr_confidence"]
    assert "55%" in low.warnings[0].detail
    assert interpret(scan(0.93)).warnings == []
    # The floor is a setting.
    strict = Settings(raw={"parsing": {"min_ocr_confidence": 0.95}})
    assert [w.code for w in interpret(scan(0.93), strict).warnings] == ["low_ocr_confidence"]
