"""Passes against a real Dovecot and a real SQLite store."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from intake.ingest.imap import after as after_mod
from intake.ingest.imap.inbox_lock import InboxLock
from intake.ingest.imap.inbox_runner import InboxRunner
from intake.store import inbox_status as status
from intake.store.models import Blob, MailboxUid, Message, Sighting

from .helpers import SETTINGS, HookedProcessor, make_message, message_ids, runner, stored_message_ids

# A real Dovecot (and PostgreSQL for the lock test).
pytestmark = pytest.mark.slow

def test_fifty_stored_once_and_moved(make_cfg, store, imap_env):
    cfg = make_cfg()
    raws = [make_message(i) for i in range(50)]
    imap_env.append(raws)
    r = runner(cfg, store)
    out = r.run_pass()
    assert out.ok, out.error
    assert out.result.new_messages == 50 and out.result.acknowledged == 50
    assert sorted(stored_message_ids(store)) == sorted(message_ids(raws))
    assert imap_env.uids("INBOX") == []
    moved = imap_env.fetch_all("Processed")
    assert sorted(body for body, _ in moved.values()) == sorted(raws)
    with store.session() as s:
        # Raw bytes kept exactly as fetched, origin as docs/export.md describes.
        assert {b.data for b in s.scalars(select(Blob)) if b.data in set(raws)} == set(raws)
        origins = list(s.scalars(select(Message.origin)))
        pattern = rf"imap://{imap_env.username}@localhost/INBOX;UIDVALIDITY=\d+;UID=\d+"
        assert origins and all(re.fullmatch(pattern, o) for o in origins)
        assert s.scalar(select(func.count(MailboxUid.id)).where(MailboxUid.acknowledged.is_(False))) == 0
    again = r.run_pass()
    assert again.ok and again.result.handled == 0 and again.result.new_messages == 0
    rep = status.report(store, "mase")
    assert rep.messages_handled == 50 and rep.last_success_at and rep.failing_since is None
    r.close()


def maildir_snapshot(d) -> dict[str, bytes]:
    """Every message file (its name carries the flags) with its bytes."""
    root = d.maildir()
    return {str(p.relative_to(root)): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and p.parent.name in ("cur", "new", "tmp")}


def test_after_none_leaves_mailbox_byte_for_byte(make_cfg, store, imap_env):
    raws = [make_message(i) for i in range(8)]
    imap_env.append(raws)
    with imap_env.client() as c:  # one read and one flagged, as a person would leave them
        c.select_folder("INBOX")
        c.add_flags([1], [b"\\Seen"])
        c.add_flags([2], [b"\\Flagged"])
    before_files, before_imap = maildir_snapshot(imap_env), imap_env.fetch_all("INBOX")
    r = runner(make_cfg(after="none"), store)
    assert r.run_pass().result.new_messages == 8
    assert r.run_pass().result.handled == 0
    assert maildir_snapshot(imap_env) == before_files
    assert imap_env.fetch_all("INBOX") == before_imap
    with imap_env.client() as c:
        assert not c.folder_exists("Processed")
    assert len(stored_message_ids(store)) == 8
    r.close()


@pytest.mark.parametrize("after,flag", [("keyword:intake-done", b"intake-done"), ("flag:\\Seen", b"\\Seen")])
def test_flag_and_keyword(make_cfg, store, imap_env, after, flag):
    imap_env.append([make_message(i) for i in range(5)])
    with imap_env.client() as c:  # already read by a person: must still be processed
        c.select_folder("INBOX")
        c.add_flags([3], [b"\\Seen"])
    r = runner(make_cfg(after=after), store)
    assert r.run_pass().result.new_messages == 5
    mail = imap_env.fetch_all("INBOX")
    assert len(mail) == 5 and all(flag in flags for _, flags in mail.values())
    assert r.run_pass().result.handled == 0
    r.close()


def test_mail_arriving_during_a_pass(make_cfg, store, imap_env):
    cfg = make_cfg()
    imap_env.append([make_message(i) for i in range(20)])
    late = make_message(99, tag="-late")
    pipe = HookedProcessor(store, cfg, at=5, hook=lambda: imap_env.append([late]))
    r = runner(cfg, store, lambda *_: pipe)
    first = r.run_pass()
    assert first.result.new_messages == 20
    # Not in this pass's SEARCH, so untouched: still in INBOX, unflagged
    # (\Recent: no session of ours has even seen it).
    left = imap_env.fetch_all("INBOX")
    assert [body for body, _ in left.values()] == [late]
    assert set(list(left.values())[0][1]) <= {b"\\Recent"}
    second = r.run_pass()
    assert second.result.new_messages == 1
    assert imap_env.uids("INBOX") == [] and len(imap_env.uids("Processed")) == 21
    r.close()


def test_crash_between_custody_and_after_and_during_processing(make_cfg, store, imap_env, monkeypatch):
    """Custody first: (a) the process dies after messages are in the store's
    custody but before `after` moved them; (b) it dies while processing what
    it received. Either way the next pass stores every message exactly once
    and nothing is fetched twice."""
    cfg = make_cfg(batch_size=4)
    raws = [make_message(i) for i in range(10)]
    imap_env.append(raws)

    class Crash(BaseException):
        pass

    real_apply = after_mod.apply
    calls = []

    def apply_then_crash(client, cfg_, uids):  # (a): dies before MOVE of the second batch
        calls.append(list(uids))
        if len(calls) == 2:
            raise Crash()
        return real_apply(client, cfg_, uids)

    monkeypatch.setattr(after_mod, "apply", apply_then_crash)
    with pytest.raises(Crash):
        runner(cfg, store).run_pass()
    monkeypatch.setattr(after_mod, "apply", real_apply)
    assert len(imap_env.uids("Processed")) == 4  # first batch acknowledged
    with store.session() as s:  # second batch in custody, not yet moved
        assert s.scalar(select(func.count(MailboxUid.id)).where(MailboxUid.acknowledged.is_(False))) == 4
    assert stored_message_ids(store) == []  # nothing processed yet

    def crash():
        raise Crash()

    fetched = []
    real_fetch = __import__("imapclient").IMAPClient.fetch

    def counting_fetch(self, messages, data, *a, **k):
        if b"BODY.PEEK[]" in data:
            fetched.extend(messages)
        return real_fetch(self, messages, data, *a, **k)

    monkeypatch.setattr(__import__("imapclient").IMAPClient, "fetch", counting_fetch)
    pipe = HookedProcessor(store, cfg, at=6, hook=crash)  # (b): dies after the 6th commit
    with pytest.raises(Crash):
        runner(cfg, store, lambda *_: pipe).run_pass()
    assert len(fetched) == 2  # only the two UIDs never fetched before
    assert len(stored_message_ids(store)) == 6
    assert imap_env.uids("INBOX") == []  # all ten in custody, all acknowledged

    final = runner(cfg, store).run_pass()
    assert final.ok and final.result.new_messages == 4 and final.result.handled == 0
    assert sorted(stored_message_ids(store)) == sorted(message_ids(raws))  # each exactly once
    assert sorted(b for b, _ in imap_env.fetch_all("Processed").values()) == sorted(raws)
    with store.session() as s:
        assert s.scalar(select(func.count(MailboxUid.id)).where(MailboxUid.acknowledged.is_(False))) == 0


def test_uidvalidity_reset_reprocesses_nothing(make_cfg, store, imap_env):
    cfg = make_cfg(folders=["Reports"], after="keyword:intake-done")
    raws = [make_message(i) for i in range(10)]
    imap_env.append(raws, folder="Reports")
    old_validity = imap_env.uidvalidity("Reports")
    r = runner(cfg, store)
    assert r.run_pass().result.new_messages == 10
    with imap_env.client() as c:  # folder deleted and recreated with the same mail
        c.delete_folder("Reports")
        c.create_folder("Reports")
    newcomer = make_message(50, tag="-new")
    imap_env.append(raws + [newcomer], folder="Reports")
    assert imap_env.uidvalidity("Reports") != old_validity
    out = r.run_pass()
    assert out.ok
    assert out.result.known == 10 and out.result.new_messages == 1
    assert sorted(stored_message_ids(store)) == sorted(message_ids(raws + [newcomer]))
    assert all(b"intake-done" in flags for _, flags in imap_env.fetch_all("Reports").values())
    with store.session() as s:  # the re-read copies are sightings of the same messages
        assert s.scalar(select(func.count(Message.id))) == 11
        assert s.scalar(select(func.count(Sighting.id))) == 21
    assert r.run_pass().result.handled == 0
    r.close()


def test_processing_failure_keeps_mail_in_custody_and_shows_in_status(make_cfg, store, imap_env, monkeypatch):
    """Custody first: a bug in processing cannot lose mail. The messages are
    in the store (and acknowledged), marked failed, the inbox status says so
    without quoting anything, and they are processed once the fault is fixed."""
    from intake.ingest.processing import local_processor, message_steps
    from intake.store import inbound

    cfg = make_cfg()
    imap_env.append([make_message(i) for i in range(3)])

    def broken(*a, **k):
        raise RuntimeError("bug in a parser")

    with monkeypatch.context() as m:
        m.setattr(local_processor, "commit_job", broken)  # batched commits
        m.setattr(message_steps, "commit_job", broken)  # one message at a time
        out = runner(cfg, store).run_pass()
    assert out.result.processing_failed == 3 and not out.ok
    assert imap_env.uids("INBOX") == [] and len(imap_env.uids("Processed")) == 3
    with store.session() as s:
        assert inbound.state(s).failed == 3
    rep = status.report(store, "mase")
    assert rep.failing_since is not None and "pipeline_failed" in rep.last_error
    assert "bug in a parser" not in rep.last_error
    with store.transaction() as s:  # the fault fixed: `intake reprocess --inbound-failed`
        assert inbound.retry_failed(s) == 3
    fixed = runner(cfg, store).run_pass()
    assert fixed.ok and fixed.result.new_messages == 3
    assert status.report(store, "mase").failing_since is None


def test_undecodable_message_is_stored_and_acknowledged(make_cfg, store, imap_env):
    junk = b"Message-ID: <junk1@example.org>\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n" \
           b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!%%%\r\n"
    imap_env.append([junk, make_message(1, attachment=None)])
    out = runner(make_cfg(), store).run_pass()
    assert out.ok and out.result.new_messages == 2
    assert imap_env.uids("INBOX") == []  # the exception queue holds it now, not the mailbox
    assert status.report(store, "mase").open_exceptions >= 1


def test_inbox_lock_skips_busy_inbox(make_cfg, store, imap_env):
    imap_env.append([make_message(1)])
    held = InboxLock(store, "mase")
    assert held.acquire()
    try:
        assert not InboxLock(store, "mase").acquire()  # another daemon, same store
        assert InboxLock(store, "other").acquire() is True
        out = runner(make_cfg(), store).run_pass()
        assert not out.ran and imap_env.uids("INBOX") == [1]
    finally:
        held.release()
    assert runner(make_cfg(), store).run_pass().result.new_messages == 1


def test_stop_flag_finishes_current_message(make_cfg, store, imap_env):
    cfg = make_cfg(batch_size=5)
    imap_env.append([make_message(i) for i in range(12)])
    stop = threading.Event()
    pipe = HookedProcessor(store, cfg, at=3, hook=stop.set)
    r = InboxRunner(cfg, store, SETTINGS, lambda *_: pipe, stop)
    out = r.run_pass()
    # Custody of all twelve was taken (and acknowledged) before processing;
    # the stop came during processing: what was in hand was finished, the
    # rest handed back for the next pass.
    first = out.result.new_messages
    assert out.result.handled == 12 and 3 <= first < 12
    assert len(stored_message_ids(store)) == first
    assert len(imap_env.uids("Processed")) == 12
    assert runner(cfg, store).run_pass().result.new_messages == 12 - first


def test_postgresql_store_and_advisory_lock(make_cfg, imap_env, postgres_url):
    from intake.store.db import Store

    pg = Store(postgres_url)
    try:
        imap_env.append([make_message(i) for i in range(4)])
        held = InboxLock(pg, "mase")
        assert held.acquire()
        try:
            # Another session (as another daemon would have) cannot take it.
            assert not InboxLock(pg, "mase").acquire()
            assert not runner(make_cfg(), pg).run_pass().ran
        finally:
            held.release()
        out = runner(make_cfg(), pg).run_pass()
        assert out.ok and out.result.new_messages == 4
        with pg.session() as s:
            # UIDs are unsigned 32-bit: the widest must fit.
            s.add(MailboxUid(folder_pk=1, uidvalidity=4294967295, uid=4294967295, acknowledged=True))
            s.commit()
        assert status.report(pg, "mase").messages_handled == 4
    finally:
        pg.close()


def test_missing_folder_fails_visibly_without_blocking_others(make_cfg, store, imap_env):
    imap_env.append([make_message(i) for i in range(3)])
    out = runner(make_cfg(folders=["Typo-Folder", "INBOX"]), store).run_pass()
    assert out.error is not None and out.error.code == "imap_folder_unavailable"
    assert "Typo-Folder" in out.error.detail
    assert out.result.new_messages == 3 and imap_env.uids("INBOX") == []
    assert "imap_folder_unavailable" in status.report(store, "mase").last_error


def test_large_folder_sends_only_short_commands(make_cfg, store, imap_env, monkeypatch):
    """300 messages: every command on the wire stays short (compact or
    chunked UID sets) and FETCHes carry at most batch_size messages."""
    import imaplib

    raws = [make_message(i, attachment=None) for i in range(300)]
    imap_env.append(raws)
    sent: list[bytes] = []
    real_send = imaplib.IMAP4.send

    def recording_send(self, data):
        sent.append(bytes(data))
        return real_send(self, data)

    monkeypatch.setattr(imaplib.IMAP4, "send", recording_send)
    r = runner(make_cfg(batch_size=25), store)
    out = r.run_pass()
    monkeypatch.undo()
    assert out.ok and out.result.new_messages == 300
    assert imap_env.uids("INBOX") == [] and len(imap_env.uids("Processed")) == 300
    commands = b"".join(sent).split(b"\r\n")
    body_fetches = [c for c in commands if b"BODY.PEEK[]" in c]
    assert len(body_fetches) == 12  # 300 / 25
    assert all(c.split(b" FETCH ")[1].count(b",") < 25 for c in body_fetches)
    longest = max(len(c) for c in commands)
    print(f"\nlongest IMAP command for 300 messages: {longest} bytes; {len(commands)} commands")
    assert longest < 2000
    r.close()


def test_folder_names_with_spaces_and_accents(make_cfg, store, imap_env):
    raws = [make_message(i) for i in range(3)]
    imap_env.append(raws, folder="Intel Reports")
    cfg = make_cfg(folders=["Intel Reports"], after="move:Traité/Done 2026")
    out = runner(cfg, store).run_pass()
    assert out.ok and out.result.new_messages == 3
    assert imap_env.uids("Intel Reports") == []
    assert sorted(b for b, _ in imap_env.fetch_all("Traité/Done 2026").values()) == sorted(raws)
    with store.session() as s:
        assert all("/Intel Reports;UIDVALIDITY=" in o for o in s.scalars(select(Message.origin)))


def test_move_without_move_capability_uses_uidplus(make_cfg, store, imap_env, monkeypatch):
    """Servers without MOVE (RFC 6851): COPY, flag \\Deleted and UID EXPUNGE
    of our own UIDs only. A message we did not take into custody, which
    someone marked \\Deleted, survives (a plain EXPUNGE would have destroyed it)."""
    from imapclient import IMAPClient

    from intake.store import mailboxes

    raws = [make_message(i) for i in range(4)]
    imap_env.append(raws)
    with imap_env.client() as c:
        c.select_folder("INBOX")
        c.add_flags([1], [b"\\Deleted"])

    real_receive = mailboxes.receive_uid

    def fails_on_first(store_, folder_pk, uidvalidity, uid, raw, *rest):
        if raw.data == raws[0]:
            raise RuntimeError("cannot store this one")
        return real_receive(store_, folder_pk, uidvalidity, uid, raw, *rest)

    real = IMAPClient.capabilities
    monkeypatch.setattr(IMAPClient, "capabilities", lambda self: tuple(x for x in real(self) if x != b"MOVE"))
    monkeypatch.setattr(mailboxes, "receive_uid", fails_on_first)
    out = runner(make_cfg(), store).run_pass()
    monkeypatch.undo()
    assert out.result.new_messages == 3 and len(out.result.failed) == 1
    assert sorted(b for b, _ in imap_env.fetch_all("Processed").values()) == sorted(raws[1:])
    left = imap_env.fetch_all("INBOX")
    assert [b for b, _ in left.values()] == [raws[0]] and b"\\Deleted" in left[1][1]
