"""The MIME walk: every attachment at any depth, bodies only when they carry
a report, encoded names, broken MIME, limits, and no crash on anything."""

from __future__ import annotations

import base64
import io
import zipfile

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake.ingest.mime_walk import MimeLimits, walk
from intake.parsers.sniff import DOCX, PDF
from tests.support.mail import NARRATIVE, forward, message

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_body_only_report_becomes_body_document():
    r = walk(message().as_bytes())
    assert [d.kind for d in r.documents] == ["body"]
    assert "Mare Street" in r.documents[0].data.decode()
    assert r.headers.subject == "Intelligence report"
    assert r.headers.from_addr == "sam.teacher@school.example.org"
    assert r.headers.date.isoformat() == "2026-03-04T14:30:00+00:00"
    assert not r.problems


def test_covering_note_body_is_not_a_report_but_attachment_is_kept():
    m = message(body="Hi,\n\nPlease find attached the form.\n\nKind regards,\nSam\n-- \nSam Teacher\nDSL",
                attachments=[("report.pdf", PDF_BYTES, "application/pdf")])
    r = walk(m.as_bytes())
    assert [(d.kind, d.filename, d.media_type) for d in r.documents] == [("attachment", "report.pdf", PDF)]
    assert r.skipped_bodies == 1


def test_substantial_body_beside_attachment_is_a_report_too():
    m = message(body=NARRATIVE + " " + NARRATIVE, attachments=[("report.pdf", PDF_BYTES, "application/pdf")])
    kinds = sorted(d.kind for d in walk(m.as_bytes()).documents)
    assert kinds == ["attachment", "body"]


def test_nested_forwards_at_any_depth_yield_inner_attachments():
    inner = message(body="Please see attached.", attachments=[("intel.docx", _docx_bytes(), "application/octet-stream")])
    outer = forward(inner, depth=4)
    r = walk(outer.as_bytes())
    atts = [d for d in r.documents if d.kind == "attachment"]
    assert [(d.filename, d.media_type) for d in atts] == [("intel.docx", DOCX)]
    # the part path records the nesting, so a reviewer can find it again
    assert atts[0].part_path.count(".m") == 4


def test_forwarded_body_carrying_the_report_is_found():
    outer = forward(message(), depth=2, note="Forwarding as requested.")
    bodies = [d for d in walk(outer.as_bytes()).documents if d.kind == "body"]
    assert len(bodies) == 1 and "Vauxhall Astra" in bodies[0].data.decode()


def test_attached_eml_file_declared_octet_stream_is_walked():
    inner = message(attachments=[("form.pdf", PDF_BYTES, "application/pdf")])
    outer = message(body="See attached email.", attachments=[("fwd.eml", inner.as_bytes(), "application/octet-stream")])
    names = sorted(d.filename or "(body)" for d in walk(outer.as_bytes()).documents)
    assert names == ["(body)", "form.pdf"]


def test_declared_type_and_extension_never_decide():
    m = message(body="See attached.", attachments=[("report.docx", PDF_BYTES, "application/msword")])
    (doc,) = walk(m.as_bytes()).documents
    assert doc.media_type == PDF and doc.declared_type == "application/msword"


RFC2047_NAME = (
    b"From: a@example.org\r\nTo: b@example.org\r\nSubject: =?utf-8?q?Caf=C3=A9_report?=\r\n"
    b"Message-ID: <enc@example.org>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n"
    b"See attached.\r\n--XX\r\nContent-Type: application/pdf; name=\"=?utf-8?b?"
    + base64.b64encode("Rapport d’incident – é.pdf".encode()) + b"?=\"\r\n"
    b"Content-Disposition: attachment; filename=\"=?utf-8?b?"
    + base64.b64encode("Rapport d’incident – é.pdf".encode()) + b"?=\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PDF_BYTES) + b"\r\n--XX--\r\n"
)

RFC2231_NAME = (
    b"From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: application/pdf\r\n"
    b"Content-Disposition: attachment; filename*=UTF-8''%C3%9Cber%20Bericht%20%E2%84%962.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PDF_BYTES) + b"\r\n--XX--\r\n"
)


def test_rfc2047_filename_and_subject_are_decoded():
    r = walk(RFC2047_NAME)
    assert r.headers.subject == "Café report"
    assert [d.filename for d in r.documents] == ["Rapport d’incident – é.pdf"]


def test_rfc2231_filename_is_decoded():
    assert [d.filename for d in walk(RFC2231_NAME).documents] == ["Über Bericht №2.pdf"]


def test_filename_is_never_a_path():
    m = message(body="x", attachments=[("../../etc/passwd.pdf", PDF_BYTES, "application/pdf")])
    assert [d.filename for d in walk(m.as_bytes()).documents] == ["passwd.pdf"]


def test_raw_8bit_latin1_headers_do_not_crash():
    raw = ("From: Zoë <z@example.org>\r\nSubject: Informe añadido\r\nMessage-ID: <l1@example.org>\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\n\r\n" + NARRATIVE + " Café Zoë.\r\n").encode("latin-1")
    r = walk(raw)
    assert r.headers.subject == "Informe añadido"
    assert "Café Zoë" in r.documents[0].data.decode("utf-8")


