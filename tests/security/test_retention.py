"""Retention and disposal: what is due, legal holds, and disposal that
removes every trace of a planted report from the SQLite file and a pg_dump,
keeps the reports that shared a blob or an entity with it whole, recounts
the entities, writes an audit entry without content, and does not let the
report back in when its mail is read again."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from intake.cli import main
from intake.store import models, retention
from intake.store import users as users_store
from intake.store.db import Store
from tests.security.planted import (
    TOKENS,
    found_tokens,
    other_message,
    planted_message,
    sqlite_bytes,
    write_mbox,
)
from tests.security.test_encryption import _found_in_dump, _pg_dump
from tests.support.mail import NARRATIVE

pytestmark = pytest.mark.slow
ADMIN_PASSWORD = "correct horse battery staple 42"
SHARED_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% the same annex, sent twice\n"


def _mail(tmp_path):
    """The planted report (sharing a plate and a phone with others), two
    messages carrying the very same attachment, and an unrelated report."""
    return write_mbox(tmp_path / "mail.mbox", [
        planted_message(body_extra=" The same car, AB12 CDE, and the number 07700 900123 were seen elsewhere."),
        other_message(1, "Report one. " + NARRATIVE),
        other_message(2, "Covering note.", msgid="<annex-a@trust.example.com>",
                      attachments=[("annex.pdf", SHARED_PDF, "application/pdf")]),
        other_message(3, "Covering note.", msgid="<annex-b@trust.example.com>",
                      attachments=[("annex.pdf", SHARED_PDF, "application/pdf")]),
    ])


class Cli:
    def __init__(self, capsys, monkeypatch, tmp_path, db: str, config: str = ""):
        self.capsys, self.monkeypatch, self.db = capsys, monkeypatch, db
        self.cfg = tmp_path / "site.toml"
        self.cfg.write_text(config)

    def __call__(self, *args, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        code = main(["--config", str(self.cfg), "--db", self.db, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def export(self) -> dict[str, dict]:
        code, out, _ = self("export")
        assert code == 0
        return {o["document_id"]: o for o in map(json.loads, out.splitlines())}


def _setup(cli: Cli, url: str, mbox) -> dict:
    assert cli("replay", str(mbox))[0] == 0
    with Store(url) as st, st.transaction() as s:
        users_store.add_user(s, "adam", "admin", ADMIN_PASSWORD)
        users_store.add_user(s, "olive", "officer", ADMIN_PASSWORD)
        planted = s.scalar(select(models.Message).where(models.Message.message_id == "<planted-1@mail.example.net>"))
        # received long ago: due under the default ten years
        s.execute(update(models.Message).where(models.Message.id == planted.id)
                  .values(first_seen_at=datetime.now(timezone.utc) - timedelta(days=365 * 11)))
        ids = {"planted": [d.public_id for d in planted.documents]}
        for mid in ("<annex-a@trust.example.com>", "<annex-b@trust.example.com>"):
            msg = s.scalar(select(models.Message).where(models.Message.message_id == mid))
            ids[mid] = next(d.public_id for d in msg.documents if d.filename == "annex.pdf")
        shared = {e.type: (e.public_id, e.document_count) for e in s.scalars(
            select(models.Entity).where(models.Entity.type.in_(("VRM", "PHONE")), models.Entity.key.in_(("AB12CDE", "+447700900123"))))}
    assert set(shared) == {"VRM", "PHONE"} and all(n >= 2 for _, n in shared.values())
    ids["shared"] = shared
    return ids


def _dispose_and_check(cli: Cli, url: str, mbox, planted_found=None) -> None:
    ids = _setup(cli, url, mbox)
    if planted_found is not None:
        assert planted_found() == TOKENS  # the grep works: before disposal, every value is there
    before = cli.export()
    copy_a, copy_b = ids["<annex-a@trust.example.com>"], ids["<annex-b@trust.example.com>"]
    assert before[copy_b]["duplicate_of"] == copy_a

    # Only an admin, with their password.
    assert cli("retention", "dispose", *ids["planted"], "--as", "olive", "--password-stdin",
               stdin=ADMIN_PASSWORD + "\n")[0] == 1
    assert cli("retention", "dispose", *ids["planted"], "--as", "adam", "--password-stdin", stdin="wrong\n")[0] == 1
    # Due: listed by review, without content.
    code, out, _ = cli("retention", "review", "--json")
    due = [json.loads(line) for line in out.splitlines()]
    assert {d["document_id"] for d in due} == set(ids["planted"]) and found_tokens(out.encode()) == []
    # A legal hold stops it; released, it goes.
    assert cli("retention", "hold", ids["planted"][0], "--reason", "pending trial", "--as", "adam",
               "--password-stdin", stdin=ADMIN_PASSWORD + "\n")[0] == 0
    code, _, err = cli("retention", "dispose", *ids["planted"], "--as", "adam", "--password-stdin",
                       stdin=ADMIN_PASSWORD + "\n")
    assert code == 1 and "legal hold" in err
    assert cli("retention", "release", ids["planted"][0], "--as", "adam", "--password-stdin",
               stdin=ADMIN_PASSWORD + "\n")[0] == 0
    code, out, err = cli("retention", "dispose", *ids["planted"], "--as", "adam", "--password-stdin", "--vacuum",
                         stdin=ADMIN_PASSWORD + "\n")
    assert code == 0, err
    # The first copy of the shared annex is not due: an early disposal needs a reason from the list.
    assert cli("retention", "dispose", copy_a, "--as", "adam", "--password-stdin",
               stdin=ADMIN_PASSWORD + "\n")[0] == 1
    code, out, err = cli("retention", "dispose", copy_a, "--early", "created_in_error", "--as", "adam",
                         "--password-stdin", "--vacuum", stdin=ADMIN_PASSWORD + "\n")
    assert code == 0, err and copy_b in out

    after = cli.export()
    assert set(before) - set(after) == set(ids["planted"]) | {copy_a}
    # Every other report is exactly as it was, but for what it takes from
    # other reports (corroboration in the grading suggestion, recurrence in
    # the triage reasons): a disposed report must stop counting there.
    def own(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if k not in ("grading_suggestion", "triage")}

    for doc_id, obj in after.items():
        if doc_id != copy_b:
            assert own(obj) == own(before[doc_id]), doc_id
    # The copy of the shared annex took the first copy's place, whole.
    assert after[copy_b]["duplicate_of"] is None and after[copy_b]["status"] == before[copy_a]["status"]
    assert after[copy_b]["fields"] == before[copy_a]["fields"]
    with Store(url) as st, st.session() as s:
        sha = s.scalar(select(models.DocumentRow.sha256).where(models.DocumentRow.public_id == copy_b))
        assert s.get(models.Blob, sha).data == SHARED_PDF
        # Shared entities stay, recounted without the disposed report.
        for pid, count in ids["shared"].values():
            ent = s.scalar(select(models.Entity).where(models.Entity.public_id == pid))
            assert ent is not None and ent.document_count == count - 1
        audit = s.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "document.disposed")
                          .order_by(models.AuditEntry.id)).all()
        assert [(a.actor, a.object_id) for a in audit] == [("user:adam", d) for d in ids["planted"]] + [
            ("user:adam", copy_a)]
        assert audit[0].detail["rule"] == "10 years after receipt"
        assert audit[-1].detail["rule"] == "early: created_in_error" and audit[-1].detail["promoted_copy"] == copy_b
        assert s.scalar(select(models.AuditEntry).where(models.AuditEntry.action == "message.disposed")) is not None

    # Read again from the archive, the disposed report stays gone.
    code, out, _ = cli("replay", str(mbox))
    assert code == 0 and "new: 0" in out
    assert set(cli.export()) == set(after)


def test_disposal_leaves_no_trace_in_the_sqlite_file(tmp_path, capsys, monkeypatch):
    db_path = tmp_path / "store.sqlite"
    url = f"sqlite:///{db_path}"
    cli = Cli(capsys, monkeypatch, tmp_path, url)
    mbox = _mail(tmp_path)
    _dispose_and_check(cli, url, mbox, planted_found=lambda: found_tokens(sqlite_bytes(db_path)))
    assert found_tokens(sqlite_bytes(db_path)) == []


def test_disposal_leaves_no_trace_in_a_pg_dump(tmp_path, capsys, monkeypatch, postgres_server):
    url = postgres_server.new_database()
    cli = Cli(capsys, monkeypatch, tmp_path, url)
    mbox = _mail(tmp_path)
    assert cli("replay", str(mbox))[0] == 0
    assert _found_in_dump(_pg_dump(postgres_server, url)) == sorted(TOKENS)  # the grep works
    # A fresh database for the run itself (the replay above would be a second replay).
    url = postgres_server.new_database()
    cli = Cli(capsys, monkeypatch, tmp_path, url)
    _dispose_and_check(cli, url, mbox)
    assert _found_in_dump(_pg_dump(postgres_server, url)) == []


def test_due_dates_follow_the_rule_or_the_documents_own_date(tmp_path):
    from tests.store.entity_rows import store_report

    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as st, st.transaction() as s:
        old = store_report(s, text="old")
        new = store_report(s, text="new")
        own = store_report(s, text="own")
        now = datetime(2030, 1, 1, tzinfo=timezone.utc)
        s.execute(update(models.Message).where(models.Message.id == old.message_pk)
                  .values(first_seen_at=datetime(2023, 6, 1, tzinfo=timezone.utc)))
        s.execute(update(models.Message).where(models.Message.id.in_((new.message_pk, own.message_pk)))
                  .values(first_seen_at=datetime(2029, 6, 1, tzinfo=timezone.utc)))
        own.review_due = datetime(2029, 12, 1, tzinfo=timezone.utc)
        s.flush()
        due = retention.due_documents(s, 6, now=now)
        assert [(d.public_id, d.rule) for d in due] == [(old.public_id, "6 years after receipt"),
                                                          (own.public_id, "review date set on the document")]
        with pytest.raises(retention.DisposalError, match="not due"):
            retention.check_disposable(s, [new.public_id], 6, now=now)
        with pytest.raises(retention.DisposalError, match="must be one of"):
            retention.check_disposable(s, [new.public_id], 6, early="because", now=now)
        assert retention.check_disposable(s, [new.public_id], 6, early="court_order", now=now) == [new]
