"""Outlook .msg files, end to end: replayed from disk, found by content,
attached inside e-mails, damaged. The .msg bytes come from
tests/support/msg_writer.py and are read back by the real extract-msg."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.cli import main
from intake.ingest.mime_walk import walk
from intake.ingest.sources.detect import UnreadableFile, iter_archive, kind_of
from intake.parsers.sniff import DOCX, MSG, PDF, sniff_media_type
from tests.ingest.test_replay import table_counts
from tests.support.mail import NARRATIVE, message
from tests.support.msg_writer import MsgAttachment, build_msg

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "blank_forms"
PDF_FORM = (FORMS / "met_mase_intel.pdf").read_bytes()
DOCX_FORM = (FORMS / "west_midlands_fib.docx").read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def forms_msg(**kw) -> bytes:
    kw.setdefault("body", "Please find attached.")
    kw.setdefault("message_id", "<forms@school.example.org>")
    # The .docx is declared octet-stream, as some senders do: the type must
    # come from the bytes.
    return build_msg(attachments=[MsgAttachment("MASE referral.pdf", PDF_FORM, "application/pdf"),
                                  MsgAttachment("FIB form.docx", DOCX_FORM, "application/octet-stream")],
                     **kw)


def replay_and_export(url: str, capsys, *paths) -> tuple[str, list[dict]]:
    capsys.readouterr()
    assert main(["replay", "--db", url, *map(str, paths)]) == 0
    summary = capsys.readouterr().out
    assert main(["export", "--db", url]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return summary, rows


def test_writer_output_reads_back_with_olefile_and_extract_msg():
    import extract_msg

    data = forms_msg(subject="Concern – Café", sender=("Amy Nurse", "amy.nurse@example.org"))
    # Strict: any structural defect in the compound file raises.
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.exists("__substg1.0_001A001F")
    ole.close()
    assert sniff_media_type(data) == MSG
    msg = extract_msg.openMsg(io.BytesIO(data), delayAttachments=False)
    try:
        assert msg.subject == "Concern – Café"
        assert msg.body == "Please find attached."
        assert msg.sender == "Amy Nurse <amy.nurse@example.org>"
        assert msg.messageId == "<forms@school.example.org>"
        assert [(a.longFilename, a.data) for a in msg.attachments] == [
            ("MASE referral.pdf", PDF_FORM), ("FIB form.docx", DOCX_FORM)]
    finally:
        msg.close()


def test_msg_attachments_replay_as_documents(tmp_path, capsys):
    path = tmp_path / "referral.msg"
    path.write_bytes(forms_msg(subject="Referral"))
    _, rows = replay_and_export(f"sqlite:///{tmp_path}/s.sqlite", capsys, path)

    got = sorted((r["kind"], r["filename"], r["sha256"], r["media_type"]) for r in rows)
    assert got == sorted([("attachment", "MASE referral.pdf", sha(PDF_FORM), PDF),
                          ("attachment", "FIB form.docx", sha(DOCX_FORM), DOCX)])
    for r in rows:
        assert r["message"]["origin"] == f"msg:{path.resolve()}"
        assert r["message"]["message_id"] == "<forms@school.example.org>"
        assert r["message"]["subject"] == "Referral"
        assert r["message"]["from"] == "sam.teacher@school.example.org"
        assert r["message"]["date"].startswith("2026-03-04T14:30")


@pytest.mark.parametrize("transport_headers", [True, False], ids=["received", "draft"])
def test_msg_body_carrying_a_report_is_a_body_document(tmp_path, capsys, transport_headers):
    path = tmp_path / "report.msg"
    path.write_bytes(build_msg(subject="Concern about a pupil", body=NARRATIVE,
                               message_id="<body@school.example.org>",
                               transport_headers=transport_headers))
    _, rows = replay_and_export(f"sqlite:///{tmp_path}/s.sqlite", capsys, path)
    (row,) = rows
    assert row["kind"] == "body" and row["filename"] is None
    assert row["media_type"] == "text/plain"
    assert row["sha256"] == sha(NARRATIVE.encode())
    assert row["status"] == "parsed"
    assert "Vauxhall Astra" in row["fields"]["incident.narrative"]
    # A draft has no header block: the subject comes from its property.
    assert row["message"]["subject"] == "Concern about a pupil"


def test_msg_is_found_by_content_not_by_name(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    disguised = tmp_path / "in" / "x.dat"
    disguised.write_bytes(forms_msg())
    (tmp_path / "in" / "notes.msg").write_bytes(b"Not an Outlook file, only text.\n")
    assert kind_of(disguised) == "msg"
    assert kind_of(tmp_path / "in" / "notes.msg") != "msg"

    _, rows = replay_and_export(f"sqlite:///{tmp_path}/s.sqlite", capsys, disguised)
    assert sorted(r["filename"] for r in rows) == ["FIB form.docx", "MASE referral.pdf"]
    assert {r["message"]["origin"] for r in rows} == {f"msg:{disguised.resolve()}"}


@pytest.mark.parametrize("declared", ["application/vnd.ms-outlook", "application/octet-stream"])
def test_msg_attached_to_an_email_has_its_attachments_walked(declared):
    maintype, subtype = declared.split("/")
    outer = message(body="Forwarding the teacher's e-mail.", msgid="<outer@example.org>",
                    attachments=[("Referral.msg", forms_msg(), declared)])
    result = walk(outer.as_bytes())
    assert result.problems == []
    assert sorted((d.filename, d.sha256, d.media_type) for d in result.documents) == sorted(
        [("MASE referral.pdf", sha(PDF_FORM), PDF), ("FIB form.docx", sha(DOCX_FORM), DOCX)])
    # The .msg is a container, not a document of its own.
    assert all(d.media_type != MSG for d in result.documents)
    assert result.headers.message_id == "<outer@example.org>"


def test_damaged_msg_attached_to_an_email_is_kept_with_a_problem():
    broken = forms_msg()[:6000]
    outer = message(body="See attached.", attachments=[("Referral.msg", broken, "application/vnd.ms-outlook")])
    result = walk(outer.as_bytes())
    assert [p.code for p in result.problems] == ["unreadable_attachment"]
    (doc,) = result.documents
    assert doc.filename == "Referral.msg" and doc.sha256 == sha(broken)


def _hide_second_attachment(data: bytes) -> bytes:
    """Damage one letter of the second attachment storage's directory name."""
    name = "__attach_version1.0_#00000001".encode("utf-16-le")
    at = data.index(name)
    return data[:at + 4] + b"X\x00" + data[at + 6:]


