"""Content-level deduplication (stub; issue 6 replaces it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ContentMatch:
    document_pk: int
    score: float
    decision: str  # duplicate | possible_duplicate


def find_content_duplicate(session, document, record, text) -> ContentMatch | None:
    return None
