"""Encryption at rest: the ciphers and the column types that use them.

One data key (DEK) per store, kept in the store only wrapped by a
key-encryption key (KEK) that lives outside it (store/store_keys.py). Two
working keys are derived from the DEK with HKDF:

- AES-256-GCM with a random nonce for content (blobs, texts, JSON): the
  same value stored twice looks different each time;
- AES-256-SIV, deterministic, for the few columns looked up by equality
  (a message's Message-ID, an entity's key, a document's agency): equal
  values give equal ciphertexts, so ``column == value`` still works in SQL
  and nothing else about the value shows.

Every ciphertext is bound to its column (associated data), so a value
cannot be moved to another column, and carries the id of the key that
sealed it.

The column types (``SealedText``, ``SealedJSON``, ``SealedBytes``) read
the store's keyring from the engine's dialect, where ``attach`` puts it:
with a keyring they seal on write and open on read; without one they
store values as they are, so a store with no key configured (the embedded
demo) works exactly as before. A value is marked by a leading U+001A
(SUBSTITUTE): "E" sealed with GCM, "D" with SIV, "P" a plain value that
itself began with U+001A. Blobs carry a longer magic prefix.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import JSON, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from intake.exception_codes import STORE_KEY_MISSING, STORE_KEY_WRONG
from intake.types import IntakeError

MARK = "\x1a"
SEALED = MARK + "E"
SEALED_DET = MARK + "D"
ESCAPED = MARK + "P"
BLOB_MAGIC = b"\x1aintake-sealed\x00"
BLOB_ESCAPED = b"\x1aintake-plain\x00"
_BLOB_MARK = b"\x1aintake-"
NONCE = 12
KEYRING_ATTR = "intake_keyring"
_DET_CACHE_MAX = 200_000


class SealedValueError(IntakeError):
    """A sealed value cannot be opened: no key, or not this store's key
    (or the value was damaged)."""


def _derive(dek: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(dek)


class Keyring:
    """The working keys of one store's data key."""

    def __init__(self, key_id: int, dek: bytes):
        if len(dek) != 32:
            raise ValueError("a data key is 32 bytes")
        self.key_id = key_id
        self._gcm = AESGCM(_derive(dek, b"intake content aes-256-gcm v1", 32))
        self._siv = AESSIV(_derive(dek, b"intake lookup aes-256-siv v1", 64))
        # Deterministic values (entity keys, agencies) are read over and over
        # by resolution and the queue: opening each once is enough.
        self._opened: dict[str, str] = {}

    def _aad(self, domain: str, key_id: int) -> bytes:
        return f"{domain}|{key_id}".encode()

    # text -----------------------------------------------------------------

    def seal_text(self, value: str, domain: str, deterministic: bool = False) -> str:
        data = value.encode("utf-8")
        if deterministic:
            ct = self._siv.encrypt(data, [self._aad(domain, self.key_id)])
            return f"{SEALED_DET}{self.key_id}:{base64.b64encode(ct).decode('ascii')}"
        nonce = os.urandom(NONCE)
        ct = self._gcm.encrypt(nonce, data, self._aad(domain, self.key_id))
        return f"{SEALED}{self.key_id}:{base64.b64encode(nonce + ct).decode('ascii')}"

    def open_text(self, stored: str, domain: str) -> str:
        cached = self._opened.get(stored)
        if cached is not None:
            return cached
        kind = stored[:2]
        head, sep, body = stored[2:].partition(":")
        if not sep or not head.isdigit() or kind not in (SEALED, SEALED_DET):
            raise SealedValueError(STORE_KEY_WRONG, f"a value in {domain} is damaged (not a sealed value)")
        key_id = int(head)
        if key_id != self.key_id:
            raise SealedValueError(STORE_KEY_WRONG, f"a value in {domain} was sealed with data key {key_id}, "
                                   f"not this store's key {self.key_id}")
        try:
            raw = base64.b64decode(body, validate=True)
            if kind == SEALED_DET:
                out = self._siv.decrypt(raw, [self._aad(domain, key_id)]).decode("utf-8")
                if len(self._opened) >= _DET_CACHE_MAX:
                    self._opened.clear()
                self._opened[stored] = out
                return out
            return self._gcm.decrypt(raw[:NONCE], raw[NONCE:], self._aad(domain, key_id)).decode("utf-8")
        except (InvalidTag, ValueError):
            raise SealedValueError(STORE_KEY_WRONG, f"a value in {domain} does not open with this store's key "
                                   "(damaged, or sealed by another store)") from None

    # bytes ----------------------------------------------------------------

    def seal_bytes(self, data: bytes, domain: str) -> bytes:
        nonce = os.urandom(NONCE)
        head = BLOB_MAGIC + self.key_id.to_bytes(2, "big")
        return head + nonce + self._gcm.encrypt(nonce, data, self._aad(domain, self.key_id))

    def open_bytes(self, stored: bytes, domain: str) -> bytes:
        n = len(BLOB_MAGIC)
        key_id = int.from_bytes(stored[n:n + 2], "big")
        if key_id != self.key_id:
            raise SealedValueError(STORE_KEY_WRONG, f"a blob was sealed with data key {key_id}, not this "
                                   f"store's key {self.key_id}")
        body = stored[n + 2:]
        try:
            return self._gcm.decrypt(body[:NONCE], body[NONCE:], self._aad(domain, key_id))
        except (InvalidTag, ValueError):
            raise SealedValueError(STORE_KEY_WRONG, "a blob does not open with this store's key (damaged, "
                                   "or sealed by another store)") from None


