"""Legacy .doc, .odt and .rtf through real LibreOffice."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx as pydocx
import pytest
from reader_forms import blank, cell_after, document, fill_legacy_fields, tables

from intake.config.settings import Settings
from intake.parsers.readers import read_layout
from intake.parsers.sniff import DOC, ODT, RTF, sniff_media_type
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools import soffice
from intake.types import IntakeError, Paragraph

pytestmark = pytest.mark.slow


def _with_trailing_paragraph(data: bytes) -> bytes:
    # A .docx ending in a table loses it on export to .doc (LibreOffice 7.x does so).
    d = pydocx.Document(io.BytesIO(data))
    d.add_paragraph("End of form.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def derbyshire_docx() -> bytes:
    data = fill_legacy_fields(
        blank("derbyshire_op_liberty.docx"),
        texts={"Text2": "Priya Kaur", "Text3": "School Nurse", "Text9": "14/07/2011"},
        checks={"Check2": True, "Check3": True},
    )
    return _with_trailing_paragraph(data)


def test_doc_is_converted_and_read_with_values_and_ticks(derbyshire_docx):
    doc = soffice.convert(derbyshire_docx, ".docx", "doc", ParsingOptions(), "test")
    assert sniff_media_type(doc, "form.doc") == DOC
    layout = read_layout(document(doc, DOC, "form.doc"))
    assert layout.source == "doc\u2192docx"
    assert cell_after(layout, "Name").text == "Priya Kaur"
    assert cell_after(layout, "Post/Job Title").text == "School Nurse"
    assert cell_after(layout, "Agency").text == ""  # five en spaces survive as nothing
    assert cell_after(layout, "Professional").text == "\u2612"
    assert cell_after(layout, "Member of Public").text == "\u2610"
    checks = [f for t in tables(layout) for row in t.rows for c in row for f in c.fields
              if f.kind == "checkbox"]
    checks += [f for b in layout.blocks if isinstance(b, Paragraph) for f in b.fields
               if f.kind == "checkbox"]
    assert sorted(f.checked for f in checks) == [False, False, True, True]


@pytest.mark.parametrize("fmt,media_type,short", [("odt", ODT, "odt"), ("rtf", RTF, "rtf")])
def test_odt_and_rtf_are_converted(fmt, media_type, short):
    d = pydocx.Document(io.BytesIO(blank("met_mase_intel.docx")))
    d.tables[0].cell(4, 1).text = "Behind the chip shop on Mill Road, Fridays after 9pm."
    out = io.BytesIO()
    d.save(out)
    converted = soffice.convert(_with_trailing_paragraph(out.getvalue()), ".docx", fmt,
                                ParsingOptions(), "test")
    assert sniff_media_type(converted, f"x.{fmt}") == media_type
    layout = read_layout(document(converted, media_type, f"form.{fmt}"))
    assert layout.source == f"{short}\u2192docx"
    assert cell_after(layout, "5. Where").text == "Behind the chip shop on Mill Road, Fridays after 9pm."


def _soffice_processes_using(profile: Path) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if str(profile).encode() in cmd:
            found.append(int(pid))
    return found


def test_conversion_timeout_kills_libreoffice_and_says_so(derbyshire_docx):
    # A LibreOffice started for the one document (no resident one: that
    # path has its own test in test_soffice_resident.py).
    settings = Settings(raw={"parsing": {"convert_timeout_s": 0.3, "soffice_python": ""}})
    data = soffice.convert(derbyshire_docx, ".docx", "doc", ParsingOptions(), "test")
    profile = soffice._profile_dir()
    with pytest.raises(IntakeError) as info:
        read_layout(document(data, DOC, "form.doc"), settings)
    assert info.value.code == "conversion_failed"
    assert "convert_timeout_s" in info.value.detail
    assert _soffice_processes_using(profile) == []
    # the next conversion starts from a fresh profile and works
    layout = read_layout(document(data, DOC, "form.doc"))
    assert cell_after(layout, "Name").text == "Priya Kaur"


def test_damaged_doc_is_conversion_failed():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096)
    with pytest.raises(IntakeError) as info:
        read_layout(document(data, DOC, "broken.doc"))
    assert info.value.code == "conversion_failed"


def test_missing_libreoffice_is_reported():
    settings = Settings(raw={"parsing": {"soffice": "/nonexistent/soffice"}})
    with pytest.raises(IntakeError) as info:
        read_layout(document(b"{\\rtf1 hello}", RTF, "x.rtf"), settings)
    assert info.value.code == "tool_missing"
