"""A message read over IMAP (CRLF) and its copy from an archive (LF) are
one message with the same documents, on the real mail corpus;
and a store written by an earlier intake, which hashed the bytes as
received, still recognises its messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.ingest import identity
from intake.ingest.mime_walk import walk
from intake.ingest.processing.one_message import Pipeline
from intake.store.models import DocumentRow, ExceptionItem, Message
from intake.types import RawMessage

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real" / "mail"
MAILS = sorted(p for p in CORPUS.rglob("*") if p.is_file() and (p.suffix == ".eml" or "." not in p.name))

BROKEN_MULTIPART = (
    "From: Referrer <referrer@example.org>\nTo: mase-intel@example.com\nSubject: Broken multipart\n"
    "Message-ID: <broken@example.org>\nMIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"nothere\"\n\n"
    "--elsewhere\nContent-Type: text/plain\n\nName of child: Jordan Pike\n--elsewhere--\n").encode()


def copies(data: bytes) -> tuple[bytes, bytes]:
    lf = data.replace(b"\r\n", b"\n")
    return lf, lf.replace(b"\n", b"\r\n")


def test_corpus_has_mail():
    assert len(MAILS) > 50


@pytest.mark.parametrize("path", MAILS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_lf_and_crlf_copies_are_one_message_with_the_same_documents(path):
    lf, crlf = copies(path.read_bytes())
    assert identity.content_sha256(lf) == identity.content_sha256(crlf)
    a, b = walk(lf).documents, walk(crlf).documents
    assert [(d.part_path, d.sha256) for d in a] == [(d.part_path, d.sha256) for d in b]


def test_identity_is_unchanged_where_the_old_hash_was_already_transport_safe():
    """Stored ids do not move: for a message whose copies hashed alike
    before, today's hash is the old one."""
    same = 0
    for path in MAILS:
        lf, crlf = copies(path.read_bytes())
        if identity._content_hash(lf)[0] == identity._content_hash(crlf)[0]:
            assert identity.identity_keys(crlf) == [identity._content_hash(crlf)[0]]
            same += 1
    assert same >= len(MAILS) - 5


def test_raw_bytes_are_kept_as_received(store):
    _, crlf = copies(BROKEN_MULTIPART)
    with Pipeline(store) as p:
        p.process(RawMessage("imap:test/INBOX/1", crlf))
    from intake.store import repository as repo
    with store.session() as s:
        m = s.scalar(select(Message))
        assert repo.get_blob(s, m.raw_sha256) == crlf


def test_message_stored_under_the_old_hash_is_known_from_an_archive_copy(store, monkeypatch):
    lf, crlf = copies(BROKEN_MULTIPART)
    assert len(identity.identity_keys(crlf)) == 2  # the old hash of the CRLF copy differs
    # An earlier intake: the hash of the bytes as received.
    from intake.ingest.processing import message_steps
    monkeypatch.setattr(message_steps, "identity_keys", lambda data, parsed=None: [identity._content_hash(data)[0]])
    with Pipeline(store) as p:
        first = p.process(RawMessage("imap:test/INBOX/1", crlf))
    monkeypatch.undo()
    with Pipeline(store) as p:
        again = p.process(RawMessage(f"maildir:{os.sep}archive/cur/1", lf))
    assert first.new and not again.new and again.message_pk == first.message_pk
    with store.session() as s:
        assert s.scalar(select(func.count(Message.id))) == 1
        assert s.scalar(select(func.count(ExceptionItem.id)).where(ExceptionItem.code == "message_id_clash")) == 0
        assert s.scalar(select(func.count(DocumentRow.id))) == len(first.documents)
