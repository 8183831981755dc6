"""Sending one urgent-report notification: an e-mail to the duty mailbox
over SMTP (STARTTLS or implicit TLS, verified), or a JSON POST to a webhook
(HTTPS, verified).

What is sent is built from an ``Alert`` only: the document's opaque id, the
link to its page, the level, the triage reasons (the catalogue's own words)
and when it was stored. Nothing of the report itself: no names, no
narrative, no subject line, no sender. Secrets are read when sending (from
the environment or a file, as for IMAP: config/settings.py read_secret) and
never logged."""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from intake.config.settings import read_secret
from intake.exception_codes import NOTIFICATION_FAILED

LEVEL_WORDS = {"urgent": "URGENT", "high": "High", "routine": "Routine"}


@dataclass(frozen=True)
class Alert:
    document_id: str
    link: str
    level: str
    reasons: tuple[str, ...]
    stored_at: datetime | None

    def as_json(self) -> dict:
        return {"event": "intake.triage", "document_id": self.document_id, "link": self.link,
                "level": self.level, "reasons": list(self.reasons),
                "stored_at": self.stored_at.isoformat() if self.stored_at else None,
                "note": "A suggestion for a person to act on, not an assessment. Open the link to read the report."}


class SendError(Exception):
    """One attempt failed. ``str()`` is the error's class and a code, never
    content or a secret."""

    code = NOTIFICATION_FAILED


@dataclass(frozen=True)
class NotifyConfig:
    base_url: str
    levels: tuple[str, ...]
    max_age_minutes: int
    retry_seconds: int
    max_attempts: int
    timeout_s: int
    mail_to: tuple[str, ...]
    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_ca_file: str
    smtp_username: str
    secrets: dict  # where the secrets live (password_env/_file, webhook_token_env/_file), not their values
    webhook_url: str
    webhook_ca_file: str

    @property
    def channels(self) -> list[str]:
        return (["email"] if self.mail_to else []) + (["webhook"] if self.webhook_url else [])

    def link(self, document_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/documents/{document_id}"

    @classmethod
    def from_settings(cls, settings) -> "NotifyConfig | None":
        """None when no channel is configured."""
        if settings is None:
            return None
        t = settings.section("notify")
        cfg = cls(base_url=t["base_url"], levels=tuple(t["levels"]), max_age_minutes=t["max_age_minutes"],
                  retry_seconds=t["retry_seconds"], max_attempts=t["max_attempts"], timeout_s=t["timeout_s"],
                  mail_to=tuple(t["mail_to"]), mail_from=t["mail_from"], smtp_host=t["smtp_host"],
                  smtp_port=t["smtp_port"], smtp_tls=t["smtp_tls"], smtp_ca_file=t["smtp_ca_file"],
                  smtp_username=t["smtp_username"],
                  secrets={k: t[k] for k in ("password_env", "password_file", "webhook_token_env",
                                             "webhook_token_file") if t.get(k)},
                  webhook_url=t["webhook_url"], webhook_ca_file=t["webhook_ca_file"])
        return cfg if cfg.channels else None


def _tls_context(ca_file: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca_file or None)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def email_of(cfg: NotifyConfig, alert: Alert) -> EmailMessage:
    m = EmailMessage()
    m["From"] = cfg.mail_from
    m["To"] = ", ".join(cfg.mail_to)
    m["Subject"] = f"intake: {LEVEL_WORDS.get(alert.level, alert.level)} report received"
    m["Date"] = formatdate(localtime=False)
    m["Message-ID"] = make_msgid(domain=cfg.mail_from.rpartition("@")[2] or None)
    lines = [f"A report received by intake has been triaged {LEVEL_WORDS.get(alert.level, alert.level)}.",
             "", f"Open it: {alert.link}", ""]
    if alert.stored_at:
        lines += [f"Stored: {alert.stored_at.strftime('%Y-%m-%d %H:%M:%S UTC')}", ""]
    lines += ["Why intake suggests this level:"] + [f"- {r}" for r in alert.reasons]
    lines += ["", "This is a suggestion for a person to act on, not an assessment. The report's content is",
              "deliberately not in this message: read it in intake."]
    m.set_content("\n".join(lines) + "\n")
    return m


def send_email(cfg: NotifyConfig, alert: Alert) -> None:
    password = read_secret(cfg.secrets, "password", "[notify]") if cfg.smtp_username else None
    try:
        if cfg.smtp_tls == "implicit":
            smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_s,
                                    context=_tls_context(cfg.smtp_ca_file))
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_s)
        with smtp:
            if cfg.smtp_tls == "starttls":
                smtp.starttls(context=_tls_context(cfg.smtp_ca_file))
            if cfg.smtp_username:
                smtp.login(cfg.smtp_username, password or "")
            smtp.send_message(email_of(cfg, alert))
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"smtp:{type(exc).__name__}:{exc.smtp_code}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"smtp:{type(exc).__name__}") from None


def send_webhook(cfg: NotifyConfig, alert: Alert) -> None:
    # The standard library's urllib: one POST, and no client to keep up to
    # date for it.
    token = read_secret({k.removeprefix("webhook_"): v for k, v in cfg.secrets.items() if k.startswith("webhook_")},
                        "token", "[notify] webhook")
    headers = {"Content-Type": "application/json", "User-Agent": "intake-notify"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(cfg.webhook_url, data=json.dumps(alert.as_json()).encode(), headers=headers,
                                 method="POST")
    ctx = _tls_context(cfg.webhook_ca_file) if cfg.webhook_url.startswith("https:") else None
    try:
        with urllib.request.urlopen(req, timeout=cfg.timeout_s, context=ctx) as resp:
            if not 200 <= resp.status < 300:
                raise SendError(f"webhook:http_{resp.status}")
    except urllib.error.HTTPError as exc:
        raise SendError(f"webhook:http_{exc.code}") from None
    except (OSError, ValueError) as exc:
        raise SendError(f"webhook:{type(exc).__name__}") from None


SENDERS = {"email": send_email, "webhook": send_webhook}
