"""E-mail bodies: plain text and HTML."""

from __future__ import annotations

from intake.parsers.readers import media_types, read_layout
from intake.types import Document, Paragraph, Table, sha256_hex


def body(data: bytes, media_type: str) -> Document:
    return Document("body", None, media_type, sha256_hex(data), data)


def test_plain_text_paragraphs_split_at_blank_lines():
    text = ("Hi team,\r\n\r\nName: Leah Green\r\nAge: 15\r\n\r\n\r\n"
            "She was picked up by a blue Vauxhall, plate AB12 CDE.\r\n").encode()
    layout = read_layout(body(text, "text/plain"))
    assert [b.text for b in layout.blocks] == [
        "Hi team,", "Name: Leah Green\nAge: 15", "She was picked up by a blue Vauxhall, plate AB12 CDE."]
    assert all(b.provenance.source == "body" for b in layout.blocks)


def test_plain_text_in_cp1252_and_utf16_decodes():
    layout = read_layout(body("Café owner – “Mo”".encode("cp1252"), "text/plain"))
    assert layout.blocks[0].text == "Café owner – “Mo”"
    layout = read_layout(body(b"\xff\xfe" + "Name: Zoë".encode("utf-16-le"), "text/plain"))
    assert layout.blocks[0].text == "Name: Zoë"


def test_html_drops_scripts_keeps_tables_and_checkboxes():
    html = b"""<html><head><title>x</title><style>p{color:red}</style>
    <script>document.write('tracking')</script></head><body>
    <p>Please see below.<br>Thanks</p>
    <img src="http://example.com/pixel.gif">
    <table><tr><th>Name</th><td>Ryan Hale</td></tr>
    <tr><td>Willing to engage</td><td><input type="checkbox" name="yes" checked> Yes
      <input type="checkbox" name="no"> No</td></tr>
    <tr><td>Vehicle</td><td>..........</td></tr></table>
    <div>Kind regards<!-- a comment --></div></body></html>"""
    layout = read_layout(body(html, "text/html"))
    text = layout.plain_text()
    assert "tracking" not in text and "color" not in text and "comment" not in text
    assert isinstance(layout.blocks[0], Paragraph)
    assert layout.blocks[0].text == "Please see below.\nThanks"
    table = next(b for b in layout.blocks if isinstance(b, Table))
    assert [c.text for c in table.rows[0]] == ["Name", "Ryan Hale"]
    willing = table.rows[1][1]
    assert willing.text == "\u2612 Yes \u2610 No"
    assert [(f.name, f.checked) for f in willing.fields] == [("yes", True), ("no", False)]
    assert willing.text[willing.fields[1].start:willing.fields[1].end] == "\u2610"
    assert table.rows[2][1].text == ""
    assert layout.blocks[-1].text == "Kind regards"


def test_empty_and_broken_html_give_empty_layouts():
    assert read_layout(body(b"", "text/html")).blocks == []
    layout = read_layout(body(b"<table><tr><td>open cell<td>x", "text/html"))
    assert [c.text for c in layout.blocks[0].rows[0]] == ["open cell", "x"]


def test_registry_covers_the_formats_we_promise():
    for mt in ("application/pdf", "text/plain", "text/html", "application/msword", "application/rtf",
               "application/vnd.oasis.opendocument.text", "image/png", "image/jpeg", "image/tiff",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
        assert mt in media_types(), mt
