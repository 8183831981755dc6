"""The one registry of templates: the packaged TOML files plus any folders a
site names in ``[parsing] template_dirs``. A fifth force's form is one more
TOML file; a site file with a packaged id replaces the packaged one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from intake.exception_codes import TEMPLATE_INVALID
from intake.parsers.templates.loader import load_file
from intake.parsers.templates.model import NotAReport, Template
from intake.types import IntakeError


@dataclass(frozen=True)
class Registry:
    templates: tuple[Template, ...]
    not_a_report: NotAReport

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)


def _packaged_dir() -> Path:
    return Path(str(resources.files("intake.config").joinpath("templates")))


def template_dirs(settings: Any) -> list[Path]:
    dirs = [_packaged_dir()]
    if settings is None:
        return dirs
    extra = settings.section("parsing").get("template_dirs", []) or []
    if isinstance(extra, str):
        extra = [extra]
    for d in extra:
        p = Path(d)
        if not p.is_absolute():
            p = settings.base_dir / p
        if not p.is_dir():
            raise IntakeError(
                TEMPLATE_INVALID,
                f"[parsing] template_dirs names {p}, which is not a folder",
            )
        dirs.append(p)
    return dirs


_CACHE: dict[tuple, Registry] = {}


def load_registry(settings: Any = None) -> Registry:
    files: list[Path] = []
    for d in template_dirs(settings):
        files.extend(sorted(d.glob("*.toml")))
    # Keyed on path and mtime so an edited file is picked up without a restart.
    key = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    if key in _CACHE:
        return _CACHE[key]
    by_id: dict[str, Template] = {}
    nar: NotAReport | None = None
    for f in files:
        item = load_file(f)
        if isinstance(item, NotAReport):
            if nar is not None and not (item.form_titles or item.form_terms or item.form_general):
                # A site file that lists only its own kinds keeps the
                # packaged form cues.
                item = replace(item, form_titles=nar.form_titles, form_terms=nar.form_terms,
                               form_general=nar.form_general)
            nar = item  # a later (site) definition replaces the packaged one
        else:
            by_id[item.id] = item
    if nar is None:
        nar = NotAReport(kinds=())
    reg = Registry(tuple(by_id.values()), nar)
    _CACHE.clear()
    _CACHE[key] = reg
    return reg
