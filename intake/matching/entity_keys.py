"""Which mention types become entities, and the key each resolves on.

Plates, phones, e-mails, postcodes, handles, apps and substances resolve on
their normalised value (docs/entities.md; the rule of each type in the
entity-type catalogue, intake/config/entity_types.toml); places, organisations, gangs, aliases
and vehicle descriptions on their value with case and white space folded.
People go through person_match.py. Ages, dates of birth and dates are
attributes of a person or a report, not things that recur on their own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from intake import entity_types

# From the entity-type catalogue (intake/config/entity_types.toml).
EXACT_TYPES = entity_types.EXACT
FOLDED_TYPES = entity_types.FOLDED
ATTRIBUTE_TYPES = entity_types.ATTRIBUTES
# Generic words every other report names ("snapchat", "cannabis"): linking
# them to everything in a report would make them hubs that hide the links
# that matter. They are still entities, counted and listed.
NOT_CO_MENTIONED = entity_types.NOT_CO_MENTIONED
KEY_MAX = 400

_WS = re.compile(r"\s+")


def _collapse(s: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", s or "")).strip()


def exact_key(type_: str, value: str) -> str:
    v = _collapse(value)
    t = entity_types.CATALOGUE.get(type_)
    rule = t.key if t is not None else None
    if rule == "upper-no-spaces":
        return v.upper().replace(" ", "")
    if rule == "no-spaces-or-hyphens":
        return v.replace(" ", "").replace("-", "")
    if rule == "postcode":
        compact = v.upper().replace(" ", "")
        return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
    if rule == "casefold":
        return v.casefold()
    return v


def folded_key(value: str) -> str:
    v = _collapse(value).strip("\"'“”‘’").casefold()
    return v[:KEY_MAX]


def entity_key(type_: str, value: str) -> str | None:
    if type_ in EXACT_TYPES:
        return exact_key(type_, value)[:KEY_MAX] or None
    if type_ in FOLDED_TYPES:
        return folded_key(value) or None
    return None


def is_partial_plate(key: str) -> bool:
    return "*" in key


def plate_pattern(partial: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in partial))


def plate_consistent(partial: str, full: str) -> bool:
    """A partial plate ("BD61*", "*XKF") is consistent with a full plate it
    could be a sighting of. Only ever a candidate link, never a merge."""
    return bool(plate_pattern(partial).fullmatch(full))


def like_pattern(partial: str) -> str:
    # VRMs are letters and digits only, so no LIKE escaping is needed for
    # them; anything else cannot match a full plate anyway.
    return "".join("%" if c == "*" else c for c in partial)


def id_seed(*parts: str) -> str:
    """What an entity's public id is made from: its type and value (or, for
    a person, the mention that first named them). An unkeyed hash, never
    stored or shown: entity_ids.py keys it into the public id (and it is
    what ids issued before that looked like, which is how they still
    redirect)."""
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()
    return f"ent_{digest}"
