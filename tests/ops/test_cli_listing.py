"""CLI polish: listings say when they are cut short, unknown enum values are
usage errors, --json on listings, common options before or after the
command."""

from __future__ import annotations

import json

import pytest

from intake import cli
from intake.cli.exit_codes import EXIT_OK, EXIT_USAGE
from intake.store.db import open_store
from intake.store.models import Entity


@pytest.fixture
def db(tmp_path, monkeypatch, settings):
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    monkeypatch.delenv("INTAKE_DB_URL", raising=False)
    with open_store(settings) as store, store.transaction() as s:
        for i in range(7):
            s.add(Entity(public_id=f"E-{i:03d}", type="VRM" if i % 2 else "PHONE", key=f"k{i}",
                         display=f"AB{i:02d} CDE", document_count=10 - i, agency_count=1, submitter_count=1))
    return settings.store_url


def test_listing_says_when_it_is_cut_short(db, capsys):
    assert cli.main(["entities", "--db", db, "--limit", "3"]) == EXIT_OK
    out = capsys.readouterr()
    assert len(out.out.strip().splitlines()) == 1 + 3
    assert "3 of 7 entities" in out.err and "--limit" in out.err and "--all" in out.err
    assert cli.main(["--db", db, "entities", "--all"]) == EXIT_OK
    out = capsys.readouterr()
    assert len(out.out.strip().splitlines()) == 1 + 7 and "7 entities" in out.err


def test_type_filter_and_json(db, capsys):
    assert cli.main(["entities", "--type", "vrm", "--json", "--db", db]) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and {r["type"] for r in rows} == {"VRM"}
    assert rows[0]["reports"] >= rows[-1]["reports"]


def test_unknown_type_is_a_usage_error(db, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["entities", "--type", "FOO", "--db", db])
    assert exc.value.code == EXIT_USAGE
    assert "unknown type 'FOO'" in capsys.readouterr().err


def test_entity_show_json(db, capsys):
    assert cli.main(["entity", "E-001", "--json", "--db", db]) == EXIT_OK
    obj = json.loads(capsys.readouterr().out)
    assert obj["entity_id"] == "E-001" and obj["type"] == "VRM" and obj["mentions"] == []


def test_readme_lists_every_command():
    """README's command table names every command the CLI has."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("## Commands", 1)[1].split("Exit codes", 1)[0]
    listed = set(re.findall(r"`intake ([a-z-]+)", table))
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = sorted(set(sub.choices) - listed)
    assert not missing, f"README's command table lacks: {missing}"
