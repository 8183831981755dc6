"""Ordinary e-mail as other people's clients and servers write it: HTML in
the first 2 KB, undeclared Shift-JIS, a blank first line, a raw UTF-8 file
name, a message attached as a file. Each was once rejected or mangled;
each must come through replay as the mail it is."""

from __future__ import annotations

import json

import pytest

from intake.cli import main
from intake.ingest.mime_walk import walk
from tests.support.mail import NARRATIVE, message

HTML_MAIL = (b"From: Sam Teacher <sam.teacher@school.example.org>\r\n"
             b"To: mase-intel@example.police.uk\r\nSubject: Concern\r\n"
             b"Date: Wed, 4 Mar 2026 14:30:00 +0000\r\nMessage-ID: <html-first@school.example.org>\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
             b"--m\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>" + NARRATIVE.encode()
             + b"</p></body></html>\r\n--m\r\nContent-Type: application/pdf; name=\"form.pdf\"\r\n"
             b"Content-Disposition: attachment; filename=\"form.pdf\"\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--m--\r\n")


def _replay(tmp_path, capsys, *paths, expect_exit=0):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    capsys.readouterr()
    assert main(["replay", "--db", url, *map(str, paths)]) == expect_exit
    summary = capsys.readouterr()
    assert main(["export", "--db", url]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return summary, rows


@pytest.mark.parametrize("where", ["path", "folder"])
def test_mail_with_html_first_is_mail_as_a_path_and_in_a_folder(tmp_path, capsys, where):
    f = tmp_path / "in" / "message.txt"
    f.parent.mkdir()
    f.write_bytes(HTML_MAIL)
    summary, rows = _replay(tmp_path, capsys, f if where == "path" else f.parent)
    assert "messages read: 1  new: 1" in summary.out and "skipped" not in summary.out + summary.err
    assert sorted((r["kind"], r["filename"]) for r in rows) == [("attachment", "form.pdf"), ("body", None)]
    assert not any((r["exception"] or {}).get("code") == "unreadable_message" for r in rows)


def test_html_first_mail_attached_as_octet_stream_is_walked_for_its_attachments():
    outer = message(body="Forwarding as received.",
                    attachments=[("original.eml", HTML_MAIL, "application/octet-stream")])
    r = walk(outer.as_bytes())
    assert [d.filename for d in r.documents if d.kind == "attachment"] == ["form.pdf"]
    assert any(d.kind == "body" and b"Mare Street" in d.data for d in r.documents)


def test_undeclared_shift_jis_body_is_decoded_not_called_binary():
    text = "報告：公園で少女を見かけました。車のナンバーは AB12 CDE です。" + NARRATIVE
    raw = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text.encode("shift_jis"))
    (doc,) = walk(raw).documents
    assert doc.data.decode().startswith("報告：公園で少女を見かけました")


@pytest.mark.parametrize("prefix", [b"\n", b"\r\n", b"    \r\n", b"\xef\xbb\xbf"])
def test_message_with_a_blank_first_line_keeps_its_headers(tmp_path, capsys, prefix):
    f = tmp_path / "saved.eml"
    f.write_bytes(prefix + message(msgid="<blank-first@example.org>", subject="Blank first line").as_bytes())
    summary, rows = _replay(tmp_path, capsys, f)
    (row,) = rows
    assert row["message"]["subject"] == "Blank first line" and row["status"] == "parsed"


def test_raw_utf8_file_name_is_exported_as_written(tmp_path, capsys):
    raw = ("From: a@example.org\nTo: b@example.org\nSubject: x\nMessage-ID: <raw8@example.org>\n"
           "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nhi\n"
           "--XX\nContent-Type: application/zip; name=\"ФНС_РФ558.zip\"\n"
           "Content-Disposition: attachment; filename=\"ФНС_РФ558.zip\"\nContent-Transfer-Encoding: base64\n\n"
           "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\n--XX--\n").encode("utf-8")
    (tmp_path / "m.eml").write_bytes(raw)
    _, rows = _replay(tmp_path, capsys, tmp_path / "m.eml")
    assert [r["filename"] for r in rows] == ["ФНС_РФ558.zip"]


def test_second_replay_summary_counts_only_what_it_stored(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (folder / "ok.eml").write_bytes(message(msgid="<ok@example.org>").as_bytes())
    first, _ = _replay(tmp_path, capsys, folder)
    assert "unreadable items stored as exceptions: 1" in first.out
    second, rows = _replay(tmp_path, capsys, folder)
    assert "messages read: 2  new: 0  already known: 2" in second.out
    assert "stored as exceptions" not in second.out
    assert "unreadable items already stored: 1" in second.out
    assert len(rows) == 2
