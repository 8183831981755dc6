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
