"""Outlook .msg files, turned into RFC 822 bytes so the one MIME walk
serves every source. extract-msg does the OLE and property work; the MIME
message is built here rather than with extract-msg's asEmailMessage,
because that one fails the whole item when a rich body cannot be made (an
RTF body in an East-Asian code page, a font the RTF never declared: the
plain body was there all along), copies transport headers such as
Content-Transfer-Encoding onto the new multipart (a broken_mime defect of
its own making), and truncates a file name that holds a quote.

Every kind of Outlook item extract-msg opens (notes, appointments,
meeting requests, contacts, tasks, journal entries, posts) becomes a message
with its plain body, its HTML body when one can be had, and its attachments.
"""

from __future__ import annotations

import email.encoders
import email.policy
import hashlib
import io
import logging
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import HeaderParser
from pathlib import Path
from typing import Iterator

from intake.types import RawMessage

log = logging.getLogger(__name__)

# Headers about the original MIME structure, which the rebuilt message
# replaces; copying them would describe a body that is not there.
_STRUCTURE = ("content-type", "content-transfer-encoding", "mime-version", "content-disposition",
              "content-id", "content-description", "content-length", "content-location")
_MAX_EMBEDDED = 10  # .msg inside .msg inside ...: the MIME walk has its own depth limit too


class DamagedMsg(Exception):
    """The .msg opened but parts it declares cannot be found."""


def msg_to_rfc822(data: bytes) -> bytes:
    import extract_msg

    msg = extract_msg.openMsg(io.BytesIO(data), delayAttachments=False, strict=False)
    try:
        em = _to_email(msg, 0)
    finally:
        msg.close()
    # The email package picks random MIME boundaries; the same .msg must
    # give the same bytes, or each replay stores it as a new sighting.
    seed = hashlib.sha256(data).hexdigest()[:32]
    for i, part in enumerate(em.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_msg_{seed}_{i}")
    return em.as_bytes(policy=email.policy.compat32)


def _guard(what: str, fn, default=None):
    """One property of the item; a failure costs that property, not the item."""
    try:
        return fn()
    except Exception as exc:  # extract-msg raises a zoo of types on odd items
        log.info("Outlook item: %s unavailable (%s)", what, type(exc).__name__)
        return default


def _to_email(msg, depth: int) -> Message:
    # A damaged directory entry hides an attachment's storage and
    # extract-msg skips it silently; the header's count still tells.
    declared = _guard("attachment count", lambda: msg.props.attachmentCount, 0) or 0
    attachments = list(msg.attachments)
    if len(attachments) < declared:
        raise DamagedMsg(f"{declared} attachments declared, {len(attachments)} found")

    top = MIMEMultipart("mixed")
    for name, value in _headers(msg):
        top[name] = value
    if top["Subject"] is None:
        # Drafts and sent items carry no transport headers, and rebuilt
        # headers may lack the subject.
        subject = _guard("subject", lambda: msg.subject)
        if subject:
            top["Subject"] = " ".join(subject.splitlines())  # a header cannot hold line breaks

    body = _guard("plain body", lambda: msg.body)
    html = None
    if _has_stream(msg, "__substg1.0_10130102"):
        html = _guard("HTML body", lambda: msg.htmlBody)
    elif not body:
        # Only an RTF body: its HTML rendering is the text we can get. When
        # that conversion fails (East-Asian code pages), there is no text.
        html = _guard("HTML body from RTF", lambda: msg.htmlBody)
    texts = []
    if body:
        texts.append(MIMEText(body, "plain", "utf-8"))
    if html:
        if isinstance(html, bytes):
            html = html.decode("utf-8", "replace")
        texts.append(MIMEText(html, "html", "utf-8"))
    if len(texts) == 1:
        top.attach(texts[0])
    elif texts:
        alt = MIMEMultipart("alternative")
        for t in texts:
            alt.attach(t)
        top.attach(alt)

    for att in attachments:
        top.attach(_attachment(att, depth))
    return top


def _has_stream(msg, name: str) -> bool:
    return bool(_guard("stream", lambda: msg.exists(name), False))


def _headers(msg) -> list[tuple[str, str]]:
    text = _guard("transport headers", lambda: msg.headerText)
    items: list[tuple[str, str]] = []
    if text:
        if text.startswith("Microsoft Mail Internet Headers Version 2.0"):
            text = text[43:].lstrip()
        parsed = HeaderParser(policy=email.policy.compat32).parsestr(text)
        items = list(parsed.items())
    else:
        # No transport headers (drafts, sent items, appointments, contacts):
        # extract-msg rebuilds them from the item's properties.
        hdr = _guard("headers from properties", lambda: msg.header)
        if hdr is not None:
            items = list(hdr.items())
    out = []
    for name, value in items:
        if name.lower() in _STRUCTURE or value is None:
            continue
        value = " ".join(str(value).splitlines()).strip()  # a header cannot hold line breaks
        if value:
            out.append((name, value))
    return out


def _attachment(att, depth: int) -> Message:
    data = _guard("attachment data", lambda: att.data)
    name = _guard("attachment name", lambda: att.getFilename()) or _guard(
        "attachment name", lambda: att.name) or None
    if data is not None and not isinstance(data, (bytes, bytearray)) and hasattr(data, "attachments"):
        # An embedded Outlook item: attached as the message it is.
        if depth >= _MAX_EMBEDDED:
            raise DamagedMsg("Outlook items nested too deep")
        part = MIMEBase("message", "rfc822")
        part.set_payload([_to_email(data, depth + 1)])
        part.add_header("Content-Disposition", "attachment", filename=_eml_name(name))
        return part
    if not isinstance(data, (bytes, bytearray)):
        # A reference to a file elsewhere (by-reference attachments) or a
        # kind extract-msg cannot read: nothing to attach, and nothing is
        # dropped silently.
        raise DamagedMsg(f"attachment of an unreadable kind ({type(att).__name__})")
    mime = (_guard("attachment type", lambda: att.mimetype) or "application/octet-stream").lower()
    maintype, _, subtype = mime.partition("/")
    if not subtype or not maintype.isascii() or maintype in ("message", "multipart"):
        # An attached e-mail file (message/rfc822) must not be base64 under
        # its own type (RFC 2046 5.2.1: a parser reads the base64 text as the
        # message and the e-mail is lost). As bytes, the MIME walk knows it
        # by its content and reads it as the nested message it is, each of
        # its parts a document; its bytes stay exactly as attached.
        maintype, subtype = "application", "octet-stream"
    part = MIMEBase(maintype, subtype)
    part.set_payload(bytes(data))
    email.encoders.encode_base64(part)
    hidden = bool(_guard("attachment hidden flag", lambda: att.hidden, False))
    if name:
        # add_header quotes the name and uses RFC 2231 for non-ASCII.
        part.add_header("Content-Disposition", "inline" if hidden else "attachment", filename=name)
    else:
        part.add_header("Content-Disposition", "inline" if hidden else "attachment")
    cid = _guard("content id", lambda: att.contentId)
    if cid:
        part["Content-ID"] = f"<{cid.strip('<>')}>"
    return part


def _eml_name(name: str | None) -> str:
    if not name:
        return "attached-item.eml"
    return name[:-4] + ".eml" if name.lower().endswith(".msg") else name


def iter_msg(path: Path) -> Iterator[RawMessage]:
    yield RawMessage(f"msg:{path}", msg_to_rfc822(path.read_bytes()))


__all__ = ["DamagedMsg", "iter_msg", "msg_to_rfc822"]
