"""Scans: a filled form printed by real LibreOffice, rendered to a picture
with poppler, read back with real Tesseract."""

from __future__ import annotations

import io
import subprocess
from collections import Counter

import docx as pydocx
import numpy as np
import pdfplumber
import pytest
from PIL import Image
from reader_forms import blank, cell_after, document, tables
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from intake.config.settings import Settings
from intake.parsers import parse_document
from intake.parsers.ocr.rulings import build_grids, find_rulings
from intake.parsers.readers import read_layout
from intake.parsers.sniff import PDF, sniff_media_type
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.soffice import convert
from intake.types import IntakeError, Paragraph

VALUES = {
    "name": "Marcus Doyle", "role": "Youth Worker", "agency": "Leek Youth Centre",
    "child": "Kayla Brennan", "age": "14", "address": "14 Brook Street, Leek ST13 5AB",
    "narrative": "Kayla was seen getting into a silver Ford Focus outside the school gates "
                 "on Tuesday afternoon.",
}


@pytest.fixture(scope="module")
def printed_form() -> bytes:
    """The Staffordshire form filled in and printed to PDF (page 2 is the form)."""
    d = pydocx.Document(io.BytesIO(blank("staffordshire_cse.docx")))
    prof, child = d.tables[0], d.tables[1]
    prof.cell(0, 1).text = VALUES["name"]
    prof.cell(1, 1).text = VALUES["role"]
    prof.cell(2, 1).text = VALUES["agency"]
    prof.cell(4, 4).text = "X"
    child.cell(0, 1).text = VALUES["child"]
    child.cell(1, 1).text = VALUES["age"]
    child.cell(2, 1).text = VALUES["address"]
    d.tables[2].cell(0, 0).text = VALUES["narrative"]
    out = io.BytesIO()
    d.save(out)
    return convert(out.getvalue(), ".docx", "pdf", ParsingOptions(), "test form")


def _render(pdf: bytes, page: int, dpi: int, tmp_path) -> Image.Image:
    src = tmp_path / f"src{page}.pdf"
    src.write_bytes(pdf)
    base = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", "-f", str(page),
                    "-l", str(page), str(src), str(base)], check=True)
    return Image.open(base.with_suffix(".pgm")).copy()


def _image_pdf(images: list[Image.Image], dpi: int = 300) -> bytes:
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def _word_accuracy(truth: list[str], got: list[str]) -> float:
    want, have = Counter(truth), Counter(got)
    return sum(min(n, have[w]) for w, n in want.items()) / max(1, sum(want.values()))


@pytest.mark.slow
def test_scanned_pdf_gets_tables_back_with_values_and_confidence(printed_form, tmp_path):
    scan = _image_pdf([_render(printed_form, 2, 300, tmp_path)])
    layout = read_layout(document(scan, PDF, "scan.pdf"))
    assert layout.ocr and layout.source == "ocr" and layout.pages == 1
    assert cell_after(layout, "Name").text == VALUES["name"]
    assert cell_after(layout, "Post / Job Title").text == VALUES["role"]
    assert cell_after(layout, "Agency").text == VALUES["agency"]
    assert cell_after(layout, "Contact Details").text == ""
    assert cell_after(layout, "Age").text == VALUES["age"]
    assert cell_after(layout, "Address").text == VALUES["address"]
    assert cell_after(layout, "Member of the Public").text.lower() == "x"
    ts = tables(layout)
    assert len(ts) == 3 and len(ts[0].rows) == 5 and len(ts[0].rows[4]) == 5
    assert ts[2].rows[0][0].text == VALUES["narrative"]
    cell = cell_after(layout, "Name")
    assert 0.5 < cell.confidence <= 1.0
    assert cell.provenance.page == 1 and cell.provenance.source == "ocr"
    paras = [b for b in layout.blocks if isinstance(b, Paragraph)]
    assert all(p.confidence is not None and 0 <= p.confidence <= 1 for p in paras)
    # order: the label paragraph comes before its table
    kinds = [type(b).__name__ for b in layout.blocks]
    i = next(i for i, b in enumerate(layout.blocks)
             if isinstance(b, Paragraph) and b.text.startswith("Details of Professional"))
    assert kinds[i + 1] == "Table"
    # word accuracy against the printed PDF's own text layer
    with pdfplumber.open(io.BytesIO(printed_form)) as pdf:
        truth = [w["text"] for w in pdf.pages[1].extract_words()]
    got = layout.plain_text().split()
    accuracy = _word_accuracy(truth, got)
    print(f"OCR word accuracy on a clean 300-dpi form page: {accuracy:.3f} ({len(truth)} words)")
    assert accuracy > 0.9


