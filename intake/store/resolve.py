"""Entity resolution (stub; issue 6 replaces it)."""

from __future__ import annotations


def resolve_document(session, document, mentions) -> None:
    return None


def rebuild_entities(session) -> None:
    return None
