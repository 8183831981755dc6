"""Content sniffing decides which reader runs: damaged and disguised files
must reach the reader that can say what is wrong with them."""

from __future__ import annotations

import io
import shutil

import olefile
import pytest
from reader_forms import blank, document

from intake.parsers.readers import read_layout
from intake.parsers.sniff import DOC, DOCX, HTML, PDF, TEXT, ZIP, sniff_media_type
from intake.parsers.support.options import ParsingOptions
from intake.parsers.support.soffice import convert
from intake.types import IntakeError


def test_truncated_docx_is_still_a_docx_and_reported_damaged():
    data = blank("west_midlands_fib.docx")[:9000]
    assert sniff_media_type(data, "report.docx") == DOCX
    with pytest.raises(IntakeError) as info:
        read_layout(document(data, DOCX))
    assert info.value.code == "corrupt_document"


def test_plain_zip_stays_a_zip():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("photos/one.txt", "x")
    assert sniff_media_type(out.getvalue(), "x.zip") == ZIP


def test_pdf_with_junk_before_the_header():
    assert sniff_media_type(b"\r\n" + blank("met_mase_intel.pdf"), "x") == PDF


@pytest.mark.parametrize("body,expected", [
    (b"<div>Name: Jo Bloggs<br>Age: 14</div><p>Seen at the park.</p>", HTML),
    (b"<p>One</p>\n<p>Two</p><p>Three</p>", HTML),
    (b"I <3 the new form. Name <b> is missing", TEXT),
    (b"Name: Jo Bloggs\nAge: 14\n", TEXT),
])
def test_html_fragments_without_an_html_tag(body, expected):
    assert sniff_media_type(body, None) == expected


@pytest.mark.slow
def test_password_protected_doc_is_encrypted_not_a_conversion_failure(tmp_path):
    doc = convert(blank("met_mase_intel.docx"), ".docx", "doc", ParsingOptions(), "test")
    assert sniff_media_type(doc, "x.doc") == DOC
    path = tmp_path / "locked.doc"
    path.write_bytes(doc)
    shutil.copy(path, tmp_path / "copy.doc")
    ole = olefile.OleFileIO(str(path), write_mode=True)
    stream = bytearray(ole.openstream("WordDocument").read())
    flags = int.from_bytes(stream[10:12], "little") | 0x0100  # fEncrypted
    stream[10:12] = flags.to_bytes(2, "little")
    ole.write_stream("WordDocument", bytes(stream))
    ole.close()
    data = path.read_bytes()
    mt = sniff_media_type(data, "locked.doc")
    assert mt == "application/x-encrypted-office"
    with pytest.raises(IntakeError) as info:
        read_layout(document(data, mt, "locked.doc"))
    assert info.value.code == "encrypted_document"
