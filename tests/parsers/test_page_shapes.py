"""Pages as they arrive: a phone photo of the printed form (keystone, tilt,
shadow, blur, JPEG), a low-contrast grey scan, a fax at 204×98 dpi as a
multi-page TIFF, a sheet fed upside down; each made from physical
parameters (fixtures/formgen/degrade.py) and read back with real
Tesseract. And the clean-up steps themselves (parsers/ocr/page_clean.py)
on pictures whose answer is known."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw
from reader_forms import document
from test_reader_ocr import VALUES, _image_pdf, _render, printed_form  # noqa: F401 (a fixture)

from fixtures.formgen import degrade
from intake.parsers import parse_document
from intake.parsers.ocr import page_clean
from intake.parsers.readers import read_layout
from intake.parsers.readers.image import square_pixels
from intake.parsers.sniff import PDF

FIELDS = {"submitter.name": "name", "submitter.role": "role", "submitter.agency": "agency",
          "subject.name": "child", "subject.age": "age", "subject.address": "address"}


def _right(doc) -> dict[str, bool]:
    """Which of the form's fields the whole parse (reader, template, mapper)
    got right: what an officer would see on the record."""
    out = parse_document(doc)
    got = out.record.fields if out.record else {}
    return {k: (str(got[k].value) if k in got and got[k].value is not None else None) == VALUES[v]
            for k, v in FIELDS.items()}


@pytest.fixture(scope="module")
def page(printed_form, tmp_path_factory) -> Image.Image:  # noqa: F811 (the fixture imported above)
    return _render(printed_form, 2, 200, tmp_path_factory.mktemp("page"))


@pytest.mark.slow
def test_a_phone_photo_of_the_form_is_flattened_and_read(page):
    shot = degrade.photo(page, random.Random(7), keystone=(0.06, 0.06), tilt=(2.0, 2.0), shadow=(0.4, 0.4),
                         blur=(0.7, 0.7), quality=(60, 60))
    buf = io.BytesIO()
    shot.pages[0].save(buf, "JPEG", quality=60)
    right = _right(document(buf.getvalue(), "image/jpeg", "IMG_2041.jpg"))
    assert sum(right.values()) >= 5, right


@pytest.mark.slow
def test_a_low_contrast_grey_scan_is_read(page):
    shot = degrade.grey(page, random.Random(3), low=(120, 120), high=(170, 170), gradient=(0.2, 0.2))
    right = _right(document(_image_pdf(shot.pages, 200), PDF, "scan.pdf"))
    assert all(right.values()), right


@pytest.mark.slow
def test_a_fine_resolution_fax_as_a_multi_page_tiff_is_read(page):
    rng = random.Random(11)
    sheets = [degrade.fax(page, rng, 200, fine=True, speckle=(0.001, 0.001), skew=0.5).pages[0] for _ in range(2)]
    data = degrade.to_tiff(sheets)
    assert read_layout(document(data, "image/tiff", "fax.tif")).pages == 2
    right = _right(document(data, "image/tiff", "fax.tif"))
    assert sum(right.values()) >= 5, right


@pytest.mark.slow
def test_a_sheet_fed_upside_down_is_read(page):
    shot = degrade.turned(page, random.Random(5), degrees=180)
    right = _right(document(_image_pdf(shot.pages, 200), PDF, "scan.pdf"))
    assert all(right.values()), right


# -- the steps, on pictures whose answer is known ---------------------------------

def _text_page() -> Image.Image:
    img = Image.new("L", (1654, 2339), 255)
    d = ImageDraw.Draw(img)
    for i in range(30):
        d.rectangle((150, 200 + 60 * i, 150 + 30 * (i % 7 + 10), 230 + 60 * i), fill=10)
    return img


def test_a_clean_page_passes_through_untouched():
    img = _text_page()
    assert not page_clean.speckled(np.asarray(img))
    out, dpi = page_clean.clean(img, 200)
    assert dpi == 200 and np.array_equal(np.asarray(out), np.asarray(img))


def test_grey_and_shadowed_pages_get_white_paper_and_black_ink():
    shot = degrade.grey(_text_page(), random.Random(1), low=(110, 110), high=(160, 160), gradient=(0.3, 0.3))
    a = np.asarray(shot.pages[0])
    assert np.median(a) < 170  # the test page really is dark
    out = np.asarray(page_clean.clean(shot.pages[0], 200)[0])
    assert np.median(out) > 235 and np.percentile(out, 1) < 40


def test_the_sheet_in_a_photo_is_found_and_made_a4():
    img = _text_page()
    shot = degrade.photo(img, random.Random(2), keystone=(0.1, 0.1), tilt=(4.0, 4.0), shadow=(0.3, 0.3),
                         blur=(0.8, 0.8), quality=(60, 60))
    found = page_clean.sheet_of_photo(np.asarray(shot.pages[0].convert("L")))
    assert found is not None
    flat, width = found
    assert abs(flat.shape[0] / flat.shape[1] - 1.414) < 0.02
    assert 0.85 < width / img.width < 1.15
    # a scan that fills its frame is not a photo of a sheet
    assert page_clean.sheet_of_photo(np.asarray(img)) is None


def test_speckle_goes_and_strokes_stay():
    a = np.full((400, 400), 255, np.uint8)
    a[100:300, 198:201] = 0  # a 3-pixel stroke
    rng = np.random.default_rng(0)
    dots = rng.random(a.shape) < 0.003
    a[dots] = 0
    assert page_clean.speckled(a)
    out = page_clean.despeckle(a)
    assert (out[100:300, 199] == 0).all()
    stray = np.count_nonzero(out[:, :150] == 0)
    assert stray < 0.1 * np.count_nonzero(a[:, :150] == 0)


def test_fax_pixels_are_made_square():
    img = Image.new("1", (1700, 1100), 1)
    img.info["dpi"] = (204, 98)
    out = square_pixels(img)
    assert out.size == (1700, round(1100 * 204 / 98)) and out.info["dpi"] == (204, 204)
    img.info["dpi"] = (200, 200)
    assert square_pixels(img) is img


# -- rulings on photographed and faxed pages ----------------------------------------

def _table_page(slope: float = 0.0) -> np.ndarray:
    """A ruled two-column table with text in its cells, its rulings sloping
    by ``slope`` (pixels per pixel), as a warp that is a little out of true
    leaves them."""
    img = Image.new("L", (1700, 2200), 255)
    d = ImageDraw.Draw(img)
    x0, x1, xm = 150, 1550, 600
    ys = [300 + 250 * i for i in range(7)]

    def pt(x, y):
        return (x + slope * (y - 300), y + slope * (x - 150))

    for y in ys:
        d.line([pt(x0, y), pt(x1, y)], fill=0, width=4)
    for x in (x0, xm, x1):
        d.line([pt(x, ys[0]), pt(x, ys[-1])], fill=0, width=4)
    for y in ys[:-1]:
        for k in range(3):
            # "text" as blur leaves bold letters: strokes joined along their
            # baseline into one thin run, a cell's margin clear of the rulings
            for left in (x0 + 40, x0 + 240, xm + 40, xm + 240):
                bx, by = pt(left, y + 50 + 55 * k)
                d.rectangle((bx, by + 26, bx + 150, by + 28), fill=0)
                for sx in range(0, 150, 10):
                    d.rectangle((bx + sx, by, bx + sx + 4, by + 28), fill=0)
    return np.asarray(img)


def test_a_line_through_bold_text_is_not_a_ruling_and_the_table_is_found():
    from intake.parsers.ocr.rulings import build_grids, find_rulings

    a = _table_page()
    h, v = find_rulings(a < 160, 200)
    # the table's 7 rulings, none inside the text rows
    assert len(h) == 7 and all(abs((ln.y - 300) % 250) < 6 or abs((ln.y - 300) % 250 - 250) < 6 for ln in h)
    grids = build_grids(h, v, 200)
    assert len(grids) == 1 and len(grids[0].rows) == 6 and all(len(r[2]) == 2 for r in grids[0].rows)


def test_a_ruling_a_little_out_of_true_is_one_ruling():
    from intake.parsers.ocr.rulings import find_rulings

    a = np.full((2200, 1700), 255, np.uint8)
    # a vertical ruling 4 px thick stepping 6 px sideways halfway down, between two horizontal ones
    a[300:304, 150:1550] = 0
    a[1800:1804, 150:1550] = 0
    a[300:1100, 600:604] = 0
    a[1000:1804, 606:610] = 0
    _, v = find_rulings(a < 160, 200)
    assert any(abs(ln.x - 604) < 4 and ln.y0 <= 305 and ln.y1 >= 1799 for ln in v), v


def test_a_photographed_sheet_is_squared_to_its_rulings():
    a = _table_page(slope=0.006)
    out = page_clean.square_to_rulings(a)
    from intake.parsers.ocr.rulings import find_rulings

    # out of true: the long rulings break into steps; squared: all found again
    assert len(find_rulings(a < 160, 200)[0]) < 7 <= len(find_rulings(out < 160, 200)[0])
    # a page without a ruled table is left as it is
    plain = np.asarray(_text_page())
    assert page_clean.square_to_rulings(plain) is plain
