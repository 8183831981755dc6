"""The store's data key: made, wrapped, unwrapped, re-wrapped, checked, and
the run that encrypts a store that was kept in clear.

The key-encryption key (KEK) comes from the environment or a file
([encryption] key_env / key_file), never from the store: a copy of the
database (a backup, a dump) without it is ciphertext. It is 32 random
bytes written as base64 (`intake keys generate`). The data key (DEK) is
made once per store and kept in ``store_keys`` wrapped by the KEK with
AES-GCM; rotating the KEK re-wraps that one row and touches nothing else.

Opening a store (``open_keyring``) decides, in one place:

- no KEK configured, no data key: a plain store, as before;
- no KEK configured, a data key: refused (store_key_missing);
- a KEK, no data key: a new or empty store gets one; a store with content
  in clear is refused until `intake keys encrypt-existing` has run
  (store_not_encrypted);
- a KEK and a data key: the KEK must be the one that wraps it
  (store_key_wrong); a data key whose encryption run did not finish, or
  whose store was upgraded to a schema that seals more columns, is
  refused (store_not_encrypted) except by that run.

Long on purpose: the life of the data key (make, open, rotate, check,
encrypt a store kept in clear) is one story, and splitting it would put the
rules of when a store may open in two places.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON as PlainJSON
from sqlalchemy import Engine, func, select, text, type_coerce, update
from sqlalchemy import LargeBinary as PlainBytes
from sqlalchemy import Text as PlainText

from intake.exception_codes import STORE_KEY_MISSING, STORE_KEY_WRONG, STORE_NOT_ENCRYPTED
from intake.store import crypto
from intake.store.crypto import Keyring, SealedBytes, SealedJSON, SealedValueError

log = logging.getLogger(__name__)

READY, ENCRYPTING = "ready", "encrypting"
_WRAP_AAD = b"intake data key v1|"


class KeyProblem(Exception):
    """Why a store may not be opened with the key given; db.py turns it
    into a StoreError (one line, exit 3)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


# --------------------------------------------------------------------------
# the key-encryption key
# --------------------------------------------------------------------------


def generate_kek() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


def parse_kek(text_: str, where: str) -> bytes:
    """32 bytes from base64 (what `intake keys generate` prints) or 64 hex
    digits. The key itself is never repeated in a message."""
    s = (text_ or "").strip()
    raw = None
    if len(s) == 64 and all(c in "0123456789abcdefABCDEF" for c in s):
        raw = bytes.fromhex(s)
    else:
        try:
            raw = base64.b64decode(s, validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != 32:
        raise KeyProblem(STORE_KEY_WRONG, f"the key in {where} is not a key intake can use: it must be 32 random "
                        "bytes as base64 (make one with `intake keys generate`)")
    return raw


def kek_fingerprint(kek: bytes) -> str:
    """Names which KEK wraps a data key without revealing anything about it."""
    return hmac.new(kek, b"intake key-encryption key fingerprint v1", hashlib.sha256).hexdigest()[:32]


def wrap(kek: bytes, dek: bytes, key_id: int) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(kek).encrypt(nonce, dek, _WRAP_AAD + str(key_id).encode())


def unwrap(kek: bytes, wrapped: bytes, key_id: int) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], _WRAP_AAD + str(key_id).encode())
    except (InvalidTag, ValueError):
        raise KeyProblem(STORE_KEY_WRONG, "the configured key does not open this store's data key: configure the "
                        "key the store was encrypted with") from None


# --------------------------------------------------------------------------
# opening a store
# --------------------------------------------------------------------------


def _key_rows(conn):
    from intake.store.models import StoreKey

    return conn.execute(select(StoreKey.id, StoreKey.wrapped, StoreKey.kek_fingerprint, StoreKey.state)
                        .order_by(StoreKey.id)).all()


def _has_content(conn) -> bool:
    from intake.store.models import Blob, Message

    return conn.execute(select(Message.id).limit(1)).first() is not None or \
        conn.execute(select(Blob.sha256).limit(1)).first() is not None


def new_data_key(conn, kek: bytes, state: str = READY) -> Keyring:
    from intake.store.models import StoreKey

    dek = os.urandom(32)
    key_id = 1
    conn.execute(StoreKey.__table__.insert().values(
        id=key_id, wrapped=wrap(kek, dek, key_id), kek_fingerprint=kek_fingerprint(kek), state=state,
        created_at=datetime.now(timezone.utc)))
    return Keyring(key_id, dek)


