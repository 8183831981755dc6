"""Every configuration file is checked at start, templates included, and
every problem is listed, one documented line each (`intake: <code>: ...`),
exit 2, before the store is touched."""

from __future__ import annotations

from pathlib import Path

from intake import cli
from intake.cli.exit_codes import EXIT_OK, EXIT_USAGE

PACKAGED = Path(__file__).resolve().parents[2] / "intake" / "config" / "templates"


def _site(tmp_path: Path, config: str, templates: dict[str, str] | None = None) -> Path:
    for name, text in (templates or {}).items():
        (tmp_path / "tpl").mkdir(exist_ok=True)
        (tmp_path / "tpl" / name).write_text(text)
    conf = tmp_path / "intake.toml"
    conf.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "s.sqlite"}"\n' + config)
    return conf


def _run(conf: Path, capsys, *argv: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    rc = cli.main(["--config", str(conf), *argv])
    return rc, capsys.readouterr().err.strip().splitlines()


def test_misspelt_canonical_field_in_a_site_template_is_refused(tmp_path, capsys):
    text = (PACKAGED / "staffordshire_cse.toml").read_text()
    assert '[fields."subject.name"]' in text
    conf = _site(tmp_path, '[parsing]\ntemplate_dirs = ["tpl"]\n',
                 {"site.toml": text.replace('[fields."subject.name"]', '[fields."subject.nmae"]')
                  .replace('id = "staffordshire_cse"', 'id = "site_form"')})
    for command in (["status"], ["export"], ["migrate"]):
        rc, lines = _run(conf, capsys, *command)
        assert rc == EXIT_USAGE, (command, lines)
        assert len(lines) == 1 and lines[0].startswith("intake: template_invalid: "), lines
        assert "site.toml" in lines[0] and "subject.nmae" in lines[0] and "did you mean 'subject.name'" in lines[0]
    assert not (tmp_path / "s.sqlite").exists()


def test_every_problem_is_listed_one_line_each(tmp_path, capsys):
    conf = _site(tmp_path, '[logging]\nlevel = "LOUD"\n[mime]\nmax_parts = "many"\n')
    rc, lines = _run(conf, capsys, "status")
    assert rc == EXIT_USAGE and len(lines) == 2, lines
    assert all(line.startswith("intake: config_invalid: ") for line in lines), lines
    assert "level" in "".join(lines) and "max_parts" in "".join(lines) and "more problem" not in "".join(lines)

    conf = _site(tmp_path, '[parsing]\ntemplate_dirs = ["tpl"]\n',
                 {"a.toml": 'id = "a"\n[fields\n',
                  "b.toml": 'id = "b"\nversion = 1\n[recognition]\ntitles = ["B"]\n'
                            '[fields."incident.narativ"]\nlabels = ["Details"]\n'
                            '[fields."subject.nmae"]\nlabels = ["Name"]\n'})
    rc, lines = _run(conf, capsys, "status")
    assert rc == EXIT_USAGE and len(lines) == 3, lines
    assert all(line.startswith("intake: template_invalid: ") for line in lines), lines
    joined = "\n".join(lines)
    for needle in ("a.toml: is not valid TOML", "incident.narativ", "subject.nmae"):
        assert needle in joined, (needle, joined)


def test_the_packaged_templates_pass(tmp_path, capsys):
    conf = _site(tmp_path, "")
    rc, lines = _run(conf, capsys, "migrate")
    assert rc == EXIT_OK, lines
