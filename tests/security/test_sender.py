"""Sender verification: only the Authentication-Results our own server
wrote counts; a forged one is ignored; an agency on the allow-list passes; a
failing sender is flagged unverified_sender, processed all the same, and
the queue filters on it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from intake.cli import main
from intake.config.settings import ConfigError, Settings
from intake.ingest.inbox_config import parse_inbox
from intake.ingest.sender import SenderPolicy, parse_authentication_results, policy_from_settings, verify_sender
from intake.store import models, queue
from intake.store.db import Store
from tests.security.planted import SENDER_DOMAIN, SUBJECT, planted_message, write_mbox
from tests.support.mail import NARRATIVE, message

MX = "mx1.force.example.police.uk"
POLICY = SenderPolicy(trusted_authserv_ids=(MX,), allowed_domains=("school.example.org", "nhs.example.net"))


def raw(headers: list[tuple[str, str]], sender="Sam Teacher <sam.teacher@school.example.org>") -> bytes:
    """A message as it sits in the mailbox: our server's headers on top."""
    msg = message(sender=sender)
    lines = "".join(f"{n}: {v}\r\n" for n, v in headers)
    return lines.encode() + msg.as_bytes()


def ours(results: str) -> tuple[str, str]:
    return ("Authentication-Results", f"{MX}; {results}")


RECEIVED = ("Received", "from mail.school.example.org (mail.school.example.org [192.0.2.7]) by "
            f"{MX} with ESMTPS id 4Zx; Wed, 4 Mar 2026 14:30:05 +0000")


def test_a_verified_sender():
    v = verify_sender(raw([ours("spf=pass smtp.mailfrom=school.example.org; dkim=pass header.d=school.example.org; "
                                "dmarc=pass (p=reject) header.from=school.example.org"), RECEIVED]), POLICY)
    assert v["verified"] is True and v["reasons"] == []
    assert v["authserv_id"] == MX and v["from_domain"] == "school.example.org" and v["allow_listed"] is True
    assert v["results"] == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}


def test_a_forged_header_placed_by_the_sender_is_ignored():
    forged = ("Authentication-Results", f"{MX}; dmarc=pass header.from=school.example.org")
    # Our server says DMARC failed; the sender's own claim below it must not win.
    v = verify_sender(raw([ours("dmarc=fail (p=reject) header.from=school.example.org"), RECEIVED, forged]), POLICY)
    assert v["verified"] is False and v["ignored_headers"] == 1
    assert v["checks"] == {"dmarc": "fail"}
    # Nor may it spoil a real pass.
    forged_fail = ("Authentication-Results", f"{MX}; dmarc=fail header.from=school.example.org")
    v = verify_sender(raw([ours("dmarc=pass header.from=school.example.org"), RECEIVED, forged_fail]), POLICY)
    assert v["verified"] is True and v["ignored_headers"] == 1


def test_a_header_from_another_server_does_not_count():
    theirs = ("Authentication-Results", "mx.google.example; dmarc=pass header.from=school.example.org")
    v = verify_sender(raw([RECEIVED, theirs]), POLICY)
    assert v["verified"] is False and v["trusted_headers"] == 0
    assert any("no Authentication-Results header from the trusted server" in r for r in v["reasons"])


def test_allow_list_takes_subdomains_but_not_lookalikes():
    def verdict(domain):
        return verify_sender(raw([ours(f"dmarc=pass header.from={domain}")], sender=f"A <a@{domain}>"), POLICY)

    assert verdict("school.example.org")["verified"] is True
    assert verdict("staff.school.example.org")["verified"] is True
    for lookalike in ("evilschool.example.org", "school.example.org.attacker.example", "example.org"):
        v = verdict(lookalike)
        assert v["verified"] is False and v["allow_listed"] is False, lookalike
        assert any("not one of the agencies' domains" in r for r in v["reasons"])


def test_dkim_and_spf_must_be_aligned_with_the_from_domain():
    policy = SenderPolicy(trusted_authserv_ids=(MX,), require=("dkim", "spf"))
    good = ours("dkim=pass header.d=school.example.org; spf=pass smtp.mailfrom=bounce@mail.school.example.org")
    assert verify_sender(raw([good]), policy)["verified"] is True
    other = ours("dkim=pass header.d=bulkmailer.example; spf=pass smtp.mailfrom=bulkmailer.example")
    v = verify_sender(raw([other]), policy)
    assert v["verified"] is False and v["checks"] == {"dkim": "pass for another domain", "spf": "pass for another domain"}


def test_dmarc_pass_for_another_domain_is_not_a_pass():
    v = verify_sender(raw([ours("dmarc=pass header.from=elsewhere.example")]), POLICY)
    assert v["verified"] is False and v["checks"]["dmarc"] == "pass for another domain"


def test_from_problems_are_unverified():
    v = verify_sender(raw([ours("dmarc=pass header.from=school.example.org")],
                          sender="a@school.example.org, b@nhs.example.net"), POLICY)
    assert v["verified"] is False and "more than one From address" in v["reasons"]


