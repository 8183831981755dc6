"""Matching logic without SQL: person names (person_match), entity normal keys
(entity_keys), report content fingerprints for dedup (content_fingerprint)."""