def open_keyring(engine: Engine, kek: bytes | None, *, can_write: bool,
                 purpose: str = "use") -> Keyring | None:
    """The store's keyring (None for a plain store), attached to the engine;
    a KeyProblem when the store must not be opened (module docstring).
    ``purpose="encrypt-existing"`` lets that run open a store in clear or
    half done; ``purpose="unchecked"`` attaches nothing and checks nothing
    (schema work that reads no content)."""
    if purpose == "unchecked":
        return None
    with engine.connect() as conn:
        rows = _key_rows(conn)
        if not rows:
            if kek is None:
                crypto.attach(engine, None)
                return None
            if purpose == "encrypt-existing":
                crypto.attach(engine, None)
                return None
            if _has_content(conn):
                raise KeyProblem(STORE_NOT_ENCRYPTED, "[encryption] names a key but the store holds unencrypted "
                                "content: run `intake keys encrypt-existing` first (docs/security.md)")
            if not can_write:
                raise KeyProblem(STORE_NOT_ENCRYPTED, "[encryption] names a key but the store has no data key yet: "
                                "a write command (or `intake keys encrypt-existing`) makes it")
            keyring = new_data_key(conn, kek)
            conn.commit()
            crypto.attach(engine, keyring)
            log.info("store data key created", extra={"intake_fields": {"key_id": keyring.key_id}})
            return keyring
    if kek is None:
        raise KeyProblem(STORE_KEY_MISSING, "the store is encrypted but no key is configured: set [encryption] "
                        "key_env or key_file (docs/security.md)")
    key_id, wrapped, fingerprint, state = rows[-1]
    if fingerprint != kek_fingerprint(kek):
        raise KeyProblem(STORE_KEY_WRONG, "the configured key is not the one that wraps this store's data key "
                        "(after `intake keys rotate`, configure the new key)")
    keyring = Keyring(key_id, unwrap(kek, bytes(wrapped), key_id))
    if state == ENCRYPTING and purpose != "encrypt-existing":
        raise KeyProblem(STORE_NOT_ENCRYPTED, "the store holds values still to be encrypted (an `intake keys "
                        "encrypt-existing` run that did not finish, or an upgrade that encrypts more columns): "
                        "run `intake keys encrypt-existing` (it resumes) before using the store")
    crypto.attach(engine, keyring)
    if can_write and purpose == "use":
        from intake.store.entities.ids import seal_clear_secret

        seal_clear_secret(engine)
    return keyring


def store_state(engine: Engine) -> str | None:
    """None (plain), "ready" or "encrypting"."""
    with engine.connect() as conn:
        rows = _key_rows(conn)
    return rows[-1][3] if rows else None


# --------------------------------------------------------------------------
# rotation
# --------------------------------------------------------------------------


def rotate(engine: Engine, old_kek: bytes, new_kek: bytes) -> int:
    """Re-wrap the data key(s) under a new KEK in one transaction. Nothing
    else changes: every sealed value stays as it is. Returns how many keys
    were re-wrapped."""
    from intake.store.models import StoreKey

    with engine.begin() as conn:
        rows = _key_rows(conn)
        if not rows:
            raise KeyProblem(STORE_NOT_ENCRYPTED, "the store is not encrypted: nothing to rotate")
        for key_id, wrapped, fingerprint, _state in rows:
            if fingerprint != kek_fingerprint(old_kek):
                raise KeyProblem(STORE_KEY_WRONG, "the configured key is not the one that wraps this store's "
                                "data key")
            dek = unwrap(old_kek, bytes(wrapped), key_id)
            conn.execute(update(StoreKey).where(StoreKey.id == key_id).values(
                wrapped=wrap(new_kek, dek, key_id), kek_fingerprint=kek_fingerprint(new_kek),
                rewrapped_at=datetime.now(timezone.utc)))
    return len(rows)


# --------------------------------------------------------------------------
# every sealed value: check, and encrypt what is in clear
# --------------------------------------------------------------------------


def _raw(col):
    """The column read without opening it: what is really stored."""
    if isinstance(col.type, SealedBytes):
        return type_coerce(col, PlainBytes())
    if isinstance(col.type, SealedJSON):
        return type_coerce(col, PlainJSON())
    return type_coerce(col, PlainText())


def _is_sealed(col, value) -> bool:
    if isinstance(col.type, SealedBytes):
        return crypto.is_sealed_bytes(value)
    return crypto.is_sealed_text(value)


@dataclass
class Census:
    """What `keys check` found: values per column that are sealed, in clear
    (None and empty JSON containers do not count), or do not open."""

    sealed: dict[str, int] = field(default_factory=dict)
    clear: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    @property
    def total_sealed(self) -> int:
        return sum(self.sealed.values())

    @property
    def total_clear(self) -> int:
        return sum(self.clear.values())

    @property
    def total_failed(self) -> int:
        return sum(self.failed.values())


def _batches(conn, table, cols, batch: int):
    pk = list(table.primary_key.columns)
    assert len(pk) == 1, f"{table.name}: one-column primary key expected"
    pk = pk[0]
    last = None
    while True:
        q = select(pk, *[_raw(c).label(c.name) for c in cols]).order_by(pk).limit(batch)
        if last is not None:
            q = q.where(pk > last)
        rows = conn.execute(q).all()
        if not rows:
            return
        yield pk, rows
        last = rows[-1][0]