def test_nothing_configured_means_no_check():
    v = verify_sender(raw([]), SenderPolicy())
    assert v == {"checked": False, "verified": None, "policy": "default"}


def test_parser_reads_real_world_forms():
    exchange = ("spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=school.example.org; dkim=pass (signature was "
                "verified) header.d=school.example.org;dmarc=pass action=none header.from=school.example.org;"
                "compauth=pass reason=100")
    ar = parse_authentication_results(exchange)
    assert ar.authserv_id is None
    assert [(r.method, r.result) for r in ar.results] == [("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"),
                                                          ("compauth", "pass")]
    gmail = ('mx.google.example;\r\n       dkim=pass header.i=@school.example.org header.s=s1 header.b="ab;c";\r\n'
             '       spf=pass (google.example: domain of a@school.example.org designates 192.0.2.1 as permitted '
             'sender) smtp.mailfrom=a@school.example.org;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) '
             'header.from=school.example.org')
    ar = parse_authentication_results(gmail)
    assert ar.authserv_id == "mx.google.example"
    assert {r.method: r.props for r in ar.results}["dkim"]["header.b"] == "ab;c"
    assert parse_authentication_results(f"{MX} 1; none").results == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_parser_never_raises(text):
    parse_authentication_results(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.text(max_size=120))
def test_verification_never_raises(data, header):
    verify_sender(data, POLICY)
    verify_sender(f"Authentication-Results: {header}\r\nFrom: x@y.example\r\n\r\n".encode(errors="replace") + data,
                  POLICY)


def test_an_inbox_sets_its_own_policy_over_the_default():
    s = Settings(raw={"sender": {"trusted_authserv_ids": [MX], "allowed_domains": ["school.example.org"]}})
    table = {"name": "mase", "host": "127.0.0.1", "tls": "none", "username": "u", "password_env": "X",
             "sender_domains": ["nhs.example.net"]}
    inbox = parse_inbox(table, 0)
    p = policy_from_settings(s, inbox)
    assert p.allowed_domains == ("nhs.example.net",) and p.trusted_authserv_ids == (MX,) and p.name == "inbox:mase"
    assert policy_from_settings(s).allowed_domains == ("school.example.org",)
    with pytest.raises(ConfigError, match="sender_require"):
        parse_inbox({**table, "sender_require": ["dmarc", "arc"]}, 0)
    with pytest.raises(ConfigError, match="sender_domains"):
        parse_inbox({**table, "sender_domains": ["not a domain"]}, 0)


@pytest.mark.slow
def test_a_dmarc_fail_is_flagged_and_processed_and_the_queue_filters_on_it(tmp_path, capsys):
    failing = planted_message(msgid="<fail@mail.example.net>", extra_headers=[
        ("Authentication-Results", f"{MX}; dmarc=fail (p=none) header.from={SENDER_DOMAIN}"),
        ("Received", f"from mail.example.net by {MX}; Tue, 3 Feb 2026 16:05:09 +0000"),
        # what a forger would add: a pass claimed in our server's name, lower down
        ("Authentication-Results", f"{MX}; dmarc=pass header.from={SENDER_DOMAIN}")])
    passing = message(msgid="<ok@school.example.org>", body="Second report. " + NARRATIVE)
    passing["Authentication-Results"] = f"{MX}; dmarc=pass header.from=school.example.org"
    box = write_mbox(tmp_path / "in.mbox", [failing, passing])
    cfg = tmp_path / "site.toml"
    cfg.write_text(f'[sender]\ntrusted_authserv_ids = ["{MX}"]\n'
                   f'allowed_domains = ["{SENDER_DOMAIN}", "school.example.org"]\n')
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert main(["--config", str(cfg), "--db", db, "replay", str(box)]) == 0
    with Store(db) as st, st.session() as s:
        msgs = {x.message_id: x for x in s.scalars(select(models.Message))}
        bad, good = msgs["<fail@mail.example.net>"], msgs["<ok@school.example.org>"]
        assert bad.sender_verification["verified"] is False and bad.sender_verification["ignored_headers"] == 1
        assert good.sender_verification["verified"] is True
        # Not dropped: its form was read into a record like any other.
        assert {d.status for d in bad.documents} == {"parsed"}
        assert any(d.record is not None and d.template == "staffordshire_cse" for d in bad.documents)
        page = queue.list_queue(s, queue.QueueFilter(reason="unverified_sender"))
        assert page.total == 1 and page.rows[0].document_pk == bad.documents[0].id
        detail = page.rows[0].items[0].detail
        assert "DMARC fail" in detail and SENDER_DOMAIN in detail and "ignored" in detail
        assert "zebedee" not in detail.lower() and SUBJECT not in detail
        assert "unverified_sender" in [c for c, _, _ in queue.reason_counts(s, queue.QueueFilter())]
        assert not [r for r in queue.list_queue(s, queue.QueueFilter()).rows
                    if r.document_pk in {d.id for d in good.documents}]
