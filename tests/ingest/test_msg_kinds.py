"""Outlook items other than a plain received e-mail, of the kinds
msg-extractor's public suite holds (that suite is GPL, so the items are
generated with tests/support/msg_writer.py and read by the real
extract-msg): appointments, contacts and tasks; bodies whose RTF uses an
East-Asian code page or names a font it never declared; transport headers
that describe the original MIME structure; awkward attachment names."""

from __future__ import annotations

import json

import compressed_rtf
import pytest

from intake.cli import main
from intake.ingest.mime_walk import walk
from intake.ingest.sources.msg import msg_to_rfc822
from tests.support.mail import NARRATIVE
from tests.support.msg_writer import MsgAttachment, build_msg


def _esc(text: str, codec: str) -> str:
    return "".join(f"\\'{b:02x}" for b in text.encode(codec))


# RTF bodies Outlook writes for HTML mail, in East-Asian code pages: one
# with a double-byte character cut after its lead byte, one whose text uses
# a font the table never declared. extract-msg's RTF-to-HTML step raises on
# both (UnicodeDecodeError, KeyError) although the plain body is there.
BROKEN_RTF = {
    "cp932-cut-character": "{\\rtf1\\ansi\\ansicpg932\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss\\fcharset128 "
                           "MS PGothic;}}{\\*\\htmltag64 <html>}\\htmlrtf {\\htmlrtf0 \\'82\\par}\\htmlrtf0 "
                           "{\\*\\htmltag57 </html>}}",
    "cp950-undeclared-font": "{\\rtf1\\ansi\\ansicpg950\\deff0{\\fonttbl{\\f0\\fnil\\fcharset136 MingLiU;}}"
                             "\\f1 " + _esc("中文報告", "cp950") + "\\par}",
}
KINDS = ["IPM.Note", "IPM.Appointment", "IPM.Contact", "IPM.Task", "IPM.Schedule.Meeting.Request"]


def _rtf(name: str) -> bytes:
    return compressed_rtf.compress(BROKEN_RTF[name].encode("ascii"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rtf", list(BROKEN_RTF))
def test_item_whose_rich_body_cannot_be_made_keeps_its_plain_body(kind, rtf):
    body = "日本語の報告です。" + NARRATIVE
    data = build_msg(message_class=kind, body=body, rtf_compressed=_rtf(rtf), codepage=932,
                     attachments=[MsgAttachment("referral.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")])
    r = walk(msg_to_rfc822(data))
    assert not r.problems
    assert [d.filename for d in r.documents if d.kind == "attachment"] == ["referral.pdf"]
    (text,) = [d.data.decode() for d in r.documents if d.kind == "body"]
    assert "日本語の報告です" in text and "Mare Street" in text


def test_item_with_only_a_broken_rtf_body_is_an_empty_message_not_a_damaged_one(tmp_path, capsys):
    path = tmp_path / "contact.msg"
    path.write_bytes(build_msg(message_class="IPM.Contact", body=None, rtf_compressed=_rtf("cp932-cut-character")))
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert main(["replay", "--db", url, str(path)]) == 0
    assert main(["export", "--db", url]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert row["exception"]["code"] == "no_report_content"


def test_transport_headers_of_the_original_structure_are_not_copied():
    headers = ("From: A <a@example.org>\r\nTo: b@example.org\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"abc\"\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\nMessage-ID: <x@example.org>\r\n\r\n")
    data = build_msg(body=NARRATIVE, extra_strings={0x007D: headers}, transport_headers=False)
    r = walk(msg_to_rfc822(data))
    assert r.problems == []  # no broken_mime of the conversion's own making
    assert r.headers.subject == "Café" and r.headers.message_id == "<x@example.org>"
    assert [d.kind for d in r.documents] == ["body"]


@pytest.mark.parametrize("name", ['say "hi".txt', "ФНС_РФ558.zip", "報告書 (final).pdf", "a;b=c.docx"])
def test_attachment_names_survive_the_conversion(name):
    data = build_msg(body="Please find attached.", attachments=[MsgAttachment(name, b"payload bytes", None)])
    r = walk(msg_to_rfc822(data))
    assert [d.filename for d in r.documents] == [name]


def test_conversion_is_deterministic_for_every_kind():
    for kind in KINDS:
        data = build_msg(message_class=kind, body=NARRATIVE, rtf_compressed=_rtf("cp950-undeclared-font"))
        assert msg_to_rfc822(data) == msg_to_rfc822(data)


@pytest.mark.parametrize("declared", ["message/rfc822", None])
def test_attached_email_file_is_read_as_a_nested_message(declared):
    """An Outlook item with an e-mail file attached: the e-mail's own parts
    are documents, one row each."""
    from tests.support.mail import message

    inner = bytes(message(msgid="<inner@school.example.org>",
                          attachments=[("form.txt", NARRATIVE.encode(), "text/plain"),
                                       ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")]))
    data = build_msg(body="See the attached e-mail.", attachments=[MsgAttachment("fwd.eml", inner, declared)])
    r = walk(msg_to_rfc822(data))
    assert sorted((d.filename or "", d.kind) for d in r.documents) == [("", "body"), ("form.txt", "attachment"),
                                                                       ("scan.pdf", "attachment")]
    assert all(".m" in d.part_path for d in r.documents)
    assert "broken_mime" not in [p.code for p in r.problems]
