"""The MIME walk: one raw e-mail in, its headers and Documents out.

Every attachment becomes a Document, at any depth of forwarded
message/rfc822 parts (and attached .eml / Outlook .msg files); pictures
that are pages of one form become one document (ingest/page_groups.py). The text
body becomes a Document when it carries a report (ingest/body.py decides).
S/MIME and PGP signatures are recorded on the result (ingest/signatures.py
checks them), never made documents; an opaque S/MIME message is opened and
walked. Nothing here raises on bad input: what cannot be read is a problem with a
code, recorded on the message, and the walk goes on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email.message import Message

from intake.exception_codes import (
    BROKEN_MIME,
    MESSAGE_TOO_LARGE,
    MIME_LIMIT_EXCEEDED,
    MIME_WALK_ERROR,
    UNREADABLE_ATTACHMENT,
    UNREADABLE_MESSAGE,
)
from intake.ingest import signatures
from intake.ingest.body import body_is_report, decode_text_bytes, html_to_text
from intake.ingest.headers import MessageHeaders, decode_filename, message_from_bytes, parse_headers
from intake.ingest.page_groups import group_pages
from intake.ingest.signatures import Signature
from intake.logs import log_fault
from intake.parsers.sniff import EML, MSG, sniff_media_type
from intake.types import Document, ExceptionInfo, sha256_hex

log = logging.getLogger(__name__)


@dataclass
class MimeLimits:
    max_message_bytes: int = 100 * 1024 * 1024
    max_parts: int = 500
    max_depth: int = 10

    @classmethod
    def from_settings(cls, settings) -> "MimeLimits":
        if settings is None:
            return cls()
        sec = settings.section("mime")
        return cls(
            max_message_bytes=int(sec.get("max_message_bytes", cls.max_message_bytes)),
            max_parts=int(sec.get("max_parts", cls.max_parts)),
            max_depth=int(sec.get("max_depth", cls.max_depth)),
        )


@dataclass
class WalkResult:
    headers: MessageHeaders
    documents: list[Document] = field(default_factory=list)
    problems: list[ExceptionInfo] = field(default_factory=list)
    # Bodies judged not to be reports (e.g. "please find attached"): kept so
    # a reviewer can still see them, but not exported as documents.
    skipped_bodies: int = 0
    # S/MIME and PGP signatures found, outermost first; never documents.
    signatures: list[Signature] = field(default_factory=list)

    @property
    def signature(self) -> Signature | None:
        """The signature on the message itself (not on a message forwarded
        inside it): signed when not None."""
        for sig in self.signatures:
            if ".m" not in sig.part_path:
                return sig
        return None


def _decode_text_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if not isinstance(payload, bytes):
        payload = str(payload).encode("utf-8", "replace")
    return decode_text_bytes(payload, part.get_content_charset())


def _is_attachment(part: Message) -> bool:
    disp = str(part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    if disp == "attachment":
        return True
    if part.get_filename() or part.get_param("name"):
        return True
    maintype = part.get_content_maintype()
    return maintype not in ("text", "multipart", "message")


class _Walker:
    def __init__(self, limits: MimeLimits):
        self.limits = limits
        self.parts_seen = 0
        self.documents: list[Document] = []
        self.problems: list[ExceptionInfo] = []
        self.skipped_bodies = 0
        self.signatures: list[Signature] = []
        self._limit_hit = False

    def problem(self, code: str, detail: str) -> None:
        self.problems.append(ExceptionInfo(code, detail))

    def walk_message(self, msg: Message, path: str, depth: int, raw: bytes | None = None) -> None:
        """One message level: find its body and its attachments. `raw` is
        the bytes the message was parsed from (a signature is checked
        against the signed part exactly as sent)."""
        if depth > self.limits.max_depth:
            self._limit(MIME_LIMIT_EXCEEDED,
                        f"Forwarded messages nest deeper than {self.limits.max_depth} levels; "
                        "the innermost parts were not read. Open the raw message to check them.")
            return
        for defect in getattr(msg, "defects", []):
            self.problem(BROKEN_MIME, f"Message part {path or 'top'}: {type(defect).__name__}.")
        bodies: list[tuple[str, Message]] = []
        attachments: list[tuple[str, Message]] = []
        self._collect(msg, path, depth, bodies, attachments, raw)
        attachment_docs_before = len(self.documents)
        for apath, part in attachments:
            self._attachment(part, apath, depth)
        has_attachments = len(self.documents) > attachment_docs_before
        self._body(bodies, has_attachments)

    def _limit(self, code: str, detail: str) -> None:
        if not self._limit_hit:
            self._limit_hit = True
            self.problem(code, detail)

    def _collect(self, part: Message, path: str, depth: int,
                 bodies: list, attachments: list, raw: bytes | None) -> None:
        self.parts_seen += 1
        if self.parts_seen > self.limits.max_parts:
            self._limit(MIME_LIMIT_EXCEEDED,
                        f"The message has more than {self.limits.max_parts} MIME parts; the rest "
                        "were not read. Open the raw message to check them.")
            return
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            children = part.get_payload()
            if not isinstance(children, list):
                self.problem(BROKEN_MIME, f"Part {path or 'top'} claims to be multipart but has no parts.")
                return
            if ctype == "multipart/signed":
                sig = signatures.of_multipart_signed(part, children, path, raw)
                if sig is not None:
                    self.signatures.append(sig)
                    children = children[:-1]
            if ctype == "multipart/alternative":
                # One body in several renderings: read plain text if there is
                # one, else the last (richest) alternative, as RFC 2046 orders
                # them. Attachments inside the other renderings (inline logos
                # of the HTML version) are still collected: none is dropped.
                plain = [c for c in children
                         if c.get_content_type() == "text/plain" and not _is_attachment(c)]
                chosen = plain[0] if plain else (children[-1] if children else None)
                for i, child in enumerate(children, 1):
                    cpath = f"{path}.{i}" if path else str(i)
                    sink = bodies if child is chosen else []
                    self._collect(child, cpath, depth, sink, attachments, raw)
                return
            for i, child in enumerate(children, 1):
                cpath = f"{path}.{i}" if path else str(i)
                self._collect(child, cpath, depth, bodies, attachments, raw)
            return
        if ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                inner_msg = inner[0]
            elif isinstance(inner, Message):
                inner_msg = inner
            else:
                data = part.get_payload(decode=True) or b""
                inner_msg = message_from_bytes(data) if data else None
            if inner_msg is None:
                self.problem(BROKEN_MIME, f"Forwarded message at part {path} is empty.")
                return
            # An unencoded forwarded message is in the raw bytes as sent.
            self.walk_message(inner_msg, (path or "1") + ".m", depth + 1, raw)
            return
        if ctype in signatures.SIGNATURE_TYPES:
            sig = signatures.of_detached_part(part, path or "1")
            if sig is not None:
                # Still a signature, never a document.
                self.signatures.append(sig)
                return
        if _is_attachment(part):
            attachments.append((path or "1", part))
        elif part.get_content_maintype() == "text":
            bodies.append((path or "1", part))
        else:
            attachments.append((path or "1", part))

    def _attachment(self, part: Message, path: str, depth: int) -> None:
        filename = decode_filename(part)
        data = part.get_payload(decode=True)
        if data is None:
            data = b""
        if not isinstance(data, bytes):
            data = str(data).encode("utf-8", "replace")
        data = _local_line_endings(part, data)
        if any("Base64" in type(d).__name__ for d in getattr(part, "defects", [])):
            self.problem(BROKEN_MIME,
                         f"Attachment at part {path} has damaged base64; it was read as far as possible.")
        if signatures.is_pkcs7_signed_data(data):
            sig, inner = signatures.of_opaque(data, path)
            if sig is not None:
                self.signatures.append(sig)
                if inner and depth < self.limits.max_depth:
                    self.walk_message(message_from_bytes(inner), path + ".m", depth + 1, inner)
                return
        media_type = sniff_media_type(data, filename)
        if media_type == EML and depth < self.limits.max_depth:
            # An e-mail attached as a file: walk it like a forwarded message.
            self.walk_message(message_from_bytes(data), path + ".m", depth + 1, data)
            return
        if media_type == MSG and depth < self.limits.max_depth:
            from intake.ingest.sources.msg import msg_to_rfc822

            try:
                inner = msg_to_rfc822(data)
            except Exception as exc:  # extract-msg raises many types on damaged files
                self.problem(UNREADABLE_ATTACHMENT,
                             f"Outlook item at part {path} could not be read ({type(exc).__name__}); "
                             "it is kept as a document for manual review.")
            else:
                self.walk_message(message_from_bytes(inner), path + ".m", depth + 1, inner)
                return
        self.documents.append(
            Document(
                kind="attachment",
                filename=filename,
                media_type=media_type,
                sha256=sha256_hex(data),
                data=data,
                declared_type=part.get_content_type(),
                part_path=path,
            )
        )

    def _body(self, bodies: list[tuple[str, Message]], has_attachments: bool) -> None:
        if not bodies:
            return
        # The first text part is the body; further inline text parts (rare:
        # some clients split a body around an inline image) are appended.
        texts: list[str] = []
        first_path, first = bodies[0]
        html = first.get_content_type() == "text/html"
        for _, part in bodies:
            text = _decode_text_part(part)
            if part.get_content_type() == "text/html":
                text = html_to_text(text)
            texts.append(text)
        text = "\n\n".join(t for t in texts if t.strip())
        if "-----BEGIN PGP SIGNED MESSAGE-----" in text and "-----BEGIN PGP SIGNATURE-----" in text:
            # Inline PGP: the signature block is evidence, not report text.
            self.signatures.append(signatures.pgp(text.encode("utf-8", "replace"), first_path))
            text = _strip_inline_pgp(text)
        # CRLF over IMAP, LF in an archive copy: one body either way.
        text = text.replace("\r\n", "\n")
        if not body_is_report(text, has_attachments):
            self.skipped_bodies += 1
            return
        data = text.encode("utf-8")
        self.documents.append(
            Document(
                kind="body",
                filename=None,
                media_type="text/plain",
                sha256=sha256_hex(data),
                data=data,
                declared_type="text/html" if html else "text/plain",
                part_path=first_path + ".body",
            )
        )


_INLINE_PGP_HEAD = re.compile(r"-----BEGIN PGP SIGNED MESSAGE-----\r?\n(?:[A-Za-z-]+: .*\r?\n)*\r?\n")
_INLINE_PGP_SIG = re.compile(r"\r?\n?-----BEGIN PGP SIGNATURE-----.*?-----END PGP SIGNATURE-----[^\n]*", re.S)


def _strip_inline_pgp(text: str) -> str:
    text = _INLINE_PGP_SIG.sub("", _INLINE_PGP_HEAD.sub("", text))
    # RFC 4880 7.1: dash-escaped lines ("- -- " for "-- ").
    return re.sub(r"(?m)^- ", "", text)


def _local_line_endings(part: Message, data: bytes) -> bytes:
    """A text part sent as lines (7bit, 8bit, quoted-printable) has the line
    endings of whatever carried it: CRLF over IMAP, LF in a Maildir or mbox
    copy. Its document holds LF either way, so the copies are one document
    (same sha256, same duplicate check). Base64 keeps the sender's bytes
    exactly and is left alone; the raw message is stored as received. A
    multipart with no readable parts is read as one text leaf, so alike."""
    if part.get_content_maintype() not in ("text", "multipart"):
        return data
    if str(part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64":
        return data
    return data.replace(b"\r\n", b"\n")


def parse_once(data: bytes, limits: MimeLimits | None = None) -> Message | None:
    """The message parsed for ``walk`` and identity.identity_keys to share
    (parsing is most of what either costs); None when ``walk`` would not
    parse it or parsing fails (each then does what it does on its own)."""
    if len(data) > (limits or MimeLimits()).max_message_bytes:
        return None
    try:
        return message_from_bytes(data)
    except Exception:  # noqa: BLE001 - walk parses again and records why it failed
        return None


def walk(data: bytes, limits: MimeLimits | None = None, parsed: Message | None = None) -> WalkResult:
    """``parsed``: ``data`` as parse_once gave it, if the caller has it."""
    limits = limits or MimeLimits()
    if len(data) > limits.max_message_bytes:
        return WalkResult(
            headers=MessageHeaders(),
            problems=[ExceptionInfo(
                MESSAGE_TOO_LARGE,
                f"The message is {len(data)} bytes, over the {limits.max_message_bytes}-byte limit; "
                "it is stored unread. Raise mime.max_message_bytes or extract it by hand.",
            )],
        )
    try:
        msg = parsed if parsed is not None else message_from_bytes(data)
    except Exception as exc:  # the stdlib parser is lenient; this is belt and braces
        return WalkResult(
            headers=MessageHeaders(),
            problems=[ExceptionInfo(UNREADABLE_MESSAGE,
                                    f"Not a readable e-mail ({type(exc).__name__}).")],
        )
    walker = _Walker(limits)
    headers = MessageHeaders()
    try:
        headers = parse_headers(msg)
        walker.walk_message(msg, "", 0, data)
    except RecursionError:
        walker.problem(MIME_LIMIT_EXCEEDED, "The MIME structure is too deeply nested to read.")
    except Exception as exc:
        # Last resort, so one odd message never stops a run; the fuzz tests
        # assert this code never appears, so a bug here still shows.
        log_fault(log, "MIME walk failed", exc)
        walker.problem(MIME_WALK_ERROR,
                       f"The message structure could not be fully read ({type(exc).__name__}); "
                       "open the raw message to check for attachments.")
    return WalkResult(
        headers=headers,
        documents=group_pages(walker.documents),
        problems=walker.problems,
        skipped_bodies=walker.skipped_bodies,
        signatures=walker.signatures,
    )