def test_unknown_charset_falls_back():
    raw = (b"From: a@example.org\r\nSubject: =?x-bogus?q?hello?=\r\nContent-Type: text/plain; charset=x-bogus\r\n\r\n"
           + NARRATIVE.encode() + b"\r\n")
    r = walk(raw)
    assert "hello" in r.headers.subject
    assert r.documents and r.documents[0].kind == "body"


def test_truncated_multipart_is_recorded_and_parts_kept():
    raw = message(body="See attached.", attachments=[("a.pdf", PDF_BYTES, "application/pdf")]).as_bytes()
    cut = raw[: raw.rindex(b"--")]  # lose the closing boundary
    r = walk(cut)
    assert any(p.code == "broken_mime" for p in r.problems)
    assert [d.filename for d in r.documents] == ["a.pdf"]


def test_damaged_base64_attachment_is_kept_with_a_problem():
    raw = (b"From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
           b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK!!!notbase64***\r\n--XX--\r\n")
    r = walk(raw)
    assert [d.filename for d in r.documents] == ["x.pdf"]
    assert any(p.code == "broken_mime" for p in r.problems)


def test_html_only_body_and_inline_logo_in_alternative_are_both_kept():
    m = message(body=NARRATIVE)
    m.add_alternative(f"<html><body><p>{NARRATIVE}</p><img src='cid:logo'></body></html>", subtype="html")
    html_part = m.get_payload()[1]
    html_part.add_related(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, maintype="image", subtype="png", cid="<logo>",
                          filename="logo.png")
    r = walk(m.as_bytes())
    kinds = sorted((d.kind, d.media_type) for d in r.documents)
    assert kinds == [("attachment", "image/png"), ("body", "text/plain")]
    body = next(d for d in r.documents if d.kind == "body")
    assert "<p>" not in body.data.decode()


def test_html_only_message_body_is_text():
    m = message()
    m.set_content(f"<html><style>p{{}}</style><body><p>{NARRATIVE}</p></body></html>", subtype="html")
    (doc,) = walk(m.as_bytes()).documents
    text = doc.data.decode()
    assert "Vauxhall" in text and "<p>" not in text and "p{}" not in text


def test_part_limit_is_a_problem_not_a_crash():
    m = message(body="x", attachments=[(f"f{i}.pdf", PDF_BYTES, "application/pdf") for i in range(20)])
    r = walk(m.as_bytes(), MimeLimits(max_parts=5))
    assert any(p.code == "mime_limit_exceeded" for p in r.problems)
    assert 0 < len(r.documents) < 20


def test_depth_limit_is_a_problem_not_a_crash():
    r = walk(forward(message(), depth=6).as_bytes(), MimeLimits(max_depth=3))
    assert any(p.code == "mime_limit_exceeded" for p in r.problems)


def test_oversized_message_is_a_problem():
    r = walk(message().as_bytes(), MimeLimits(max_message_bytes=100))
    assert [p.code for p in r.problems] == ["message_too_large"] and not r.documents


def test_message_without_headers_or_body():
    r = walk(b"")
    assert r.documents == [] and r.headers.message_id is None


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_fuzz_random_bytes_never_raise(data):
    r = walk(data)
    assert "mime_walk_error" not in [p.code for p in r.problems]


SEED = message(attachments=[("a.pdf", PDF_BYTES, "application/pdf")]).as_bytes()


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), max_size=30),
       st.integers(0, len(SEED)))
def test_fuzz_mutated_message_never_raises(mutations, cut):
    data = bytearray(SEED)
    for pos, byte in mutations:
        data[pos] = byte
    r = walk(bytes(data[:cut] if cut else data))
    assert "mime_walk_error" not in [p.code for p in r.problems]
    for d in r.documents:
        assert d.kind in ("attachment", "body") and len(d.sha256) == 64


INNER_HEAD = (b"From: Sam Teacher <sam.teacher@school.example.org>\r\nTo: mase-intel@example.police.uk\r\n"
              b"Subject: inner\r\nMIME-Version: 1.0\r\n")


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([b"text/html", b"text/plain", b"application/pkcs7-mime",
                                                   b"multipart/signed; boundary=\"s\"", b"message/rfc822"]),
       st.sampled_from([b"", b"\n", b"\xef\xbb\xbf", b"From x Wed Mar  4 14:30:00 2026\n"]))
def test_fuzz_attached_mail_of_any_kind_never_raises(body, ctype, prefix):
    """The new paths: a file that is mail (after a BOM, a blank line or an
    envelope) is walked whatever its body; signed and opaque parts are
    checked without ever failing the walk."""
    inner = prefix + INNER_HEAD + b"Content-Type: " + ctype + b"\r\n\r\n" + body
    outer = message(body="See attached.", attachments=[("fwd.eml", inner, "application/octet-stream")])
    r = walk(outer.as_bytes())
    assert "mime_walk_error" not in [p.code for p in r.problems]
    for d in r.documents:
        assert d.kind in ("attachment", "body") and len(d.sha256) == 64
    for s in r.signatures:
        assert s.valid in (None, False, True)
