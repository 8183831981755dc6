"""Pictures of a form's pages sent as separate attachments are read as one
document: the West Midlands form (two pages, the narrative on the second),
photographed page by page with a phone (keystone, shadow, blur, JPEG, from
fixtures/formgen/degrade.py), three pictures in one message (the second
page taken twice, as people retake a blurred shot, byte for byte the same
file attached again); replayed twice and from another archive copy. A photo
of page 1 beside a logo, or beside a photo that is not a page, stays as it
is. Real LibreOffice (to print the form) and real Tesseract."""

from __future__ import annotations

import dataclasses
import difflib
import io
import json
import mailbox
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from fixtures.formgen import degrade, west_midlands
from fixtures.formgen.content import make_content
from fixtures.formgen.fakes import Fakes
from fixtures.formgen.style import Style
from intake.cli import main
from intake.ingest.mime_walk import walk
from intake.ingest.page_groups import _page_number, group_pages, measure, order_pages
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.page_set import is_page_set, pack, unpack
from intake.parsers.tools.soffice import convert
from intake.types import PAGE_SET, Document, sha256_hex
from tests.ingest.test_replay import export, table_counts
from tests.support.mail import message


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def form():
    """(the two page photos as JPEG bytes, the form's true fields)."""
    import pypdfium2 as pdfium

    fk = Fakes(random.Random(2303))
    data, fields = west_midlands.fill(make_content(fk), Style("standard", tick="sdt"))
    pdf = pdfium.PdfDocument(convert(data, ".docx", "pdf", ParsingOptions(), "test form"))
    try:
        pages = [pdf[i].render(scale=200 / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))]
    finally:
        pdf.close()
    assert len(pages) == 2
    rng = random.Random(23)
    photos = []
    for p in pages:
        shot = degrade.photo(p, rng, keystone=(0.05, 0.05), tilt=(-2.0, 2.0), shadow=(0.35, 0.35),
                             blur=(0.7, 0.7), quality=(60, 60))
        photos.append(_jpeg(shot.pages[0], 60))
    return photos, fields


def _logo() -> bytes:
    img = Image.new("RGB", (320, 90), "white")
    ImageDraw.Draw(img).text((10, 30), "Leek Youth Centre", fill="navy")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _not_a_page() -> bytes:
    """A photo of a scene: a phone's frame size, smooth shapes, no text."""
    rng = random.Random(5)
    img = Image.new("L", (2067, 2806), 120)
    d = ImageDraw.Draw(img)
    for _ in range(12):
        x, y, r = rng.randrange(2067), rng.randrange(2806), rng.randrange(150, 600)
        d.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(30, 230))
    return _jpeg(img.filter(ImageFilter.GaussianBlur(6)), 80)


def _doc(data: bytes, name: str, path: str, media: str = "image/jpeg") -> Document:
    return Document(kind="attachment", filename=name, media_type=media, sha256=sha256_hex(data), data=data,
                    declared_type=media, part_path=path)


# -- which pictures are pages, and their order ------------------------------------

def test_page_numbers_in_file_names_order_the_pages():
    assert [_page_number(n) for n in ("IMG_0003.jpg", "page2.png", "form p1.jpg", "scan-p12.tif",
                                      "Photo.jpg", None)] == [3, 2, 1, 12, None, None]
    docs = [_doc(b"b", "IMG_0002.jpg", "3"), _doc(b"a", "IMG_0001.jpg", "2"), _doc(b"c", "IMG_0010.jpg", "4")]
    assert [d.filename for d in order_pages(docs)] == ["IMG_0001.jpg", "IMG_0002.jpg", "IMG_0010.jpg"]
    # a name without a number, or two alike: the message's order stands
    docs[2] = dataclasses.replace(docs[2], filename="photo.jpg")
    assert [d.part_path for d in order_pages(docs)] == ["3", "2", "4"]


def test_a_page_set_is_the_same_bytes_for_the_same_pages_in_the_same_order(form):
    photos, _ = form
    a = pack([(photos[0], "image/jpeg"), (photos[1], "image/jpeg")])
    assert a == pack([(photos[0], "image/jpeg"), (photos[1], "image/jpeg")])
    assert a != pack([(photos[1], "image/jpeg"), (photos[0], "image/jpeg")])
    assert is_page_set(a) and [d for d, _ in unpack(a)] == photos
    # the sender's file names are not in it: the same pages under other names are the same document
    one = group_pages([_doc(photos[0], "IMG_1.jpg", "2"), _doc(photos[1], "IMG_2.jpg", "3")])
    other = group_pages([_doc(photos[0], "page1.jpg", "1.2"), _doc(photos[1], "page2.jpg", "1.3")])
    assert len(one) == len(other) == 1 and one[0].sha256 == other[0].sha256 == sha256_hex(one[0].data)


