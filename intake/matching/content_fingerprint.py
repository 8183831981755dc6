"""What two copies of one report have in common, whatever the format.

A .docx and the PDF made from it, a re-save or a re-scan differ in bytes,
line breaks, hyphenation and OCR slips, but not in the canonical record's
values. So content dedup compares a normalised "content string" built from
the record (values only, in canonical key order; form labels and guidance
boilerplate are left out because every report on one template shares them),
or from the plain text when there is no usable record.

Candidates are found with MinHash locality-sensitive hashing over character
shingles: each document stores a few band keys (table ``content_keys``) and a
new document is compared only with documents sharing a key, so the cost does
not grow with the size of the store. The hashing below is the textbook
construction (blake2b shingle hashes, (a*h + b) mod 2**61-1 permutations),
done in numpy. datasketch does not fit: its hash functions and permutations
are its own, so it could not reproduce the keys already stored, and keys
that change stop matching every document stored before.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Mapping

import numpy as np

# Fields that say WHO reported WHEN. They are compared separately: two
# professionals reporting one incident differ here even when their
# narratives overlap, and must not be called duplicates.
IDENTITY_FIELDS = (
    "report_datetime",
    "submitter.name",
    "submitter.agency",
    "subject.name",
    "subject.dob",
    "subject.age",
)

_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(\w)")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"^(click (or tap )?here to enter (a )?(text|date)|[._\s]+)$", re.I)


def normalise_text(text: str | None) -> str:
    """Case, accents, punctuation, hyphenation at line ends and white space
    are what a re-save or conversion changes; drop them all."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = text.casefold()
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=512)
def normalise_text_cached(text: str) -> str:
    """normalise_text of a stored document's whole text, remembered for
    the next reports it is a dedup candidate of."""
    return normalise_text(text)


def normalise_value(value) -> str:
    if isinstance(value, str):
        return _normalise_str(value)
    return _normalise_value(value)


@lru_cache(maxsize=8192)
def _normalise_str(value: str) -> str:
    # A pure function of the value, cached: content dedup rebuilds every
    # candidate's values for each new report, and candidates recur.
    return _normalise_value(value)


def _normalise_value(value) -> str:
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    s = str(value).strip()
    if _PLACEHOLDER.match(s):
        return ""
    return normalise_text(s)


def record_values(fields: Mapping[str, object]) -> dict[str, str]:
    """Canonical key → normalised value, empties dropped."""
    out = {}
    for key, value in fields.items():
        norm = normalise_value(value)
        if norm:
            out[key] = norm
    return out


def content_string(values: Mapping[str, str], text: str | None) -> str:
    """The string compared between copies: every record value except the
    identity fields (which are compared one by one), in key order; the
    plain text when the record carries no free text."""
    body = [values[k] for k in sorted(values) if k not in IDENTITY_FIELDS]
    joined = " ".join(body)
    if len(joined) >= 20:
        return joined
    return normalise_text(text)


# --------------------------------------------------------------------------
# MinHash LSH
# --------------------------------------------------------------------------

SHINGLE = 5
BANDS = 16
ROWS = 2  # with 16 bands of 2, Jaccard 0.4 is a candidate 94 % of the time
_PRIME = (1 << 61) - 1
_MASK = (1 << 64) - 1


def _coefficients(n: int) -> list[tuple[int, int]]:
    # Fixed, derived from a constant: keys must be the same in every process
    # and every release, or stored keys stop matching.
    out = []
    for i in range(n):
        d = hashlib.blake2b(f"intake-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(d[:8], "big") % _PRIME or 1
        b = int.from_bytes(d[8:], "big") % _PRIME
        out.append((a, b))
    return out


_COEFFS = _coefficients(BANDS * ROWS)


def _shingle_texts(s: str) -> set[str]:
    if len(s) < SHINGLE:
        return {s} if s else set()
    return {s[i : i + SHINGLE] for i in range(len(s) - SHINGLE + 1)}


def _hash64(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def shingles(s: str) -> set[int]:
    """The hashed shingles of a content string (big-endian 64-bit blake2b)."""
    return {int.from_bytes(_hash64(t), "big") for t in _shingle_texts(s)}


def _shingle_array(s: str) -> np.ndarray:
    # One blake2b per distinct shingle, read as big-endian 64-bit integers
    # in one go; equal hashes of distinct shingles do not change a minimum.
    return np.frombuffer(b"".join(map(_hash64, _shingle_texts(s))), dtype=">u8").astype(np.uint64)


_P = np.uint64(_PRIME)
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW29 = np.uint64((1 << 29) - 1)
_A = np.array([a for a, _ in _COEFFS], dtype=np.uint64)[:, None]
_A_HI, _A_LO = _A >> np.uint64(32), _A & _LOW32
_B = np.array([b for _, b in _COEFFS], dtype=np.uint64)[:, None]
_CHUNK = 4096  # shingles per step: 32 rows of this stay a few MB however long the text


def _mod_p(x: np.ndarray) -> np.ndarray:
    """x mod (2**61 - 1) for any uint64 x: 2**61 is 1 modulo the prime."""
    x = (x & _P) + (x >> np.uint64(61))
    return np.minimum(x, x - _P)  # below P, x - P wraps round to a larger number


def _signature(h: np.ndarray) -> list[int]:
    """min over h of (a*h + b) mod P for every coefficient pair: exactly the
    Python-integer formula, done in 64-bit numpy arithmetic. a*h needs 122
    bits, so it is split in 32-bit halves and each part folded modulo the
    Mersenne prime (2**64 is 8 and 2**61 is 1 modulo it); no intermediate
    sum reaches 2**64."""
    h = _mod_p(h)
    best = None
    for start in range(0, len(h), _CHUNK):
        x = h[start : start + _CHUNK][None, :]
        x_hi, x_lo = x >> np.uint64(32), x & _LOW32
        lo = _A_LO * x_lo  # < 2**64
        mid = _A_HI * x_lo + _A_LO * x_hi  # < 2**62
        hi = _A_HI * x_hi  # < 2**58
        total = ((hi << np.uint64(3)) + (mid >> np.uint64(29)) + ((mid & _LOW29) << np.uint64(32))
                 + (lo & _P) + (lo >> np.uint64(61)) + _B)
        part = _mod_p(total).min(axis=1)
        best = part if best is None else np.minimum(best, part)
    return [int(v) for v in best]


def band_keys(s: str) -> list[str]:
    """LSH band keys of a content string (empty string → no keys)."""
    h = _shingle_array(s)
    if not len(h):
        return []
    sig = _signature(h)
    keys = []
    for band in range(BANDS):
        part = sig[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr(part).encode(), digest_size=12).hexdigest()
        keys.append(f"{band:02d}:{digest}")
    return keys


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def content_keys_of(record, text: str | None) -> list[str]:
    """The band keys content dedup stores for a document (types.Record or
    None, and its text): computed where the document is analysed, so the
    commit does not (store/dedup.py find_content_duplicate)."""
    values = record_values({k: fv.value for k, fv in record.fields.items()}) if record is not None else {}
    return unique(band_keys(content_string(values, text or "")))
