"""The [[inbox]] schema: what is accepted, what is refused and how it says so."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake.config.settings import ConfigError, Settings
from intake.ingest.inbox_config import (
    After,
    load_inboxes,
    parse_after,
    parse_inbox,
    parse_schedule,
    select_inboxes,
)


def base(**over):
    t = {"name": "mase", "host": "imap.example.org", "username": "mase-intel",
         "password_env": "INTAKE_MASE_PASSWORD"}
    t.update(over)
    return t


def test_issue_example_is_accepted():
    cfg = parse_inbox(base(port=993, tls="implicit", ca_file="/etc/intake/ca.pem",
                           folders=["INBOX"], after="move:Processed", schedule="every 60s"), 0)
    assert cfg.after == After("move", "Processed")
    assert cfg.schedule.interval_s == 60
    assert cfg.origin("INBOX", 1, 42) == "imap://mase-intel@imap.example.org/INBOX;UIDVALIDITY=1;UID=42"


def test_defaults_are_safe():
    cfg = parse_inbox(base(), 0)
    assert cfg.tls == "implicit" and cfg.port == 993
    assert cfg.after.kind == "none"  # read-only unless asked otherwise
    assert parse_inbox(base(tls="starttls"), 0).port == 143


@pytest.mark.parametrize("text,expected", [
    ("none", After("none")),
    ("move:Processed", After("move", "Processed")),
    ("move:INBOX/Done", After("move", "INBOX/Done")),
    ("flag:\\Seen", After("flag", "\\Seen")),
    ("flag:\\seen", After("flag", "\\Seen")),
    ("keyword:intake-done", After("keyword", "intake-done")),
])
def test_after_forms(text, expected):
    assert parse_after(text, "x") == expected


@pytest.mark.parametrize("text", ["delete", "move:", "flag:\\Deleted", "flag:Seen", "keyword:two words",
                                  "keyword:\\Seen", "keyword:a(b", "move:a*", "", "MOVE:x"])
def test_after_refused(text):
    with pytest.raises(ConfigError, match="after|keyword|flag|move"):
        parse_after(text, "x")


@pytest.mark.parametrize("text,seconds", [("every 60s", 60), ("every 5 minutes", 300), ("every 2h", 7200),
                                          ("every 1 sec", 1)])
def test_interval_schedules(text, seconds):
    assert parse_schedule(text, "x").interval_s == seconds


def test_cron_schedule():
    sch = parse_schedule("*/5 7-19 * * mon-fri", "x")
    assert sch.cron and sch.interval_s is None
    assert sch.trigger() is not None


@pytest.mark.parametrize("text", ["every", "60", "every 0s", "* * *", "hourly", "every -1s"])
def test_bad_schedule(text):
    with pytest.raises(ConfigError, match="schedule"):
        parse_schedule(text, "x")


def test_plaintext_refused_unless_loopback():
    with pytest.raises(ConfigError, match="refused.*imap.example.org"):
        parse_inbox(base(tls="none"), 0)
    for host in ("localhost", "127.0.0.1", "::1", "[::1]"):
        assert parse_inbox(base(tls="none", host=host), 0).tls == "none"


def test_literal_password_refused_and_not_echoed():
    with pytest.raises(ConfigError) as exc:
        parse_inbox(base(password="hunter2-literal"), 0)
    assert "hunter2-literal" not in str(exc.value)
    assert "password_env" in str(exc.value)


@pytest.mark.parametrize("over,needle", [
    ({"password_env": None}, "password_env or password_file"),
    ({"password_file": "/run/secrets/x"}, "exactly one"),
    ({"auth": "xoauth2", "password_env": None}, "token_command"),
    ({"auth": "xoauth2", "token_command": "get-token"}, "not a password"),
    ({"token_command": "get-token"}, "xoauth2"),
    ({"name": "bad name"}, "name"),
    ({"host": ""}, "host"),
    ({"port": 70000}, "port"),
    ({"tls": "ssl"}, "tls"),
    ({"folders": []}, "folders"),
    ({"folders": ["INBOX", "INBOX"]}, "twice"),
    ({"after": "move:INBOX"}, "also read"),
    ({"idle": "yes"}, "idle"),
    ({"batch_size": 0}, "batch_size"),
    ({"polling": 5}, "unknown key"),
])
def test_invalid_tables(over, needle):
    table = {k: v for k, v in base(**over).items() if v is not None}
    with pytest.raises(ConfigError, match=needle):
        parse_inbox(table, 0)


def test_xoauth2_table():
    table = {k: v for k, v in base(auth="xoauth2", token_command="get-token --for mase").items()
             if k != "password_env"}
    cfg = parse_inbox(table, 0)
    assert cfg.auth == "xoauth2" and cfg.secret == {}


def test_load_and_select():
    s = Settings(raw={"inbox": [base(), base(name="cse", username="cse-intel")]})
    inboxes = load_inboxes(s)
    assert [i.name for i in inboxes] == ["mase", "cse"]
    assert [i.name for i in select_inboxes(inboxes, "cse")] == ["cse"]
    with pytest.raises(ConfigError, match="no \\[\\[inbox\\]\\] named 'nope'.*mase, cse"):
        select_inboxes(inboxes, "nope")
    with pytest.raises(ConfigError, match="used twice"):
        load_inboxes(Settings(raw={"inbox": [base(), base()]}))
    assert load_inboxes(Settings(raw={})) == []


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_after_fuzz(text):
    try:
        after = parse_after(text, "x")
    except ConfigError:
        return
    assert after.kind in ("move", "flag", "keyword", "none")
    assert "\r" not in str(after) and "\n" not in str(after)


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_schedule_fuzz(text):
    try:
        sch = parse_schedule(text, "x")
    except ConfigError:
        return
    assert (sch.interval_s or 0) >= 1 or sch.cron


@hsettings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(["name", "host", "port", "tls", "username", "password_env",
                                                "folders", "after", "schedule", "idle", "batch_size",
                                                "auth", "token_command", "ca_file"])),
                       st.one_of(st.text(max_size=12), st.integers(-5, 70000), st.booleans(),
                                 st.lists(st.text(max_size=8), max_size=3)),
                       max_size=12))
def test_inbox_fuzz_only_config_errors(table):
    try:
        parse_inbox(table, 0)
    except ConfigError:
        pass



def test_cron_timezone():
    assert parse_schedule("0 9 * * *", "x", "Europe/London").timezone == "Europe/London"
    assert parse_inbox(base(schedule="*/5 7-19 * * mon-fri", timezone="Europe/London"), 0).schedule.trigger()
    with pytest.raises(ConfigError, match="timezone"):
        parse_inbox(base(schedule="0 9 * * *", timezone="Mars/Olympus"), 0)


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    table = {k: v for k, v in base(password_file="secrets/mase", ca_file="ca.pem").items() if k != "password_env"}
    s = Settings(raw={"inbox": [table]}, config_path=tmp_path / "intake.toml")
    [ib] = load_inboxes(s)
    assert ib.ca_file == str(tmp_path / "ca.pem")
    assert ib.secret["password_file"] == str(tmp_path / "secrets" / "mase")
