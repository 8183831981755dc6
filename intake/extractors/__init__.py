"""Text → entity mentions (docs/entities.md). Pure: no database, no forms.

``extract_mentions`` is imported when first asked for, not with the
package: the urgent-lane pre-screen needs only ``intake.extractors.sentences``
and the rule recognisers it would bring (dateparser, phonenumbers) cost the
process that reads mail start-up time for nothing."""

from __future__ import annotations

__all__ = ["extract_mentions"]


def __getattr__(name: str):
    if name == "extract_mentions":
        from intake.extractors.extract import extract_mentions

        return extract_mentions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
