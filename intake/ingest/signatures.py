"""Signatures on e-mail: S/MIME (PKCS #7 / CMS) and OpenPGP.

A signature is evidence about the sender, not a document: it is recorded
on the message (signed, signer, valid) and never queued for keying in.

What "valid" means here:
- S/MIME: True when the signed content's digest equals the one the
  signature covers AND the signature verifies with the public key of the
  signing certificate carried in the signature. False when either fails
  (the content was changed after signing, or the signature is not that
  certificate's). Not checked: whether the certificate chains to a trusted
  authority, was revoked, or had expired; so valid=True says "intact and
  signed by whoever holds this certificate's key", not "this sender is who
  the certificate says".
- OpenPGP: not checked (None): the sender's public key is not in the
  message and intake keeps no keyring. The signer is the issuer key's
  fingerprint or ID read from the signature packet.
- None also when the signature uses an algorithm we cannot check or its
  structure cannot be read; `detail` says which.

asn1crypto reads the CMS structure (the cryptography package loads the
certificates of a PKCS #7 blob but does not verify signed data); the
signature itself is verified with cryptography. OpenPGP packets are read
by hand (below): only the issuer is needed, and the Python OpenPGP
libraries are unmaintained.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.message import Message
from typing import Literal

SMIME_SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature")
PGP_SIGNATURE_TYPE = "application/pgp-signature"
SIGNATURE_TYPES = SMIME_SIGNATURE_TYPES + (PGP_SIGNATURE_TYPE,)
# DER: SEQUENCE, then the signedData content-type OID 1.2.840.113549.1.7.2.
_SIGNED_DATA_OID = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"


@dataclass(frozen=True)
class Signature:
    kind: Literal["smime", "pgp"]
    part_path: str  # where in the MIME tree the signature sat
    signer: str | None  # certificate e-mail/name, or PGP issuer key
    valid: bool | None  # see the module docstring; None: not checkable
    detail: str  # what was checked, or why it could not be
    certificate_sha256: str | None = None
    # False only for a PKCS #7 blob that turned out to hold no signature
    # (unreadable, or certificates only): the walk keeps it as a document.
    signed: bool = True


def is_pkcs7_signed_data(data: bytes) -> bool:
    return data[:1] == b"\x30" and _SIGNED_DATA_OID in data[:40]


def is_pgp_signature(data: bytes) -> bool:
    return data.lstrip()[:40].startswith(b"-----BEGIN PGP SIGNATURE-----")


# ---------------------------------------------------------------- S/MIME


def smime(der: bytes, content: bytes | None, part_path: str) -> tuple[Signature, bytes | None]:
    """Check a PKCS #7 signature. `content` is the signed MIME entity of a
    multipart/signed (None for an opaque signed-data blob, whose content is
    inside). Returns the signature and the encapsulated content, if any."""
    try:
        from asn1crypto import cms

        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            return Signature("smime", part_path, None, None, "not a signature (no signed data)",
                             signed=False), None
        signed = info["content"]
        inner = signed["encap_content_info"]["content"].native
        certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        signer_infos = list(signed["signer_infos"])
    except Exception as exc:  # asn1crypto parses lazily and raises many types
        return Signature("smime", part_path, None, None,
                         f"the signature's structure could not be read ({type(exc).__name__})",
                         signed=False), None
    if not signer_infos:
        return Signature("smime", part_path, None, None, "certificates only, no signer",
                         signed=False), inner
    try:
        return _check(signer_infos[0], certs, content, inner, part_path), inner
    except Exception as exc:  # a structure asn1crypto reads only part of
        return Signature("smime", part_path, None, None,
                         f"the signature could not be checked ({type(exc).__name__})"), inner


def _check(si, certs, content: bytes | None, inner: bytes | None, part_path: str) -> Signature:
    target = content if content is not None else inner
    cert = _signer_certificate(si, certs)
    if cert is None:
        return Signature("smime", part_path, None, None,
                         "the signing certificate is not in the message; not checked")
    signer, fingerprint = _describe(cert)
    if target is None:
        return Signature("smime", part_path, signer, None, "the signed content is missing", fingerprint)
    valid, detail = _verify_signer_info(si, cert, target)
    return Signature("smime", part_path, signer, valid, detail, fingerprint)


def _signer_certificate(si, certs):
    sid = si["sid"]
    for cert in certs:
        try:
            if sid.name == "issuer_and_serial_number":
                ias = sid.chosen
                if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                    return cert
            elif cert.key_identifier == sid.chosen.native:
                return cert
        except Exception:  # a malformed certificate: try the next one
            continue
    return None


def _describe(cert) -> tuple[str | None, str | None]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    der = cert.dump()
    fingerprint = hashlib.sha256(der).hexdigest()
    try:
        c = x509.load_der_x509_certificate(der)
    except Exception:
        return None, fingerprint
    names: list[str] = []
    try:
        san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.RFC822Name)
    except Exception:  # no SAN, or one the library cannot read
        names = []
    for oid in (NameOID.EMAIL_ADDRESS, NameOID.COMMON_NAME):
        if not names:
            names = [str(a.value) for a in c.subject.get_attributes_for_oid(oid)]
    return (names[0] if names else c.subject.rfc4514_string() or None), fingerprint


_HASHES = {"sha1": "SHA1", "sha224": "SHA224", "sha256": "SHA256", "sha384": "SHA384",
           "sha512": "SHA512", "md5": "MD5"}


def _canonical(content: bytes) -> bytes:
    """MIME canonical form (RFC 5751 3.1.1): CRLF line ends. Mailboxes
    store LF, so the bytes must be put back before checking."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", content)


