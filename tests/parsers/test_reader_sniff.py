"""Content sniffing decides which reader runs: damaged and disguised files
must reach the reader that can say what is wrong with them, mail is mail
whatever its body holds, and text in any encoding is text."""

from __future__ import annotations

import io
import shutil

import olefile
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from reader_forms import blank, document

from intake.parsers.readers import read_layout
from intake.parsers.sniff import (
    DOC,
    DOCX,
    EML,
    HTML,
    OCTET,
    PDF,
    TEXT,
    ZIP,
    looks_like_email,
    sniff_media_type,
    text_encoding,
)
from intake.parsers.support.options import ParsingOptions
from intake.parsers.tools.soffice import convert
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


# ---------------------------------------------------------------- mail first, real charsets

MAIL_HEAD = (b"From: Sam Teacher <sam.teacher@school.example.org>\r\n"
             b"To: mase-intel@example.police.uk\r\nSubject: Concern\r\n"
             b"Date: Wed, 4 Mar 2026 14:30:00 +0000\r\nMIME-Version: 1.0\r\n")


def test_mail_with_html_in_its_first_2kb_is_mail_not_html():
    data = MAIL_HEAD + b"Content-Type: text/html\r\n\r\n<html><body><p>Seen at the park.</p></body></html>\r\n"
    assert sniff_media_type(data, "forwarded.html") == EML


def test_mail_whose_body_is_shift_jis_is_mail_and_the_text_is_text():
    body = "報告書を添付します。公園で見かけました。よろしくお願いします。\r\n".encode("shift_jis") * 4
    assert b"\x81" in body or b"\x8d" in body or b"\x9f" in body  # bytes cp1252 leaves undefined
    assert sniff_media_type(MAIL_HEAD + b"Content-Type: text/plain\r\n\r\n" + body) == EML
    assert sniff_media_type(body, "note.txt") == TEXT
    assert text_encoding(body) in ("cp932", "shift_jis", "shift_jis_2004")


@pytest.mark.parametrize("text,codec", [
    ("Это письмо на русском языке. Отчёт во вложении, прочтите его сегодня.\n", "koi8_r"),
    ("这是一封中文邮件，请查看附件中的报告，谢谢。\n", "gb18030"),
    ("이것은 한국어 이메일입니다. 보고서를 첨부합니다. 감사합니다.\n", "euc_kr"),
    ("The boy’s mother said “no” – twice. Café at 3pm.\n", "cp1252"),
])
def test_legacy_encodings_are_text(text, codec):
    data = (text * 3).encode(codec)
    assert sniff_media_type(data) == TEXT
    assert (data.decode(text_encoding(data)) == text * 3) or codec != "cp1252"


def test_western_text_prefers_cp1252_among_equal_code_pages():
    data = "Dear Sir, the boy’s mother said “no”; œuvre.".encode("cp1252")
    assert text_encoding(data) == "cp1252"


@pytest.mark.parametrize("prefix", [b"\n", b"\r\n", b"   \r\n", b"\xef\xbb\xbf", b"\n\n\n",
                                    b"From sam.teacher@school.example.org Wed Mar  4 14:30:00 2026\n",
                                    b"Microsoft Mail Internet Headers Version 2.0\r\n"])
def test_mail_after_a_blank_line_bom_or_envelope_is_mail(prefix):
    assert sniff_media_type(prefix + MAIL_HEAD + b"\r\nHello.\r\n") == EML


def test_a_typed_form_with_from_and_date_labels_is_not_mail():
    form = b"From: Sam Teacher\nTo: MASE team\nDate: 04/03/2026\nSubject: Concern about J\n\nJ was seen at the park.\n"
    assert not looks_like_email(form)
    assert sniff_media_type(form, "report.txt") == TEXT


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom_are_text(codec):
    html = "<html><body><p>Report</p><p>Seen at the park.</p></body></html>"
    data = html.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    assert sniff_media_type(data, "page.htm") == HTML
    assert sniff_media_type("Plain words only.\n".encode("utf-16"), None) == TEXT


def test_binary_is_not_text():
    import random

    rnd = random.Random(7)
    assert sniff_media_type(bytes(rnd.getrandbits(8) for _ in range(4096))) == OCTET
    assert sniff_media_type(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)) == OCTET


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_fuzz_sniff_never_raises(data):
    mt = sniff_media_type(data, None)
    assert isinstance(mt, str) and "/" in mt


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from([b"\r\n", b"\n"]))
def test_fuzz_mail_is_mail_whatever_its_body(body, nl):
    head = MAIL_HEAD.replace(b"\r\n", nl) + b"Content-Type: text/html" + nl + nl
    assert sniff_media_type(head + body) == EML