@pytest.mark.parametrize("damage", [
    lambda d: d[:len(d) // 2],
    lambda d: d[:600],
    lambda d: d[:len(d) - 2048],
    _hide_second_attachment,
], ids=["half", "header-only", "tail-cut", "hidden-attachment"])
def test_damaged_msg_in_a_folder_is_one_exception(tmp_path, capsys, damage):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "referral.msg").write_bytes(damage(forms_msg()))
    summary, rows = replay_and_export(f"sqlite:///{tmp_path}/s.sqlite", capsys, tmp_path / "in")
    assert "unreadable items stored as exceptions: 1" in summary
    assert len(rows) == 1
    (row,) = rows
    assert row["status"] == "exception"
    assert row["exception"]["code"] == "unreadable_message"
    assert row["exception"]["detail"]


def test_replaying_the_same_msg_twice_adds_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    path = tmp_path / "referral.msg"
    path.write_bytes(forms_msg())
    first, rows = replay_and_export(url, capsys, path)
    assert "messages read: 1  new: 1  already known: 0" in first
    counts = table_counts(url)
    second, rows_again = replay_and_export(url, capsys, path)
    assert "messages read: 1  new: 0  already known: 1" in second
    # No second sighting or blob either: the conversion to RFC 822 gives
    # the same bytes each time.
    assert table_counts(url) == counts
    assert rows_again == rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 8))
def test_corrupted_msg_is_read_whole_or_reported(tmp_path, seed, flips):
    """Random damage, mostly in the header, FAT and directory: every
    outcome is either a message with both attachments or an item reported
    as unreadable. Never a crash, never an attachment quietly missing."""
    rng = random.Random(seed)
    data = bytearray(forms_msg())
    for _ in range(flips):
        data[rng.randrange(0, 4096 if rng.random() < 0.8 else len(data))] = rng.randrange(256)
    folder = tmp_path / f"f{seed}_{flips}"
    folder.mkdir()
    (folder / "referral.msg").write_bytes(bytes(data))
    (item,) = list(iter_archive(folder))
    if isinstance(item, UnreadableFile):
        assert "damaged" in item.reason or "not an mbox" in item.reason
        return
    result = walk(item.data)
    assert len(result.documents) == 2