def _verify_signer_info(si, cert, content: bytes) -> tuple[bool | None, str]:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa

    digest_name = si["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        return None, f"digest algorithm {digest_name} not supported; not checked"
    hash_alg = getattr(hashes, _HASHES[digest_name])()
    candidates = [_canonical(content)]
    if candidates[0] != content:
        candidates.append(content)  # some signers sign the bytes as stored
    from asn1crypto.core import Void

    signed_attrs = si["signed_attrs"]
    # Never .native on the whole set: vendors' private attributes (Outlook's
    # 1.3.6.1.4.1.311.16.4) do not parse, and are not needed.
    if not isinstance(signed_attrs, Void) and len(signed_attrs):
        wanted = None
        for attr in signed_attrs:
            if attr["type"].native == "message_digest":
                wanted = attr["values"][0].native
        if wanted is None:
            return False, "the signature carries no message digest"
        if not any(hashlib.new(digest_name, c).digest() == wanted for c in candidates):
            return False, "the content does not match the signature (changed after signing)"
        # RFC 5652 5.4: the attributes are signed as a SET, not with their [0] tag.
        der = signed_attrs.dump()
        to_verify = [b"\x31" + der[1:]]
    else:
        to_verify = candidates
    signature = si["signature"].native
    algo = si["signature_algorithm"]
    try:
        key = x509.load_der_x509_certificate(cert.dump()).public_key()
    except Exception as exc:
        return None, f"the signing certificate could not be loaded ({type(exc).__name__}); not checked"
    for data in to_verify:
        try:
            if isinstance(key, rsa.RSAPublicKey):
                if algo.signature_algo == "rsassa_pss":
                    params = algo["parameters"]
                    pad = padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=params["salt_length"].native)
                else:
                    pad = padding.PKCS1v15()
                key.verify(signature, data, pad, hash_alg)
            elif isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, data, ec.ECDSA(hash_alg))
            elif isinstance(key, dsa.DSAPublicKey):
                key.verify(signature, data, hash_alg)
            else:
                return None, f"key type {type(key).__name__} not supported; not checked"
            return True, ("content intact and signed with the certificate's key "
                          "(certificate trust, revocation and expiry not checked)")
        except InvalidSignature:
            continue
        except Exception as exc:  # unsupported parameters and the like
            return None, f"the signature could not be checked ({type(exc).__name__})"
    return False, "the signature does not verify with the signing certificate's key"


def signed_region(raw: bytes, boundary: str) -> bytes | None:
    """The first body part of a multipart/signed exactly as sent: the bytes
    between the first delimiter line and the next (RFC 1847: the CRLF
    before a delimiter belongs to the delimiter)."""
    try:
        b = boundary.encode("ascii")
    except UnicodeEncodeError:
        return None
    first = re.search(rb"(?:^|\n)--" + re.escape(b) + rb"[ \t]*\r?\n", raw)
    if first is None:
        return None
    end = re.compile(rb"\r?\n--" + re.escape(b) + rb"(?:--)?[ \t]*(?:\r?\n|$)").search(raw, first.end())
    if end is None:
        return None
    return raw[first.end():end.start()]


# ---------------------------------------------------------------- OpenPGP


def pgp(armored: bytes, part_path: str) -> Signature:
    issuer = _pgp_issuer(armored)
    return Signature("pgp", part_path, issuer, None,
                     "OpenPGP signature; not checked (the sender's public key is not held)")


_ARMOR = re.compile(rb"-----BEGIN PGP SIGNATURE-----\r?\n(.*?)-----END PGP SIGNATURE-----", re.S)


def _pgp_issuer(armored: bytes) -> str | None:
    m = _ARMOR.search(armored)
    if m is None:
        return None
    block = m.group(1).replace(b"\r\n", b"\n")
    # Armor headers ("Version: ...") end at the first blank line.
    if b"\n\n" in block:
        head, body = block.split(b"\n\n", 1)
        if all(b":" in ln for ln in head.split(b"\n") if ln.strip()):
            block = body
    lines = [ln.strip() for ln in block.split(b"\n") if ln.strip() and not ln.strip().startswith(b"=")]
    try:
        data = base64.b64decode(b"".join(lines), validate=False)
    except (binascii.Error, ValueError):
        return None
    try:
        return _issuer_from_packet(data)
    except (IndexError, ValueError):
        return None


