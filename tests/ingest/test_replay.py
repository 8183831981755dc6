"""Replay end to end: mbox + Maildir + .eml folder into the store, twice,
and the export lists every document exactly once."""

from __future__ import annotations

import json
import mailbox
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from intake.cli import main
from intake.store import models
from tests.support.mail import NARRATIVE, forward, message

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_archives(root):
    """Three archives with one message shared between two of them."""
    shared = message(subject="shared", msgid="<shared@example.org>")
    mb = mailbox.mbox(str(root / "a.mbox"))
    for msg in [shared,
                message(msgid="<covering@example.org>", body="Please find attached.",
                        attachments=[("x.pdf", PDF_BYTES, "application/pdf")]),
                message(msgid="<empty@example.org>", body="Hi,\nThanks\n"),
                forward(message(msgid="<inner@example.org>", body="Please see attached",
                                attachments=[("y.pdf", PDF_BYTES + b" ", "application/pdf")]), depth=2)]:
        mb.add(msg)
    mb.flush()
    mb.close()
    md = mailbox.Maildir(str(root / "md"), create=True)
    md.add(mailbox.MaildirMessage(shared))  # the same message, another archive
    md.add(mailbox.MaildirMessage(message(msgid="<md2@example.org>", body=NARRATIVE + " Second.")))
    md.close()
    (root / "emls").mkdir()
    (root / "emls" / "1.eml").write_bytes(
        message(msgid="<e1@example.org>", body="Third report. " + NARRATIVE).as_bytes())
    (root / "emls" / "2.eml").write_bytes(
        message(msgid="<e2@example.org>", body="See attached.",
                attachments=[("dup.pdf", PDF_BYTES, "application/pdf")]).as_bytes())
    return [root / "a.mbox", root / "md", root / "emls"]


def table_counts(url):
    from intake.store.db import Store

    st = Store(url)
    try:
        with st.session() as s:
            return {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                    for t in (models.Blob, models.Message, models.Sighting, models.DocumentRow, models.RecordRow,
                              models.RecordField, models.MentionRow, models.ExceptionItem)}
    finally:
        st.close()


def export(url, capsys, fmt="jsonl"):
    capsys.readouterr()
    assert main(["export", "--db", url, "--format", fmt]) == 0
    return capsys.readouterr().out