@pytest.mark.slow
def test_low_resolution_photo_is_upscaled_and_read(printed_form, tmp_path):
    page = _render(printed_form, 2, 150, tmp_path)
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=85, dpi=(150, 150))
    data = buf.getvalue()
    assert sniff_media_type(data, "photo.jpg") == "image/jpeg"
    layout = read_layout(document(data, "image/jpeg", "photo.jpg"))
    assert layout.ocr and layout.source == "ocr"
    assert cell_after(layout, "Name").text == VALUES["name"]
    assert cell_after(layout, "Age").text == VALUES["age"]


def test_small_image_is_a_logo_not_an_error():
    buf = io.BytesIO()
    Image.new("RGB", (120, 60), "navy").save(buf, format="PNG")
    doc = document(buf.getvalue(), "image/png", "logo.png")
    layout = read_layout(doc)
    assert layout.blocks == [] and not layout.ocr and layout.warnings == []
    # Not a problem, so nothing for the queue; but the record says why.
    out = parse_document(doc)
    assert out.status == "not_a_report" and out.warnings == []
    assert "logo" in out.record.notes[0]


def test_image_over_the_pixel_limit_is_refused():
    buf = io.BytesIO()
    Image.new("L", (1200, 1200), 255).save(buf, format="PNG")
    settings = Settings(raw={"parsing": {"max_image_pixels": 100_000}})
    with pytest.raises(IntakeError) as info:
        read_layout(document(buf.getvalue(), "image/png", "big.png"), settings)
    assert info.value.code == "unsafe_document"


def test_damaged_image_is_corrupt():
    data = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(IntakeError) as info:
        read_layout(document(data, "image/png", "x.png"))
    assert info.value.code == "corrupt_document"


