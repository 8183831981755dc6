"""S/MIME and PGP signatures: recorded on the message (signed, signer,
valid), never documents. Signed messages are made here with the real
cryptography package (detached and opaque, RSA and EC) and read back; the
PGP and Thunderbird cases are real files from the corpus."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from intake.ingest import signatures
from intake.ingest.mime_walk import walk
from intake.ingest.sources.mbox import iter_mbox
from tests.ingest.real_corpus import REAL
from tests.support.mail import NARRATIVE

SIGNER = "sam.teacher@school.example.org"
HEAD = (f"From: Sam Teacher <{SIGNER}>\r\nTo: mase-intel@example.police.uk\r\n"
        "Subject: Signed report\r\nDate: Wed, 4 Mar 2026 14:30:00 +0000\r\n"
        "Message-ID: <signed@school.example.org>\r\n").encode()
CONTENT = ("Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n"
           "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           f"{NARRATIVE}\r\n"
           "--inner\r\nContent-Type: application/pdf; name=\"form.pdf\"\r\n"
           "Content-Disposition: attachment; filename=\"form.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").decode()
           + "\r\n--inner--\r\n").encode()


def _certificate(key, email: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sam Teacher"),
                      x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(4242)
            .not_valid_before(datetime(2026, 1, 1, tzinfo=timezone.utc))
            .not_valid_after(datetime(2027, 1, 1, tzinfo=timezone.utc))
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
            .sign(key, hashes.SHA256()))


@pytest.fixture(scope="module", params=["rsa", "ec"])
def signer(request):
    key = rsa.generate_private_key(65537, 2048) if request.param == "rsa" else ec.generate_private_key(ec.SECP256R1())
    return key, _certificate(key, SIGNER)


def detached(signer, content: bytes = CONTENT) -> bytes:
    key, cert = signer
    out = (pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(cert, key, hashes.SHA256())
           .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature]))
    return HEAD + out.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def opaque(signer) -> bytes:
    key, cert = signer
    der = (pkcs7.PKCS7SignatureBuilder().set_data(CONTENT).add_signer(cert, key, hashes.SHA256())
           .sign(serialization.Encoding.DER, []))
    return HEAD + (b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; "
                   b"name=\"smime.p7m\"\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n"
                   b"Content-Transfer-Encoding: base64\r\n\r\n") + base64.encodebytes(der).replace(b"\n", b"\r\n")


def test_detached_signature_is_checked_and_is_not_a_document(signer):
    r = walk(detached(signer))
    sig = r.signature
    assert sig is not None and sig.kind == "smime"
    assert sig.valid is True and sig.signer == SIGNER and len(sig.certificate_sha256) == 64
    assert sorted(d.kind for d in r.documents) == ["attachment", "body"]
    assert [d.filename for d in r.documents if d.kind == "attachment"] == ["form.pdf"]
    assert not any("pkcs7" in (d.declared_type or "") for d in r.documents)
    assert not r.problems


def test_content_changed_after_signing_is_not_valid(signer):
    data = detached(signer).replace(b"chicken shop", b"chicken shed", 1)
    sig = walk(data).signature
    assert sig.valid is False and "changed" in sig.detail


def test_signature_still_checks_after_an_mbox_stored_it_with_lf(signer, tmp_path):
    # Unix mailboxes keep LF line ends; the signature covers the CRLF form.
    lf = detached(signer).replace(b"\r\n", b"\n")
    (tmp_path / "a.mbox").write_bytes(b"From sam Wed Mar  4 14:30:00 2026\n" + lf + b"\n")
    (raw,) = list(iter_mbox(tmp_path / "a.mbox"))
    assert b"\r\n" not in raw.data
    assert walk(raw.data).signature.valid is True


def test_opaque_signed_message_is_opened_and_walked(signer):
    r = walk(opaque(signer))
    assert r.signature.valid is True and r.signature.signer == SIGNER
    assert [d.filename for d in r.documents if d.kind == "attachment"] == ["form.pdf"]
    assert any(d.kind == "body" and b"Mare Street" in d.data for d in r.documents)


def test_signature_of_a_forwarded_message_is_not_the_outer_messages(signer):
    inner = detached(signer)
    outer = (b"From: fwd@agency.example.org\r\nTo: mase-intel@example.police.uk\r\nSubject: Fwd\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
             b"--outer\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n"
             + inner + b"\r\n--outer--\r\n")
    r = walk(outer)
    assert r.signature is None
    assert len(r.signatures) == 1 and r.signatures[0].valid is True and ".m" in r.signatures[0].part_path


def test_lone_signature_part_is_recorded_unchecked_and_certificates_only_stays_a_document(signer):
    key, cert = signer
    sig_der = (pkcs7.PKCS7SignatureBuilder().set_data(b"x").add_signer(cert, key, hashes.SHA256())
               .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature]))
    certs_only = pkcs7.serialize_certificates([cert], serialization.Encoding.DER)

    def message(part_type: bytes, name: bytes, der: bytes) -> bytes:
        return (HEAD + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: " + part_type
                + b"; name=\"" + name + b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + base64.encodebytes(der) + b"--b--\r\n")

    r = walk(message(b"application/pkcs7-signature", b"smime.p7s", sig_der))
    assert r.signature.valid is None and "without the part it signs" in r.signature.detail
    assert r.documents == []
    r = walk(message(b"application/pkcs7-mime", b"eric.p7c", certs_only))
    assert r.signature is None
    assert [d.filename for d in r.documents] == ["eric.p7c"]


def test_damaged_signature_marks_the_message_signed_but_unchecked(signer):
    data = detached(signer)
    start = data.index(b"filename=\"smime.p7s\"")
    body = data.index(b"\r\n\r\n", start) + 4
    damaged = data[:body] + base64.encodebytes(b"\x30\x82\x01\x00not a signature at all") + data[
        data.index(b"\r\n--", body):]
    r = walk(damaged)
    assert r.signature is not None and r.signature.valid is None
    assert [d.filename for d in r.documents if d.kind == "attachment"] == ["form.pdf"]
    assert "mime_walk_error" not in [p.code for p in r.problems]


def test_real_thunderbird_signed_message():
    r = walk((REAL / "mail/mimekit-smime/thunderbird-signed.txt").read_bytes())
    assert r.signature.valid is True and r.signature.signer == "fejj@gnome.org"
    assert [(d.filename, d.media_type) for d in r.documents] == [("signed.jpg", "image/jpeg")]


def test_real_pgp_mime_signed_announcement():
    r = walk((REAL / "mail/mimekit-openpgp/gnupg-announce.eml").read_bytes())
    sig = r.signature
    assert sig.kind == "pgp" and sig.valid is None and "not checked" in sig.detail
    assert sig.signer == "key E4B868C8F90C8964B5AF9DBC4F0540D577F95F95"
    assert [d.kind for d in r.documents] == ["body"]


def test_inline_pgp_signature_is_recorded_and_kept_out_of_the_report_text():
    armored = (REAL / "mail/mimekit-openpgp/gnupg-announce.eml").read_bytes()
    block = armored[armored.index(b"-----BEGIN PGP SIGNATURE-----"):armored.index(b"-----END PGP SIGNATURE-----") + 29]
    body = (b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + NARRATIVE.encode()
            + b"\n- -- \nSam\n" + block + b"\n")
    r = walk(HEAD + b"Content-Type: text/plain\r\n\r\n" + body)
    assert r.signature.kind == "pgp" and r.signature.signer.startswith("key ")
    (doc,) = r.documents
    assert b"PGP" not in doc.data and b"Mare Street" in doc.data


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_signature_readers_never_raise(data):
    sig, _ = signatures.smime(b"\x30\x82" + data, data, "1")
    assert sig.kind == "smime" and sig.valid in (None, False, True)
    assert signatures.pgp(b"-----BEGIN PGP SIGNATURE-----\n\n" + base64.encodebytes(data)
                          + b"-----END PGP SIGNATURE-----\n", "1").valid is None


def test_export_says_how_the_message_was_signed(signer, tmp_path, capsys):
    """The message block carries its signature: kind, signer, verified
   ; an unsigned message an empty list."""
    import json

    from intake.cli import main
    from tests.support.mail import message

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "signed.eml").write_bytes(detached(signer))
    (tmp_path / "in" / "tampered.eml").write_bytes(
        detached(signer).replace(b"Message-ID: <signed@", b"Message-ID: <tampered@").replace(b"aged about 14", b"aged about 15"))
    (tmp_path / "in" / "plain.eml").write_bytes(bytes(message(msgid="<plain@school.example.org>")))
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert main(["replay", "--no-progress", "--inline", "--db", url, str(tmp_path / "in")]) == 0
    capsys.readouterr()
    assert main(["export", "--db", url]) == 0
    by_id = {}
    for line in capsys.readouterr().out.splitlines():
        row = json.loads(line)
        by_id[row["message"]["message_id"]] = row["message"]["signatures"]
    assert by_id["<signed@school.example.org>"] == [{"kind": "smime", "signer": SIGNER, "verified": True}]
    assert by_id["<plain@school.example.org>"] == []
    assert by_id["<tampered@school.example.org>"][0]["verified"] is False
