"""An encrypted PDF that needs a password to open is `encrypted_document`,
whatever its revision (R2-R6), cipher (RC4, AES-128, AES-256) or trailer
(/ID or none); one that opens without a password (only an owner password,
which restricts printing or copying) is read like any other PDF.

The files are made here by pypdf's writer, one per algorithm. The case
that was read as if open: a user password with the owner password left
empty (qpdf and other tools allow it), which pypdf and pdfminer accept as
the owner password."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf import _encryption as pypdf_encryption
from reportlab.pdfgen import canvas

from intake.parsers import parse_document, sniff_media_type
from intake.types import Document, sha256_hex

ALGORITHMS = ["RC4-40", "RC4-128", "AES-128", "AES-256-R5", "AES-256"]
NARRATIVE = "Kayla is picked up after school by an older man in a black Audi."
REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "docs"
EMPTY = "\x00empty\x00"  # stands for an empty owner password, see _encrypt


def _plain_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, NARRATIVE)
    c.drawString(72, 700, "He takes her to a flat on Mill Lane where other girls stay.")
    c.save()
    return buf.getvalue()


def _encrypt(algorithm: str, user: str, owner: str, monkeypatch) -> bytes:
    """pypdf's writer replaces an empty owner password by the user
    password; the EMPTY marker gets a truly empty one written, as qpdf
    `--encrypt secret "" 256` does."""
    encode = pypdf_encryption.Encryption._encode_password

    def encode_marker(self, password, strict=False):
        return b"" if password == EMPTY else encode(self, password, strict=strict)

    monkeypatch.setattr(pypdf_encryption.Encryption, "_encode_password", encode_marker)
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_plain_pdf())))
    w.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    out = io.BytesIO()
    w.write(out)
    monkeypatch.undo()
    return out.getvalue()


def _without_id(pdf: bytes) -> bytes:
    """The trailer's /ID blanked out (same length, so offsets hold)."""
    data, n = re.subn(rb"/ID\s*\[[^\]]*\]", lambda m: b" " * len(m.group()), pdf)
    assert n >= 1
    return data


def _parse(data: bytes):
    doc = Document("attachment", "x.pdf", sniff_media_type(data, "x.pdf"), sha256_hex(data), data)
    return parse_document(doc)


def _assert_encrypted(data: bytes) -> None:
    out = _parse(data)
    assert out.status == "exception" and out.exception.code == "encrypted_document", out.exception
    assert "password" in out.exception.detail
    assert not out.text  # nothing was read from it


def _assert_read(data: bytes) -> None:
    out = _parse(data)
    assert out.status == "parsed", out.exception
    assert "black Audi" in out.record.fields["incident.narrative"].value


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_user_password_makes_it_encrypted(algorithm, monkeypatch):
    _assert_encrypted(_encrypt(algorithm, "secret", "owner-secret", monkeypatch))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_user_password_with_an_empty_owner_password_is_still_encrypted(algorithm, monkeypatch):
    data = _encrypt(algorithm, "secret", EMPTY, monkeypatch)
    # pypdf itself opens it with the empty string (as the owner password):
    # the reason it used to be read as if open.
    assert PdfReader(io.BytesIO(data)).decrypt("") != 0
    _assert_encrypted(data)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_user_password_without_an_id_is_encrypted(algorithm, monkeypatch):
    _assert_encrypted(_without_id(_encrypt(algorithm, "secret", EMPTY, monkeypatch)))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_only_an_owner_password_opens_and_is_read(algorithm, monkeypatch):
    data = _encrypt(algorithm, "", "owner-secret", monkeypatch)
    assert PdfReader(io.BytesIO(data)).is_encrypted
    _assert_read(data)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_empty_user_and_owner_passwords_open_and_are_read(algorithm, monkeypatch):
    _assert_read(_encrypt(algorithm, "", EMPTY, monkeypatch))


@pytest.mark.parametrize("name,encrypted", [
    ("pypdf-encryption/r5-user-password.pdf", True),   # owner password empty
    ("pypdf-encryption/r6-user-password.pdf", True),   # owner password empty
    ("pypdf-encryption/r6-both-passwords.pdf", True),
    ("pypdf-encryption/r2-empty-password.pdf", False),
    ("pypdf-encryption/r6-owner-password.pdf", False),
    # R2 with no /ID whose user password is empty: pypdf's and pdfminer's
    # own tests open it without a password, and so do poppler and PDFium.
    ("pypdf/encrypted_doc_no_id.pdf", False),
])
def test_real_files_from_pypdf(name, encrypted):
    out = _parse((REAL / name).read_bytes())
    if encrypted:
        assert out.exception is not None and out.exception.code == "encrypted_document"
    else:
        assert out.status in ("parsed", "not_a_report"), out.exception
