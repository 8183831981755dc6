"""Entity public ids: opaque, keyed per store, stable across rebuilds.

An entity's public id travels in the export, in URLs and in the audit log.
It used to be an unkeyed hash of "TYPE|value", which anyone could reverse
by hashing every phone number, plate or postcode and comparing. Now it is
an HMAC of that same resolution seed (entity_keys.id_seed) under a random
secret kept in the store, so:

- it still works as a blind index: the same value gives the same id in one
  store, so resolution finds a value's entity by its id without reading
  sealed values, and ``intake rebuild-entities`` gives every entity back
  the id it had;
- it says nothing about the value to anyone without the store's secret;
- ids issued before this scheme (the plain hash) still lead to their
  entity: ``legacy_redirect`` computes the new id from an old one, so old
  exports, bookmarks and audit entries keep working with no table of old
  ids (which would itself be a list of guessable hashes).

The secret is made at random when a store first needs it. An operator who
rebuilds a store from its archive and wants the same ids as before (other
systems hold them) sets ``INTAKE_ENTITY_ID_KEY_FILE`` to a file holding the
secret, kept like the other key files; it is read only when a store has no
secret yet.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, Text, select, type_coerce
from sqlalchemy.exc import IntegrityError

from intake.exception_codes import CONFIG_INVALID
from intake.store import crypto
from intake.store.models import StoreSecret
from intake.types import IntakeError

NAME = "entity_id_key"
PREFIX = "ent_"
ENV_FILE = "INTAKE_ENTITY_ID_KEY_FILE"
_CACHE_ATTR = "intake_entity_id_key"


def _from_env() -> str | None:
    path = os.environ.get(ENV_FILE)
    if not path:
        return None
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IntakeError(CONFIG_INVALID, f"{ENV_FILE}: cannot read the entity id key file ({type(exc).__name__})") from None
    if len(text) < 32:
        raise IntakeError(CONFIG_INVALID, f"{ENV_FILE}: the entity id key must be at least 32 characters")
    return text


def store_key(session) -> bytes:
    """The store's entity id secret, made (or taken from the key file) the
    first time any session of this store asks."""
    dialect = session.get_bind().dialect
    cached = getattr(dialect, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    value = session.scalar(select(StoreSecret.value).where(StoreSecret.name == NAME))
    if value is None:
        made = _from_env() or secrets.token_hex(32)
        # Two processes can make a new store's first entity at once: the
        # insert goes in a savepoint and the loser reads the winner's row.
        try:
            with session.begin_nested():
                session.add(StoreSecret(name=NAME, value=made))
        except IntegrityError:
            again = session.scalar(select(StoreSecret.value).where(StoreSecret.name == NAME))
            if again is None:
                raise
            made = again
        # Not cached: this transaction may still roll back, and the next
        # one would then make another secret.
        return made.encode()
    key = value.encode()
    setattr(dialect, _CACHE_ATTR, key)
    return key


@lru_cache(maxsize=65536)
def keyed(key: bytes, seed_id: str) -> str:
    # Remembered: resolution asks for the id of every value a document
    # names, and the same values recur report after report.
    return PREFIX + hmac.new(key, seed_id.encode(), hashlib.sha256).hexdigest()[:24]


def public_id(session, seed_id: str) -> str:
    """The public id of an entity whose resolution seed id is ``seed_id``
    (entity_keys.id_seed)."""
    return keyed(store_key(session), seed_id)


def legacy_redirect(session, ref: str) -> str | None:
    """The id that an id issued before keyed ids (an unkeyed hash) has now."""
    if not (ref.startswith(PREFIX) and len(ref) == len(PREFIX) + 24):
        return None
    return keyed(store_key(session), ref)


def seal_clear_secret(engine: Engine) -> bool:
    """Seal the secret if it is in clear: 0007_entity_ids writes it before
    the data key is opened. Needs the keyring attached (store_keys calls
    this right after attaching it)."""
    col = StoreSecret.__table__.c.value
    with engine.begin() as conn:
        raw = conn.execute(select(type_coerce(col, Text())).where(StoreSecret.name == NAME)).scalar()
        if not raw or crypto.is_sealed_text(raw):
            return False
        conn.execute(StoreSecret.__table__.update().where(StoreSecret.name == NAME).values(value=raw))
    return True