def test_photos_of_pages_are_measured_as_pages_and_a_logo_and_a_scene_are_not(form):
    photos, _ = form
    assert all(measure(p).page_like for p in photos)
    assert not measure(_logo()).page_like
    assert not measure(_not_a_page()).page_like


def test_a_photo_of_page_one_beside_a_logo_or_a_scene_stays_single(form):
    photos, _ = form
    msg = message(body="Please find attached.",
                  attachments=[("IMG_0001.jpg", photos[0], "image/jpeg"), ("logo.png", _logo(), "image/png"),
                               ("IMG_0002.jpg", _not_a_page(), "image/jpeg")])
    docs = walk(msg.as_bytes()).documents
    assert [d.media_type for d in docs] == ["image/jpeg", "image/png", "image/jpeg"]
    assert [d.filename for d in docs] == ["IMG_0001.jpg", "logo.png", "IMG_0002.jpg"]


def test_a_forwarded_message_keeps_its_own_pages(form):
    from tests.support.mail import forward

    photos, _ = form
    inner = message(body="Pages attached.", attachments=[("p1.jpg", photos[0], "image/jpeg")])
    outer = forward(inner)
    outer.add_attachment(photos[1], maintype="image", subtype="jpeg", filename="p2.jpg")
    docs = walk(outer.as_bytes()).documents
    # one page at each level: nothing is put together across messages
    assert sorted(d.media_type for d in docs if d.kind == "attachment") == ["image/jpeg", "image/jpeg"]


# -- end to end ---------------------------------------------------------------

@pytest.mark.slow
def test_three_photos_of_a_two_page_form_are_one_document_replayed_twice(form, tmp_path, capsys):
    photos, fields = form
    # MIME order is not page order; page 2 was attached twice
    msg = message(msgid="<pages@school.example.org>", body="Please find attached.",
                  attachments=[("IMG_0002.jpg", photos[1], "image/jpeg"), ("IMG_0001.jpg", photos[0], "image/jpeg"),
                               ("IMG_0002 (1).jpg", photos[1], "image/jpeg")])
    mb = mailbox.mbox(str(tmp_path / "a.mbox"))
    mb.add(msg)
    mb.flush()
    mb.close()
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert main(["replay", "--db", url, str(tmp_path / "a.mbox")]) == 0
    once = table_counts(url)
    first = export(url, capsys)
    docs = [json.loads(line) for line in first.splitlines()]
    attached = [d for d in docs if d["kind"] == "attachment"]
    assert len(attached) == 1, [(d["filename"], d["status"]) for d in docs]
    doc = attached[0]
    assert doc["media_type"] == PAGE_SET
    assert [(p["page"], p["filename"]) for p in doc["pages"]] == [(1, "IMG_0001.jpg"), (2, "IMG_0002.jpg")]
    assert [p["part"] for p in doc["pages"]] == ["3", "2"]
    assert doc["status"] == "parsed" and doc["template"] == "west_midlands_fib"
    got = doc["fields"]
    # page 1's fields and page 2's narrative, on one record
    assert got.get("submitter.name") == fields["submitter.name"]
    assert got.get("subject.name", fields.get("subject.name")) == fields.get("subject.name")
    narrative = got.get("incident.narrative") or ""
    assert difflib.SequenceMatcher(None, narrative, fields["incident.narrative"]).ratio() > 0.9, narrative
    right = sum(str(got.get(k)) == str(v) for k, v in fields.items() if v is not None)
    assert right >= 0.7 * sum(v is not None for v in fields.values()), got

    # again, and the same message from a Maildir copy: nothing more
    md = mailbox.Maildir(str(tmp_path / "md"), create=True)
    md.add(mailbox.MaildirMessage(msg))
    md.close()
    assert main(["replay", "--db", url, str(tmp_path / "a.mbox"), str(tmp_path / "md")]) == 0
    after = table_counts(url)
    assert {k: v for k, v in after.items() if k != "sightings"} == {k: v for k, v in once.items() if k != "sightings"}
    assert export(url, capsys) == first


@pytest.mark.slow
def test_the_original_view_shows_the_pages_in_order(form):
    from intake.review.rendering import Renditions

    photos, _ = form
    data = pack([(photos[0], "image/jpeg"), (photos[1], "image/jpeg")])
    r = Renditions(None)
    prev = r.preview(PAGE_SET, sha256_hex(data), data, None)
    assert prev.kind == "pages" and prev.pages == 2
    for n, photo in enumerate(photos, start=1):
        png = Image.open(io.BytesIO(r.page_png(PAGE_SET, sha256_hex(data), data, n)))
        want = Image.open(io.BytesIO(photo)).convert("L").resize(png.size)
        diff = float(np.abs(np.asarray(png.convert("L"), np.float32) - np.asarray(want, np.float32)).mean())
        assert diff < 8, (n, diff)
