"""Connect, secure and log in to one inbox's IMAP server.

Certificates are always verified (hostname included); ``ca_file`` only
chooses which CA to trust. Plaintext is refused unless the host is loopback,
here as well as in the config check, because a config object can be built
in code. The secret is read at each login (so rotation needs no restart) and
exists only in local variables here.
"""

from __future__ import annotations

import logging
import shlex
import ssl
import subprocess
from contextlib import contextmanager
from typing import Iterator

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from intake.config.settings import ConfigError, read_secret
from intake.exception_codes import (
    IMAP_CA_FILE_UNUSABLE,
    IMAP_LOGIN_FAILED,
    IMAP_PLAINTEXT_REFUSED,
    IMAP_SECRET_UNAVAILABLE,
    IMAP_STARTTLS_FAILED,
    IMAP_TLS_FAILED,
    IMAP_TLS_UNTRUSTED,
    IMAP_TOKEN_FAILED,
    IMAP_UNREACHABLE,
)
from intake.ingest.imap.errors import ImapError, safe_reason
from intake.ingest.inbox_config import InboxConfig

log = logging.getLogger(__name__)


def ssl_context(cfg: InboxConfig) -> ssl.SSLContext:
    try:
        ctx = ssl.create_default_context(cafile=cfg.ca_file) if cfg.ca_file else ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise ImapError(
            IMAP_CA_FILE_UNUSABLE,
            f"inbox {cfg.name}: ca_file {cfg.ca_file} cannot be loaded ({safe_reason(exc)}); "
            "point it at the PEM certificate of the CA that signed the server's certificate",
        ) from None
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def _secret(cfg: InboxConfig) -> str:
    """The password, or an XOAUTH2 access token from token_command."""
    if cfg.auth == "password":
        try:
            value = read_secret(cfg.secret, "password", f"inbox {cfg.name}")
        except ConfigError as exc:
            raise ImapError(IMAP_SECRET_UNAVAILABLE, str(exc)) from None
        if not value:
            raise ImapError(IMAP_SECRET_UNAVAILABLE, f"inbox {cfg.name}: the configured password is empty")
        return value
    try:
        proc = subprocess.run(
            shlex.split(cfg.token_command or ""), capture_output=True, timeout=cfg.token_timeout_s,
            stdin=subprocess.DEVNULL, check=False,
        )
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        raise ImapError(
            IMAP_TOKEN_FAILED,
            f"inbox {cfg.name}: token_command could not be run ({type(exc).__name__})",
        ) from None
    # Neither stdout nor stderr is quoted: either may hold a token.
    if proc.returncode != 0:
        raise ImapError(
            IMAP_TOKEN_FAILED,
            f"inbox {cfg.name}: token_command exited with status {proc.returncode}; run it by hand as the daemon's user",
        )
    lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    if not lines or not lines[0].strip():
        raise ImapError(IMAP_TOKEN_FAILED, f"inbox {cfg.name}: token_command printed no access token")
    return lines[0].strip()


def connect(cfg: InboxConfig) -> IMAPClient:
    """An authenticated client. Every failure is an ImapError whose detail
    says what to fix and never contains the secret."""
    if cfg.tls == "none" and not cfg.is_loopback:
        raise ImapError(
            IMAP_PLAINTEXT_REFUSED,
            f"inbox {cfg.name}: refusing an unencrypted connection to {cfg.host}; "
            "set tls = \"implicit\" or \"starttls\"",
        )
    where = f"{cfg.host}:{cfg.port}"
    ctx = ssl_context(cfg) if cfg.tls != "none" else None
    try:
        client = IMAPClient(cfg.host, port=cfg.port, ssl=cfg.tls == "implicit",
                            ssl_context=ctx, timeout=cfg.timeout_s)
    except ssl.SSLCertVerificationError as exc:
        raise _untrusted(cfg, exc) from None
    except ssl.SSLError as exc:
        raise ImapError(IMAP_TLS_FAILED, f"inbox {cfg.name}: TLS with {where} failed ({safe_reason(exc)})") from None
    except (OSError, IMAPClientError) as exc:
        raise ImapError(
            IMAP_UNREACHABLE, f"inbox {cfg.name}: cannot connect to {where} ({safe_reason(exc)})"
        ) from None
    try:
        if cfg.tls == "starttls":
            try:
                client.starttls(ctx)
            except ssl.SSLCertVerificationError as exc:
                raise _untrusted(cfg, exc) from None
            except ssl.SSLError as exc:
                raise ImapError(IMAP_TLS_FAILED, f"inbox {cfg.name}: STARTTLS with {where} failed ({safe_reason(exc)})") from None
            except IMAPClientError as exc:
                raise ImapError(
                    IMAP_STARTTLS_FAILED,
                    f"inbox {cfg.name}: {where} did not accept STARTTLS ({safe_reason(exc)}); "
                    "check the port, or use tls = \"implicit\"",
                ) from None
        secret = _secret(cfg)
        try:
            if cfg.auth == "xoauth2":
                client.oauth2_login(cfg.username, secret)
            else:
                client.login(cfg.username, secret)
        except LoginError:
            raise ImapError(
                IMAP_LOGIN_FAILED,
                f"inbox {cfg.name}: {where} refused the login for user {cfg.username}; "
                + ("check the password in password_env/password_file" if cfg.auth == "password"
                   else "check token_command and the account's OAuth consent"),
            ) from None
        except (OSError, IMAPClientError) as exc:
            raise ImapError(
                IMAP_LOGIN_FAILED,
                f"inbox {cfg.name}: login to {where} failed ({safe_reason(exc, [secret])})",
            ) from None
        finally:
            del secret
    except BaseException:
        _close_quietly(client)
        raise
    return client


def _untrusted(cfg: InboxConfig, exc: ssl.SSLCertVerificationError) -> ImapError:
    hint = (f"the CA in ca_file {cfg.ca_file} did not sign it" if cfg.ca_file
            else "it is not signed by a CA in the system trust store; set ca_file to the signing CA")
    return ImapError(
        IMAP_TLS_UNTRUSTED,
        f"inbox {cfg.name}: the certificate of {cfg.host}:{cfg.port} is not trusted "
        f"({safe_reason(exc)}); {hint}",
    )


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except Exception:  # noqa: BLE001 - closing a broken connection
        pass


def logout_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the server may already be gone
        _close_quietly(client)


@contextmanager
def session(cfg: InboxConfig) -> Iterator[IMAPClient]:
    client = connect(cfg)
    try:
        yield client
    finally:
        logout_quietly(client)
