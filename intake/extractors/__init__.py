"""Text → entity mentions (docs/entities.md). Pure: no database, no forms."""

from intake.extractors.extract import extract_mentions

__all__ = ["extract_mentions"]