def _by_table(metadata) -> dict:
    out: dict = {}
    for table, col in crypto.sealed_columns(metadata):
        out.setdefault(table, []).append(col)
    return out


def _meaningful(value) -> bool:
    return value is not None and value != {} and value != [] and value != ""


def check(engine: Engine, keyring: Keyring | None, batch: int = 500) -> Census:
    """Open every sealed value with the keyring: counts per column."""
    from intake.store.models import Base

    census = Census()
    with engine.connect() as conn:
        for table, cols in _by_table(Base.metadata).items():
            for _pk, rows in _batches(conn, table, cols, batch):
                for row in rows:
                    for i, col in enumerate(cols, start=1):
                        value = row[i]
                        name = f"{table.name}.{col.name}"
                        if not _is_sealed(col, value):
                            if _meaningful(value):
                                census.clear[name] = census.clear.get(name, 0) + 1
                            continue
                        try:
                            if keyring is None:
                                raise SealedValueError(STORE_KEY_MISSING, "no key")
                            if isinstance(col.type, SealedBytes):
                                keyring.open_bytes(bytes(value), col.type.domain)
                            else:
                                keyring.open_text(value, col.type.domain)
                            census.sealed[name] = census.sealed.get(name, 0) + 1
                        except SealedValueError:
                            census.failed[name] = census.failed.get(name, 0) + 1
    return census


def _plain(col, value):
    if isinstance(col.type, SealedBytes):
        return crypto.unescape_bytes(bytes(value))
    if isinstance(value, str):
        return crypto.unescape_text(value)
    return value


def encrypt_existing(engine: Engine, kek: bytes, *, batch: int = 200,
                     progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Seal every value still in clear, one committed batch at a time. A
    run that stops (killed, power cut) leaves the store marked
    "encrypting", which other commands refuse; running again carries on,
    since every row says for itself whether it is sealed. Returns values
    sealed per table."""
    from intake.store.models import Base, StoreKey

    with engine.begin() as conn:
        rows = _key_rows(conn)
        if not rows:
            keyring = new_data_key(conn, kek, state=ENCRYPTING)
        else:
            key_id, wrapped, fingerprint, _state = rows[-1]
            if fingerprint != kek_fingerprint(kek):
                raise KeyProblem(STORE_KEY_WRONG, "the configured key is not the one that wraps this store's "
                                "data key")
            keyring = Keyring(key_id, unwrap(kek, bytes(wrapped), key_id))
            conn.execute(update(StoreKey).where(StoreKey.id == key_id).values(state=ENCRYPTING))
    crypto.attach(engine, keyring)
    done: dict[str, int] = {}
    for table, cols in _by_table(Base.metadata).items():
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(table)).scalar() or 0
        seen = 0
        with engine.connect() as reader:
            for pk, rows in _batches(reader, table, cols, batch):
                changes = []
                for row in rows:
                    values = {col.name: _plain(col, row[i]) for i, col in enumerate(cols, start=1)
                              if row[i] is not None and not _is_sealed(col, row[i])}
                    if values:
                        changes.append((row[0], values))
                if changes:
                    # Written through the sealed column types: the keyring
                    # attached above seals each value on the way in.
                    with engine.begin() as conn:
                        for key, values in changes:
                            conn.execute(update(table).where(pk == key).values(**values))
                    done[table.name] = done.get(table.name, 0) + len(changes)
                seen += len(rows)
                if progress:
                    progress(table.name, seen, total)
    with engine.begin() as conn:
        conn.execute(update(StoreKey).values(state=READY))
    return done


def compact(engine: Engine) -> None:
    """Make what was overwritten unrecoverable from the file: SQLite keeps
    old page images in the WAL and may keep freed space; VACUUM rewrites
    the file and a TRUNCATE checkpoint empties the WAL. On PostgreSQL old
    row versions stay until VACUUM reuses them: docs/security.md says what
    to run there."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM"))
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def kek_from_settings(settings) -> bytes | None:
    """The KEK named by [encryption] (None when none is named). A key that
    is named but cannot be read stops the command with store_key_missing."""
    from intake.config.settings import ConfigError, read_secret

    enc = settings.model.encryption
    if not enc.key_env and not enc.key_file:
        return None
    table = {"key_env": enc.key_env, "key_file": str(settings.path(enc.key_file)) if enc.key_file else None}
    where = "$" + enc.key_env if enc.key_env else table["key_file"]
    try:
        value = read_secret(table, "key", f"{settings.source}: [encryption]")
    except ConfigError as exc:
        raise KeyProblem(STORE_KEY_MISSING, f"the store's key is not available: {exc}") from None
    if not value:
        raise KeyProblem(STORE_KEY_MISSING, f"the store's key in {where} is empty")
    return parse_kek(value, where)
