"""IMAP failures as IntakeErrors with stable codes.

Details are written here, from what we know (host, port, user, folder), not
copied from library exceptions, because a library message can carry a
password, a token or a server echo of message content. ``safe_reason`` is the
one place a foreign exception is turned into text, and it redacts.
"""

from __future__ import annotations

import socket
import ssl

from intake.types import IntakeError


class ImapError(IntakeError):
    """A failure to reach, trust, log in to or talk to an IMAP server."""


def redact(text: str, secrets: list[str | None]) -> str:
    for s in secrets:
        if s and len(s) >= 3:
            text = text.replace(s, "***")
    return text


def safe_reason(exc: BaseException, secrets: list[str | None] = ()) -> str:
    """A short, content-free description of a network/library exception."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}"
    if isinstance(exc, socket.gaierror):
        return "host name could not be resolved"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return "connection reset by the server"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    if isinstance(exc, bytes):  # pragma: no cover - defensive
        text = exc.decode("ascii", "replace")
    # Server replies come back as b'...' reprs; keep them short and strip any
    # secret we know of. They never contain message bodies: we only turn
    # exceptions from commands without content into text.
    text = redact(text, list(secrets))[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
