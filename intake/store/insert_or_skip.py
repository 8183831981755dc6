"""INSERT ... ON CONFLICT DO NOTHING that SQLAlchemy's statement cache keeps.

The dialects' own ``insert(...).on_conflict_do_nothing()`` (SQLAlchemy
2.0) cannot be cached (their Insert sets ``inherit_cache = False``), so a
statement the write path runs for every message (blobs, entity_facts) was
compiled again each time. SQLite (3.24 on) and PostgreSQL write the clause
the same way, so one construct, with its conflict target in its cache key,
serves both and sends the same SQL the dialects' would.
"""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal


class DoNothingOnConflict(ClauseElement):
    """``ON CONFLICT [(columns)] DO NOTHING``; no columns: any unique
    constraint (as ``on_conflict_do_nothing()`` with no target)."""

    __visit_name__ = "intake_do_nothing_on_conflict"
    # Its cache key: the target, so two targets never share a compiled form.
    _traverse_internals = [("columns", InternalTraversal.dp_string_list)]

    def __init__(self, columns=()):
        self.columns = list(columns)


@compiles(DoNothingOnConflict)
def _render(element, compiler, **kw):
    if not element.columns:
        return "ON CONFLICT DO NOTHING"
    return "ON CONFLICT (%s) DO NOTHING" % ", ".join(compiler.preparer.quote(c) for c in element.columns)


class InsertOrSkip(Insert):
    """``insert(table)`` whose rows give way to rows already stored under
    the same key: another process may insert the same row at any moment,
    and that is not an error. Build it once and execute it with a list of
    parameter dicts (one executemany; with ``returning``, the rows that
    went in)."""

    inherit_cache = True  # Insert's cache key covers the clause after VALUES

    def __init__(self, table, conflict_columns=()):
        super().__init__(table)
        self._post_values_clause = DoNothingOnConflict(conflict_columns)
