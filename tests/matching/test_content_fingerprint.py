"""Content dedup's MinHash band keys are stored and compared with the keys of
documents stored by earlier releases: the numpy signature must give exactly
the keys of the plain Python-integer construction, kept here as the
reference."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from intake.matching import content_fingerprint as cf

ROOT = Path(__file__).resolve().parents[2]


def reference_band_keys(s: str) -> list[str]:
    """The construction as first written (Python integers throughout)."""
    if len(s) < cf.SHINGLE:
        sh = {int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")} if s else set()
    else:
        sh = {int.from_bytes(hashlib.blake2b(s[i:i + cf.SHINGLE].encode(), digest_size=8).digest(), "big")
              for i in range(len(s) - cf.SHINGLE + 1)}
    if not sh:
        return []
    prime = (1 << 61) - 1
    coeffs = []
    for i in range(cf.BANDS * cf.ROWS):
        d = hashlib.blake2b(f"intake-minhash-{i}".encode(), digest_size=16).digest()
        coeffs.append((int.from_bytes(d[:8], "big") % prime or 1, int.from_bytes(d[8:], "big") % prime))
    sig = [min((a * h + b) % prime for h in sh) for a, b in coeffs]
    keys = []
    for band in range(cf.BANDS):
        part = sig[band * cf.ROWS:(band + 1) * cf.ROWS]
        keys.append(f"{band:02d}:{hashlib.blake2b(repr(part).encode(), digest_size=12).hexdigest()}")
    return keys


def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    alphabets = ["abcdefghijklmnopqrstuvwxyz ", "ab ", "0123456789 ", "éßøñ漢字 abc"]
    out = []
    for _ in range(n):
        alphabet = rng.choice(alphabets)
        length = rng.choice([0, 1, 4, 5, 6, 40, 300, 5000, 9000])
        out.append("".join(rng.choice(alphabet) for _ in range(length)))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_random_texts_give_the_reference_keys(seed):
    for text in _random_texts(seed, 30):
        assert cf.band_keys(text) == reference_band_keys(text)


def test_real_texts_give_the_reference_keys():
    texts = []
    for name in ("eval/blind.txt", "eval/heldout.txt", "eval/sentences.txt"):
        path = ROOT / name
        if path.exists():
            raw = path.read_text(encoding="utf-8")
            texts.append(cf.normalise_text(raw))
            texts.extend(cf.normalise_text(p) for p in raw.split("\n\n")[:40])
    assert texts, "no eval texts found"
    for text in texts:
        assert cf.band_keys(text) == reference_band_keys(text)


def test_hash_values_at_the_edges_of_the_modulus():
    # Shingle hashes near 2**64 and near multiples of the prime are where a
    # folded modular product would go wrong first.
    prime = (1 << 61) - 1
    edge = [0, 1, prime - 1, prime, prime + 1, 2 * prime, (1 << 64) - 1, (1 << 63), (1 << 61), (1 << 32) - 1]
    rng = random.Random(7)
    values = edge + [rng.getrandbits(64) for _ in range(5000)]
    import numpy as np

    got = cf._signature(np.array(values, dtype=np.uint64))
    want = [min((a * h + b) % prime for h in values) for a, b in cf._COEFFS]
    assert got == want


def test_keys_are_the_stored_ones():
    # Keys stored by earlier releases, written down once: a change here
    # orphans every stored key.
    assert cf.band_keys("the quick brown fox")[:3] == [
        "00:9901d29a7d175f467356dfbf", "01:83ed5aab0c4dac1aaa4a715a", "02:364676dd09eaf5b4917af98c"]
    assert cf.band_keys("abc")[:2] == ["00:903cc58321460c5333a3aeae", "01:a1d42662d53928f4bc948fd7"]
    assert cf.band_keys("") == []
    assert len(cf.band_keys("a longer content string")) == cf.BANDS
