"""A store error that is intake's own fault (a statement the store refuses:
a constraint, a bad query) exits 70, not 3 ("the store cannot be used"),
and the log names the intake line that issued it, not only SQLAlchemy's
frames."""

from __future__ import annotations

import logging
import mailbox

from sqlalchemy import insert

from intake import cli
from intake.cli.exit_codes import EXIT_INTERNAL, EXIT_OK
from intake.store import inbound
from intake.store import repository as repo
from tests.imap.helpers import make_message


def test_a_refused_statement_is_a_fault_in_intake_with_its_intake_frame(tmp_path, monkeypatch, caplog, capsys):
    box = mailbox.mbox(str(tmp_path / "a.mbox"))
    box.add(make_message(1).replace(b"\r\n", b"\n"))
    box.close()
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert cli.main(["replay", "--no-progress", "--inline", "--db", url, str(tmp_path / "a.mbox")]) == EXIT_OK

    # A bug: custody forgets to look for the rows it holds and inserts blindly
    # (one message at a time, and a replay's batch).
    monkeypatch.setattr(inbound, "_custody_row", lambda session, raw: None)
    monkeypatch.setattr(inbound, "_stored", lambda session, shas: ({}, set()))
    monkeypatch.setattr(repo, "insert_new",
                        lambda session, model, values, keys, returning=None: session.execute(insert(model).values(**values)))
    capsys.readouterr()
    with caplog.at_level(logging.ERROR):
        rc = cli.main(["replay", "--no-progress", "--inline", "--db", url, str(tmp_path / "a.mbox")])
    err = capsys.readouterr().err
    assert rc == EXIT_INTERNAL
    assert "internal error (IntegrityError)" in err
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "inbound.py" in logged and "receive" in logged and "replay.py" in logged
