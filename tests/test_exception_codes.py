"""One catalogue of exception codes (intake/exception_codes.py): every code
raised anywhere is in it, and docs/exception-codes.md is generated from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from intake import exception_codes
from intake.types import ExceptionInfo, IntakeError

REPO = Path(__file__).resolve().parent.parent
RAISERS = {"IntakeError", "ExceptionInfo", "ImapError"}


def _calls():
    for path in sorted((REPO / "intake").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
                if name in RAISERS:
                    yield path.relative_to(REPO), node.lineno, node.args[0]


def test_codes_are_raised_by_catalogue_name_never_by_literal():
    literals = [f"{p}:{line}" for p, line, arg in _calls() if isinstance(arg, ast.Constant)]
    assert literals == []


def test_every_named_code_is_in_the_catalogue():
    names = {arg.id for _, _, arg in _calls() if isinstance(arg, ast.Name) and arg.id.isupper()}
    assert names, "the scan found no raises at all: the test is broken"
    missing = sorted(n for n in names if not hasattr(exception_codes, n))
    assert missing == []


def test_an_unknown_code_cannot_be_raised():
    with pytest.raises(ValueError):
        ExceptionInfo("made_up_code", "x")
    with pytest.raises(ValueError):
        IntakeError("made_up_code", "x")


def test_every_entry_says_what_to_do():
    for c in exception_codes.CATALOGUE.values():
        assert c.meaning.strip() and c.action.strip(), c.code
        assert c.code == c.code.lower() and " " not in c.code


def test_docs_table_is_generated_from_the_catalogue():
    doc = (REPO / "docs" / "exception-codes.md").read_text(encoding="utf-8")
    assert doc == exception_codes.markdown(), "run: python -m intake.exception_codes > docs/exception-codes.md"


def _error_classes():
    """Every exception class intake defines whose name says it is an error."""
    import importlib
    import inspect
    import pkgutil

    import intake

    for info in pkgutil.walk_packages(intake.__path__, "intake."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == info.name and issubclass(cls, Exception) and name.endswith("Error")
                    and not name.startswith("_")):
                yield cls


def test_every_error_type_carries_a_code():
    """An error an officer, an administrator or an operator sees is named by a
    catalogue code: on the class, or (IntakeError and ConfigError and their kin)
    on each instance, checked when it is made."""
    from intake.config.settings import ConfigError

    per_instance = (IntakeError, ConfigError)
    classes = list(_error_classes())
    assert len(classes) > 10, "the scan found too few error types: the test is broken"
    without = sorted(f"{c.__module__}.{c.__name__}" for c in classes
                     if not issubclass(c, per_instance) and getattr(c, "code", None) not in exception_codes.CATALOGUE)
    assert without == []