# --------------------------------------------------------------------------
# where a store's keyring lives
# --------------------------------------------------------------------------


def attach(engine, keyring: Keyring | None) -> None:
    """Give the engine's column types this keyring (None: store plainly).
    Each engine has its own dialect object, so two stores open in one
    process keep their own keys."""
    setattr(engine.dialect, KEYRING_ATTR, keyring)


def keyring_of(dialect) -> Keyring | None:
    return getattr(dialect, KEYRING_ATTR, None)


def session_keyring(session) -> Keyring | None:
    """The keyring of the store a session works on (None: not encrypted)."""
    return keyring_of(session.get_bind().dialect)


def _missing(domain: str) -> SealedValueError:
    return SealedValueError(STORE_KEY_MISSING, f"{domain} holds encrypted values but no key is configured: "
                            "set [encryption] key_env or key_file (docs/security.md)")


def is_sealed_text(value) -> bool:
    return isinstance(value, str) and (value.startswith(SEALED) or value.startswith(SEALED_DET))


def is_sealed_bytes(value) -> bool:
    return isinstance(value, (bytes, bytearray, memoryview)) and bytes(value[:len(BLOB_MAGIC)]) == BLOB_MAGIC


def unescape_text(value: str) -> str:
    """A plain stored text as the code sees it."""
    return value[2:] if value.startswith(ESCAPED) else value


def unescape_bytes(value: bytes) -> bytes:
    return value[len(BLOB_ESCAPED):] if value.startswith(BLOB_ESCAPED) else value


# --------------------------------------------------------------------------
# column types
# --------------------------------------------------------------------------


def _read_marked(value: str, dialect, domain: str) -> tuple[str, bool]:
    """A stored string that starts with the seal mark: a plain value that was
    escaped loses its escape, a sealed one is opened (True)."""
    if value.startswith(ESCAPED):
        return value[2:], False
    if not is_sealed_text(value):
        return value, False
    keyring = keyring_of(dialect)
    if keyring is None:
        raise _missing(domain)
    return keyring.open_text(value, domain), True


class _Sealed(TypeDecorator):
    """A column type sealed under ``domain`` (the column's name, bound into
    the cipher so that a value moved to another column does not open).
    SQLAlchemy reads ``cache_ok`` on each class itself, never inherited:
    every subclass sets it."""

    def __init__(self, domain: str):
        super().__init__()
        self.domain = domain


class SealedText(_Sealed):
    """Text that is encrypted when the store has a key."""

    impl = Text
    cache_ok = True

    def __init__(self, domain: str, deterministic: bool = False):
        super().__init__(domain)
        self.deterministic = deterministic

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        keyring = keyring_of(dialect)
        if keyring is None:
            return ESCAPED + value if value.startswith(MARK) else value
        return keyring.seal_text(value, self.domain, self.deterministic)

    def process_result_value(self, value, dialect):
        if value is None or not value.startswith(MARK):
            return value
        return _read_marked(value, dialect, self.domain)[0]


class SealedJSON(_Sealed):
    """JSON that is encrypted (as one JSON string) when the store has a key."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        keyring = keyring_of(dialect)
        if keyring is None:
            return ESCAPED + value if isinstance(value, str) and value.startswith(MARK) else value
        return keyring.seal_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), self.domain)

    def process_result_value(self, value, dialect):
        if not isinstance(value, str) or not value.startswith(MARK):
            return value
        text, opened = _read_marked(value, dialect, self.domain)
        return json.loads(text) if opened else text


class SealedBytes(_Sealed):
    """Bytes (raw messages, documents) encrypted when the store has a key."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = bytes(value)
        keyring = keyring_of(dialect)
        if keyring is None:
            return BLOB_ESCAPED + value if value.startswith(_BLOB_MARK) else value
        return keyring.seal_bytes(value, self.domain)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        value = bytes(value)
        if not value.startswith(_BLOB_MARK):
            return value
        if value.startswith(BLOB_ESCAPED):
            return value[len(BLOB_ESCAPED):]
        if not value.startswith(BLOB_MAGIC):
            return value
        keyring = keyring_of(dialect)
        if keyring is None:
            raise _missing(self.domain)
        return keyring.open_bytes(value, self.domain)


def sealed_columns(metadata) -> list[tuple]:
    """(table, column) of every sealed column, in a stable order."""
    out = []
    for table in metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, (SealedText, SealedJSON, SealedBytes)):
                out.append((table, col))
    return out
