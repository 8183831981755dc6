"""The house rules that keep intake easy to carry on (docs/architecture.md):
no import cycle among intake's modules (imports inside functions count: a
cycle hidden that way is still a cycle), imports only run down the layers
written in docs/architecture.md (the test reads them from there, so the
page and the check cannot disagree), SQL only in store/ (no ingest/ or
review/ module imports the models), and no module over ~400 lines without
a reason written at its top."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PKG = REPO / "intake"
MAX_LINES = 400
LONG_REASON = "Long on purpose:"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(REPO).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "migrations" in parts:
            continue
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            # the module itself, or the package a name was taken from
            while t and t not in known:
                t = t.rsplit(".", 1)[0] if "." in t else ""
            if t and t != name:
                found.add(t)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _is_package(name: str) -> bool:
    return (REPO / Path(*name.split(".")) / "__init__.py").exists()


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    assert len(graph) > 80, "the scan found too few modules: the test is broken"
    # A package's __init__ re-exporting its own modules is not a cycle of design.
    trimmed = {m: {d for d in deps if not (_is_package(d) and m.startswith(d + "."))} for m, deps in graph.items()}
    assert _cycles(trimmed) == []


def test_a_planted_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_ingest_and_review_reach_the_database_only_through_store_functions():
    graph = _graph()
    offenders = sorted(m for m, deps in graph.items()
                       if m.startswith(("intake.ingest", "intake.review")) and "intake.store.models" in deps)
    assert offenders == []


def test_long_modules_say_why():
    long = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES and LONG_REASON not in text[:3000]:
            long.append(f"{name} ({text.count(chr(10))} lines)")
    assert long == []


# --- layers ------------------------------------------------------------------------------------

ARCHITECTURE_DOC = REPO / "docs" / "architecture.md"


def _layer_tables() -> dict[str, list[list[str]]]:
    """The layer tables of docs/architecture.md: each fenced block after a line
    ``<!-- layers: SCOPE -->`` lists one layer per line, top first, as
    ``N. name name ...``; names are relative to SCOPE."""
    text = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    tables = {}
    for m in re.finditer(r"<!-- layers: ([\w.]+) -->\s*```\w*\n(.*?)```", text, re.S):
        scope, body = m.group(1), m.group(2)
        tables[scope] = [line.split(".", 1)[1].split() for line in body.strip().splitlines()]
    return tables


def _unit(module: str, scope: str, names: set[str]) -> str | None:
    """The layer unit (a package or module named in the table) a module belongs to, in a scope;
    ``__init__`` for the scope's package itself."""
    if not (module == scope or module.startswith(scope + ".")):
        return None
    rest = module[len(scope) + 1:] if module != scope else ""
    if not rest:
        return "__init__"
    first = rest.split(".")[0]
    return first if first in names else None


def _arrows_up(graph: dict[str, set[str]], scope: str, layers: list[list[str]]) -> list[str]:
    """Imports that go up or sideways between layer units of one scope. A scope package
    that imports nothing itself (its __init__ a docstring) is only a folder: ``from
    scope import module`` names the package but depends on the module alone."""
    level = {name: i for i, layer in enumerate(layers) for name in layer}
    names = set(level)
    bad = []
    for module, deps in graph.items():
        a = _unit(module, scope, names)
        if a is None:
            continue
        for dep in deps:
            b = _unit(dep, scope, names)
            if b is None or b == a or (b == "__init__" and not graph.get(dep)):
                continue
            if level[b] <= level[a]:
                bad.append(f"{module} -> {dep}")
    return sorted(bad)


def test_the_layers_are_written_down():
    tables = _layer_tables()
    assert {"intake", "intake.parsers", "intake.store.entities"} <= set(tables)
    # every package and top-level module of intake has its place in the house
    top = {p.stem if p.is_file() else p.name for p in PKG.iterdir()
           if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())}
    placed = {name for layer in tables["intake"] for name in layer}
    assert top - placed == set(), "a package or module of intake/ with no layer in docs/architecture.md"


def test_imports_run_down_the_layers():
    graph = _graph()
    bad = []
    for scope, layers in _layer_tables().items():
        bad += _arrows_up(graph, scope, layers)
    assert bad == []


def test_an_arrow_back_up_would_be_found():
    layers = [["cli"], ["ingest", "review"], ["store"], ["__init__"]]
    graph = {"x.cli.main": {"x.store.db"}, "x.store.db": {"x.review.app"},
             "x.ingest.a": {"x.review.b", "x.store.db"}, "x.review.b": set()}
    assert _arrows_up(graph, "x", layers) == ["x.ingest.a -> x.review.b", "x.store.db -> x.review.app"]


def test_the_entity_type_table_in_the_docs_is_the_catalogues():
    from intake import entity_types

    text = (REPO / "docs" / "entities.md").read_text(encoding="utf-8")
    shown = text.split("<!-- entity-types: generated -->\n", 1)[1].split("<!-- /entity-types -->", 1)[0]
    assert shown == entity_types.markdown_table(), "regenerate with python -m intake.entity_types"