@pytest.mark.slow
def test_only_pages_without_text_are_ocrd(printed_form, tmp_path):
    text_page = io.BytesIO()
    c = canvas.Canvas(text_page, pagesize=A4)
    c.drawString(72, 760, "Covering note: the completed form is attached as a scan on page 2.")
    c.save()
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(text_page).pages[0])
    writer.add_page(PdfReader(io.BytesIO(_image_pdf([_render(printed_form, 2, 300, tmp_path)]))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    layout = read_layout(document(out.getvalue(), PDF, "mixed.pdf"))
    assert layout.ocr and layout.source == "pdf" and layout.pages == 2
    first = layout.blocks[0]
    assert first.provenance.source == "pdf" and first.provenance.page == 1
    assert cell_after(layout, "Name").provenance.page == 2
    assert cell_after(layout, "Name").provenance.source == "ocr"


@pytest.mark.slow
def test_ocr_page_cap_warns(tmp_path):
    pages = [Image.new("L", (1240, 1754), 255) for _ in range(3)]
    settings = Settings(raw={"parsing": {"max_ocr_pages": 1, "ocr_dpi": 150}})
    doc = document(_image_pdf(pages, 150), PDF, "blank-scan.pdf")
    layout = read_layout(doc, settings)
    assert layout.ocr
    assert [w.code for w in layout.warnings] == ["ocr_pages_skipped"]
    assert "only the first 1" in layout.warnings[0].detail
    # Blank pages give no text: not a report, but the queue hears why, and
    # of the pages that were skipped.
    out = parse_document(doc, settings)
    assert out.status == "not_a_report"
    assert {w.code for w in out.warnings} == {"ocr_pages_skipped", "ocr_no_text"}
    assert "by OCR" in out.record.notes[0]


def test_rulings_become_a_grid_and_letters_do_not():
    dpi = 300
    img = np.full((1200, 1600), 255, dtype=np.uint8)
    for y in (100, 300, 500):  # three horizontal rules: two rows
        img[y:y + 3, 100:1500] = 0
    for x in (100, 600, 1497):  # left, middle, right
        img[100:503, x:x + 3] = 0
    img[700:760, 200:206] = 0  # an "l"-like stroke outside the table
    img[320:380, 300:306] = 0  # and one inside a cell
    h, v = find_rulings(img < 160, dpi)
    grids = build_grids(h, v, dpi)
    assert len(grids) == 1
    rows = grids[0].rows
    assert len(rows) == 2 and all(len(cells) == 2 for _, _, cells in rows)
    assert all(abs(ln.x - 303) > 10 for ln in v)


def _truth_words(printed_form: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(printed_form)) as pdf:
        return [w["text"] for w in pdf.pages[1].extract_words()]


@pytest.mark.slow
def test_upside_down_and_crooked_scan_is_turned_upright(printed_form, tmp_path):
    page = _render(printed_form, 2, 300, tmp_path)
    crooked = page.rotate(180, expand=True, fillcolor=255).rotate(1.7, expand=True, fillcolor=255)
    layout = read_layout(document(_image_pdf([crooked]), PDF, "fax.pdf"))
    assert cell_after(layout, "Name").text == VALUES["name"]
    assert cell_after(layout, "Address").text == VALUES["address"]
    assert _word_accuracy(_truth_words(printed_form), layout.plain_text().split()) > 0.9


@pytest.mark.slow
def test_noisy_low_resolution_scan_still_reads_mostly_right(printed_form, tmp_path):
    from PIL import ImageFilter

    page = _render(printed_form, 2, 200, tmp_path).rotate(0.8, expand=True, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    rng = np.random.default_rng(7)
    pixels = np.asarray(page).astype(np.int16) + rng.normal(0, 25, (page.height, page.width))
    pixels[rng.random(pixels.shape) < 0.003] = 0
    noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    layout = read_layout(document(_image_pdf([noisy], 200), PDF, "noisy.pdf"))
    accuracy = _word_accuracy(_truth_words(printed_form), layout.plain_text().split())
    print(f"OCR word accuracy on a noisy 200-dpi scan: {accuracy:.3f}")
    assert accuracy > 0.85
    assert len(tables(layout)) >= 2
    confidences = [c.confidence for t in tables(layout) for row in t.rows for c in row
                   if c.confidence is not None]
    assert confidences and min(confidences) < 0.9  # noise shows in the confidence


@pytest.mark.slow
def test_printed_check_boxes_are_read_as_ticks_in_a_scan(tmp_path):
    from reader_forms import fill_legacy_fields

    docx = fill_legacy_fields(blank("derbyshire_op_liberty.docx"), texts={"Text2": "Priya Kaur"},
                              checks={"Check1": False, "Check2": True})
    pdf = convert(docx, ".docx", "pdf", ParsingOptions(), "test form")
    layout = read_layout(document(_image_pdf([_render(pdf, 1, 300, tmp_path)]), PDF, "scan.pdf"))
    assert cell_after(layout, "Name").text == "Priya Kaur"
    assert cell_after(layout, "Professional").text == "\u2612"
    assert cell_after(layout, "Member of Public").text == "\u2610"


def test_letters_are_not_taken_for_tick_boxes():
    from PIL import ImageDraw, ImageFont

    from intake.parsers.ocr.tick_boxes import find_boxes

    img = Image.new("L", (1200, 300), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=60)
    draw.text((20, 20), "DOBO Report Operation", fill=0, font=font)
    draw.rectangle((1000, 40, 1040, 80), outline=0, width=3)  # an empty box
    draw.rectangle((1080, 40, 1120, 80), outline=0, width=3)  # a ticked one
    draw.line((1086, 46, 1114, 74), fill=0, width=3)
    draw.line((1086, 74, 1114, 46), fill=0, width=3)
    boxes = find_boxes(np.asarray(img) < 160, 300)
    assert [(b.x0 // 10, b.checked) for b in boxes] == [(100, False), (108, True)]


@pytest.mark.slow
def test_scan_pasted_into_word_is_ocrd(printed_form, tmp_path):
    page = _render(printed_form, 2, 300, tmp_path)
    png = tmp_path / "scan.png"
    page.save(png, dpi=(300, 300))
    d = pydocx.Document()
    d.add_paragraph("See attached")
    d.add_picture(str(png), width=pydocx.shared.Mm(180))
    out = io.BytesIO()
    d.save(out)
    layout = read_layout(document(out.getvalue(), sniff_media_type(out.getvalue(), "x.docx")))
    assert layout.ocr and layout.source == "docx"
    assert layout.blocks[0].text == "See attached"
    assert cell_after(layout, "Name").text == VALUES["name"]
    assert cell_after(layout, "Age").text == VALUES["age"]


def test_word_document_with_text_and_a_logo_is_not_ocrd():
    buf = io.BytesIO()
    Image.new("RGB", (150, 80), "navy").save(buf, format="PNG")
    buf.seek(0)
    d = pydocx.Document(io.BytesIO(blank("met_mase_intel.docx")))
    d.add_picture(buf)
    out = io.BytesIO()
    d.save(out)
    layout = read_layout(document(out.getvalue(), sniff_media_type(out.getvalue(), "x.docx")))
    assert not layout.ocr


@pytest.mark.parametrize("read,want", [("anne-marie.|lewellyn@example.org", "anne-marie.llewellyn@example.org"),
                                       ("He|en", "Helen"), ("|x|", "|x|"), ("|", "|"), ("12|34", "12|34")])
def test_a_bar_between_letters_is_an_l(read, want):
    from intake.parsers.ocr.page import _fix_pipe_for_l
    from intake.parsers.support.words import Word

    w = Word(read, 0, 10, 0, 10)
    _fix_pipe_for_l(w)
    assert w.text == want


# -- the OCR engine: Tesseract's library, the command as fallback ---------------

@pytest.mark.slow
def test_in_a_pdf_only_the_page_without_text_is_rendered_and_ocrd(printed_form, tmp_path, monkeypatch):
    from pypdf import PdfReader, PdfWriter

    from intake.parsers.readers.pdf import pages as pdf_pages

    writer = PdfWriter()
    for n in (1, 2, 4):  # text pages around one scanned page
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4)
        c.drawString(72, 760, f"Continuation sheet {n}: nothing further to add on this page.")
        c.save()
        writer.add_page(PdfReader(buf).pages[0])
    scan = PdfReader(io.BytesIO(_image_pdf([_render(printed_form, 2, 300, tmp_path)]))).pages[0]
    writer.insert_page(scan, 2)
    out = io.BytesIO()
    writer.write(out)
    rendered = []
    real = pdf_pages.render_page

    def spy(pdf, page, *args, **kwargs):
        rendered.append(page)
        return real(pdf, page, *args, **kwargs)

    monkeypatch.setattr(pdf_pages, "render_page", spy)
    layout = read_layout(document(out.getvalue(), PDF, "mixed.pdf"))
    assert rendered == [3]
    assert layout.pages == 4 and layout.ocr
    assert cell_after(layout, "Name").text == VALUES["name"]
    assert {b.provenance.source for b in layout.blocks if b.provenance.page != 3} == {"pdf"}


@pytest.mark.slow
@pytest.mark.parametrize("library", [True, False], ids=["library", "command"])
def test_library_and_command_read_the_same_scan(printed_form, tmp_path, monkeypatch, library):
    from intake.parsers.tools import tesseract

    if not library:
        monkeypatch.setattr(tesseract, "_library", lambda: None)
    elif tesseract._library() is None:
        pytest.skip("tesserocr is not installed")
    layout = read_layout(document(_image_pdf([_render(printed_form, 2, 300, tmp_path)]), PDF, "scan.pdf"))
    assert cell_after(layout, "Name").text == VALUES["name"]
    assert cell_after(layout, "Address").text == VALUES["address"]
    assert _word_accuracy(_truth_words(printed_form), layout.plain_text().split()) > 0.95


@pytest.mark.slow
def test_the_library_loads_its_model_once_per_thread(printed_form, tmp_path):
    from intake.parsers.tools import tesseract

    if tesseract._library() is None:
        pytest.skip("tesserocr is not installed")
    page = _render(printed_form, 2, 150, tmp_path)
    opts = ParsingOptions()
    tesseract.ocr_words(page, 150, opts)
    engine = tesseract._engines.apis[(tesseract.tessdata_dir(opts), "eng")]
    words = tesseract.ocr_words(np.asarray(page)[:400], 150, opts)
    assert tesseract._engines.apis[(tesseract.tessdata_dir(opts), "eng")] is engine
    assert words


@pytest.mark.slow
@pytest.mark.parametrize("library", [True, False], ids=["library", "command (parsing.ocr_api = false)"])
def test_a_page_over_the_ocr_time_limit_is_ocr_failed(printed_form, tmp_path, library):
    from intake.parsers.tools import tesseract

    page = _render(printed_form, 2, 300, tmp_path)
    with pytest.raises(IntakeError) as info:
        tesseract.ocr_words(page, 300, ParsingOptions(ocr_timeout_s=0.05, ocr_api=library))
    assert info.value.code == "ocr_failed" and "ocr_timeout_s" in info.value.detail
    # the engine is still good for the next page
    assert tesseract.ocr_words(np.asarray(page)[300:700], 300, ParsingOptions(ocr_api=library))


@pytest.mark.slow
def test_missing_language_data_is_ocr_failed_naming_it(printed_form, tmp_path):
    from intake.parsers.tools import tesseract

    page = _render(printed_form, 2, 150, tmp_path)
    with pytest.raises(IntakeError) as info:
        tesseract.ocr_words(page, 150, ParsingOptions(ocr_languages="qqq"))
    assert info.value.code == "ocr_failed" and "'qqq'" in info.value.detail


def test_median_filter_is_pillows_pixel_for_pixel():
    from PIL import ImageFilter

    from intake.parsers.ocr.page import median3

    rng = np.random.default_rng(3)
    for shape in [(1, 1), (1, 7), (6, 1), (2, 2), (37, 53), (300, 211)]:
        img = rng.integers(0, 256, size=shape, dtype=np.uint8)
        want = np.asarray(Image.fromarray(img).filter(ImageFilter.MedianFilter(3)))
        assert np.array_equal(median3(img), want), shape


def test_horizontal_runs_match_a_plain_scan():
    from intake.parsers.ocr.rulings import _runs

    def plain(mask, min_len):
        out = []
        for r, row in enumerate(mask):
            c = 0
            while c < len(row):
                if row[c]:
                    s = c
                    while c < len(row) and row[c]:
                        c += 1
                    if c - s >= min_len:
                        out.append((r, s, c))
                else:
                    c += 1
        return out

    rng = np.random.default_rng(5)
    for density in (0.2, 0.6, 0.95):
        mask = rng.random((40, 70)) < density
        for min_len in (1, 3, 10):
            assert [tuple(x) for x in _runs(mask, min_len).tolist()] == plain(mask, min_len)
    assert _runs(np.zeros((5, 5), dtype=bool), 1).shape == (0, 3)
    assert [tuple(x) for x in _runs(np.ones((2, 4), dtype=bool).T, 2).tolist()] == [(0, 0, 2), (1, 0, 2),
                                                                                    (2, 0, 2), (3, 0, 2)]


@pytest.mark.parametrize("tilt", [-3.4, -0.8, 0.0, 1.7, 4.2])
def test_skew_is_measured_to_a_tenth_of_a_degree(tilt):
    from PIL import ImageDraw, ImageFont

    from intake.parsers.ocr.orientation import estimate_skew

    page = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=34)
    for n in range(30):
        draw.text((150, 150 + 62 * n), f"Line {n}: she was collected from the school gates at 3.15pm", fill=0,
                  font=font)
    crooked = page.rotate(tilt, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    assert estimate_skew(crooked) == pytest.approx(-tilt, abs=0.15)


def test_row_closing_fills_gaps_up_to_its_width_only():
    from intake.parsers.ocr.rulings import _close_rows

    def plain(mask, gap):
        out = mask.copy()
        for r, row in enumerate(mask):
            for x in range(len(row)):
                left = row[max(0, x - gap):x + 1].any()
                right = row[x:x + gap + 1].any()
                out[r, x] = row[x] or (left and right)
        return out

    rng = np.random.default_rng(11)
    for density in (0.05, 0.3, 0.7):
        mask = rng.random((12, 50)) < density
        for gap in (1, 2, 4, 9):
            assert np.array_equal(_close_rows(mask, gap), plain(mask, gap)), (density, gap)
    line = np.zeros((1, 30), dtype=bool)
    line[0, [3, 4, 8, 9, 20]] = True  # a 3-pixel break, then a 10-pixel one
    assert _close_rows(line, 4)[0, 3:10].all() and not _close_rows(line, 4)[0, 11:20].any()
    assert np.array_equal(_close_rows(np.ones((2, 1), dtype=bool), 3), np.ones((2, 1), dtype=bool))