def run_replay_twice(url, paths, capsys):
    assert main(["replay", "--db", url, *map(str, paths)]) == 0
    first_out = capsys.readouterr().out
    once = table_counts(url)
    export_once = export(url, capsys)
    assert main(["replay", "--db", url, *map(str, paths)]) == 0
    second_out = capsys.readouterr().out
    return first_out, second_out, once, export_once


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_replay_twice_equals_once(tmp_path, capsys, backend, request):
    url = (f"sqlite:///{tmp_path / 's.sqlite'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    paths = build_archives(tmp_path)
    first_out, second_out, once, export_once = run_replay_twice(url, paths, capsys)

    assert "messages read: 8  new: 7  already known: 1" in first_out
    assert "messages read: 8  new: 0  already known: 8" in second_out
    assert table_counts(url) == once
    assert export(url, capsys) == export_once

    rows = [json.loads(line) for line in export_once.splitlines()]
    ids = [r["document_id"] for r in rows]
    assert len(ids) == len(set(ids)), "every document exactly once"
    by_mid = {}
    for r in rows:
        by_mid.setdefault(r["message"]["message_id"], []).append(r)
    # the shared message is one message with two sightings, not two messages
    assert len(by_mid["<shared@example.org>"]) == 1
    assert once["sightings"] == 8 and once["messages"] == 7
    # covering note: only the attachment; nested forward: the inner attachment
    assert [r["filename"] for r in by_mid["<covering@example.org>"]] == ["x.pdf"]
    fwd = [r for r in rows if r["filename"] == "y.pdf"]
    assert len(fwd) == 1 and fwd[0]["message"]["message_id"] != "<inner@example.org>"
    # an e-mail with nothing in it is still exported, as an exception
    (empty,) = by_mid["<empty@example.org>"]
    assert empty["status"] == "exception" and empty["exception"]["code"] == "no_report_content"
    # the same bytes in another message: a duplicate pointing at the first
    (dup,) = by_mid["<e2@example.org>"]
    (orig,) = by_mid["<covering@example.org>"]
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == orig["document_id"]


def test_same_message_id_different_content_is_kept_as_clash(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    (tmp_path / "a.eml").write_bytes(message(msgid="<same@example.org>", body=NARRATIVE).as_bytes())
    (tmp_path / "b.eml").write_bytes(
        message(msgid="<same@example.org>", body=NARRATIVE + " Edited later.").as_bytes())
    assert main(["replay", "--db", url, str(tmp_path / "a.eml"), str(tmp_path / "b.eml")]) == 0
    assert "new: 2" in capsys.readouterr().out
    from intake.store.db import Store

    st = Store(url)
    with st.session() as s:
        msgs = s.scalars(select(models.Message).order_by(models.Message.id)).all()
        assert [x.clash_with_id for x in msgs] == [None, msgs[0].id]
        codes = s.scalars(select(models.ExceptionItem.code)).all()
        assert "message_id_clash" in codes
    st.close()


def test_copies_differing_only_in_transport_headers_are_one_message(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    raw = message(msgid="<t@example.org>").as_bytes()
    (tmp_path / "a.eml").write_bytes(b"Received: from mx1.example.org\n" + raw)
    (tmp_path / "b.eml").write_bytes(b"Delivered-To: other@example.police.uk\nStatus: RO\n" + raw.replace(b"\n", b"\r\n"))
    assert main(["replay", "--db", url, str(tmp_path / "a.eml"), str(tmp_path / "b.eml")]) == 0
    assert "new: 1  already known: 1" in capsys.readouterr().out


def test_export_schema_follows_the_contract(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    build_archives(tmp_path)
    assert main(["replay", "--db", url, str(tmp_path / "a.mbox")]) == 0
    rows = [json.loads(line) for line in export(url, capsys).splitlines()]
    assert rows
    keys = {"document_id", "message", "filename", "kind", "sha256", "media_type", "status",
            "exception", "template", "template_version", "fields", "entities", "duplicate_of"}
    for r in rows:
        assert keys <= set(r)
        assert set(r["message"]) >= {"message_id", "from", "subject", "date", "origin"}
        assert r["kind"] in ("attachment", "body")
        assert r["status"] in ("parsed", "exception", "duplicate", "not_a_report")
        assert (r["exception"] is None) == (r["status"] != "exception")
        if r["exception"]:
            assert r["exception"]["code"] and r["exception"]["detail"]
        assert len(r["sha256"]) == 64
        assert r["message"]["origin"].startswith("mbox:")
        assert r["message"]["date"].endswith("+00:00")
        for e in r["entities"]:
            assert {"type", "text", "value", "field", "start", "end", "entity_id"} <= set(e)
            text = r["fields"][e["field"]]
            assert text[e["start"]:e["end"]] == e["text"]


def test_csv_export_one_row_per_document_and_no_formula_injection(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    (tmp_path / "x.eml").write_bytes(message(subject="=HYPERLINK(\"http://evil\")", msgid="<c@example.org>").as_bytes())
    assert main(["replay", "--db", url, str(tmp_path / "x.eml")]) == 0
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(export(url, capsys, "csv"))))
    assert len(rows) == 1
    assert rows[0]["subject"].startswith("'=")
    assert "incident.narrative" in rows[0] and rows[0]["status"] == "parsed"


def test_replay_missing_path_fails_cleanly(tmp_path, capsys):
    assert main(["replay", "--db", f"sqlite:///{tmp_path / 's.sqlite'}", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_damaged_msg_is_stored_as_an_exception(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "broken.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert main(["replay", "--db", url, str(bad)]) == 0
    rows = [json.loads(line) for line in export(url, capsys).splitlines()]
    assert [r["exception"]["code"] for r in rows] == ["unreadable_message"]


def test_console_script_summary_and_exit_code(tmp_path):
    (tmp_path / "x.eml").write_bytes(message().as_bytes())
    proc = subprocess.run([sys.executable, "-m", "intake.cli", "replay", "--db",
                           f"sqlite:///{tmp_path / 's.sqlite'}", str(tmp_path / "x.eml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "documents parsed: 1" in proc.stdout
    # no form content in logs: the narrative's words must not reach stderr
    assert "Bloggs" not in proc.stderr and "Vauxhall" not in proc.stderr


def test_refolded_copy_in_another_archive_is_the_same_message(tmp_path, capsys):
    """Python's mailbox (like other archivers) re-folds MIME headers when it
    writes an mbox; the copy is still the same message."""
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    long_name = "a-very-long-attachment-file-name-that-will-certainly-be-folded-by-a-writer.pdf"
    msg = message(msgid="<fold@example.org>", body="See attached.",
                  attachments=[(long_name, PDF_BYTES, "application/pdf")])
    (tmp_path / "one.eml").write_bytes(msg.as_bytes())
    mb = mailbox.mbox(str(tmp_path / "two.mbox"))
    mb.add(msg)
    mb.flush()
    mb.close()
    assert main(["replay", "--db", url, str(tmp_path / "one.eml"), str(tmp_path / "two.mbox")]) == 0
    assert "new: 1  already known: 1" in capsys.readouterr().out