def _packet_body(data: bytes) -> tuple[int, bytes]:
    b = data[0]
    if not b & 0x80:
        raise ValueError("not a packet")
    if b & 0x40:  # new format
        tag, pos = b & 0x3F, 1
        o = data[pos]
        if o < 192:
            length, pos = o, pos + 1
        elif o < 224:
            length, pos = ((o - 192) << 8) + data[pos + 1] + 192, pos + 2
        elif o == 255:
            length, pos = int.from_bytes(data[pos + 1:pos + 5], "big"), pos + 5
        else:  # partial lengths never occur in signatures
            raise ValueError("partial length")
    else:
        tag, ltype, pos = (b >> 2) & 0x0F, b & 3, 1
        size = {0: 1, 1: 2, 2: 4}.get(ltype)
        if size is None:
            length = len(data) - 1
        else:
            length, pos = int.from_bytes(data[pos:pos + size], "big"), pos + size
    return tag, data[pos:pos + length]


def _issuer_from_packet(data: bytes) -> str | None:
    tag, body = _packet_body(data)
    if tag != 2:
        return None
    version = body[0]
    if version == 3:
        return "key " + body[7:15].hex().upper()
    if version not in (4, 5, 6):
        return None
    width = 4 if version == 6 else 2
    pos = 4
    found: dict[int, bytes] = {}
    for _ in range(2):  # hashed, then unhashed subpackets
        n = int.from_bytes(body[pos:pos + width], "big")
        pos += width
        area, pos = body[pos:pos + n], pos + n
        i = 0
        while i < len(area):
            o = area[i]
            if o < 192:
                ln, i = o, i + 1
            elif o < 255:
                ln, i = ((o - 192) << 8) + area[i + 1] + 192, i + 2
            else:
                ln, i = int.from_bytes(area[i + 1:i + 5], "big"), i + 5
            sub = area[i:i + ln]
            if sub:
                found.setdefault(sub[0] & 0x7F, sub[1:])
            i += ln
    if 33 in found and len(found[33]) > 1:  # issuer fingerprint: version byte, then the fingerprint
        return "key " + found[33][1:].hex().upper()
    if 16 in found:
        return "key " + found[16].hex().upper()
    return None


# --------------------------------------------------------------------------
# Where a signature sits in a message: the MIME walk (ingest/mime_walk.py)
# asks these three at the three places a signature can be, and records what
# they return; the whole S/MIME and PGP flow is in this module.
# --------------------------------------------------------------------------

_UNCHECKED = "a signature without the part it signs; not checked"


def of_multipart_signed(part: Message, children: list, path: str, raw: bytes | None) -> Signature | None:
    """multipart/signed (RFC 1847): the signature in its last part, checked
    against the signed part as it was sent (from the raw message when it is
    at hand, else the part written back). None when the last part is not a
    signature we know: then every part is walked."""
    if len(children) < 2:
        return None
    sig_part = children[-1]
    stype = sig_part.get_content_type()
    sig_path = f"{path}.{len(children)}" if path else str(len(children))
    data = sig_part.get_payload(decode=True) or b""
    if stype == PGP_SIGNATURE_TYPE or is_pgp_signature(data):
        return pgp(data, sig_path)
    if stype in SMIME_SIGNATURE_TYPES or is_pkcs7_signed_data(data):
        content = None
        boundary = part.get_boundary()
        if raw is not None and boundary:
            content = signed_region(raw, boundary)
        if content is None:
            content = _as_sent(children[0])
        sig, _ = smime(data, content, sig_path)
        # The message says it is signed, even when its signature is unreadable.
        return dataclasses.replace(sig, signed=True)
    return None


def of_detached_part(part: Message, path: str) -> Signature | None:
    """A signature part found on its own, outside a multipart/signed (a
    gateway flattened it): nothing to check it against. None when it holds no
    signature after all (then it is an ordinary attachment)."""
    data = part.get_payload(decode=True) or b""
    if is_pgp_signature(data) or part.get_content_type() == PGP_SIGNATURE_TYPE:
        sig = pgp(data, path)
    else:
        sig, _ = smime(data, None, path)
        if not sig.signed:
            return None
    return dataclasses.replace(sig, valid=None, detail=_UNCHECKED)


def of_opaque(data: bytes, path: str) -> tuple[Signature | None, bytes | None]:
    """An opaque S/MIME message (smime.p7m, signed-data): its signature and
    the signed message inside it, to be walked. (None, None) when it is not
    readable as CMS or holds certificates only (.p7c): then it is a document.
    A detached signature (nothing inside) is a signature, not checked."""
    sig, inner = smime(data, None, path)
    if not sig.signed:
        return None, None
    if inner is None:
        sig = dataclasses.replace(sig, valid=None, detail=_UNCHECKED)
    return sig, inner


def _as_sent(part: Message) -> bytes | None:
    try:
        return part.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))
    except Exception:  # a part the generator cannot write back
        return None
