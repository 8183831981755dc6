"""Every exception code intake can raise, in one catalogue.

A code is stable: it is stored on documents and queue items, exported
(docs/export.md), counted in metrics and written to logs (a code never carries
content). Each entry says what it means in plain words, what the officer (or,
for operational codes, the operator) should do, and whether it blocks the
record:

- ``blocks=True``: the document has no usable record until a person acts
  (its status is ``exception``).
- ``blocks=False``: the record is used as it is, and the item waits in the
  queue beside it (a warning such as ``ambiguous_value``).

``scope`` says where it is raised: ``document`` and ``record`` items are
about one document and reach the review queue; ``message`` items are about
one e-mail; ``inbox``, ``store``, ``config``, ``entity`` and ``request``
codes are operational: they reach the operator (``intake status``, the command line,
logs), never the queue.

Long on purpose: one entry per code, all in one place, is the point of a
catalogue; each entry is a few lines.

`ExceptionInfo` and `IntakeError` refuse a code that is not here, so a new
code cannot be raised without being documented; docs/exception-codes.md is
generated from this module (``python -m intake.exception_codes``) and a test
keeps the two equal.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

Scope = Literal["document", "record", "message", "inbox", "store", "config", "entity", "request"]


@dataclass(frozen=True)
class CodeInfo:
    code: str
    meaning: str
    action: str
    blocks: bool
    scope: Scope

    @property
    def queued(self) -> bool:
        """Whether items with this code reach the officers' review queue."""
        return self.scope in ("document", "record", "message")


CATALOGUE: dict[str, CodeInfo] = {}


def _code(code: str, meaning: str, action: str, *, blocks: bool, scope: Scope) -> str:
    if code in CATALOGUE:
        raise ValueError(f"exception code {code!r} defined twice")
    CATALOGUE[code] = CodeInfo(code, meaning, action, blocks, scope)
    return code


def info(code: str) -> CodeInfo:
    """The catalogue entry of a code; KeyError for a code nobody defined."""
    return CATALOGUE[code]


def check(code: str) -> str:
    if code not in CATALOGUE:
        raise ValueError(f"exception code {code!r} is not in intake/exception_codes.py")
    return code


# --------------------------------------------------------------------------
# documents: the file could not be read or made into a record
# --------------------------------------------------------------------------

CORRUPT_DOCUMENT = _code(
    "corrupt_document", "The file is damaged and cannot be read.",
    "Ask the sender to resend the file; meanwhile key the report in from whatever opens.",
    blocks=True, scope="document")
ENCRYPTED_DOCUMENT = _code(
    "encrypted_document", "The file is password-protected.",
    "Ask the sender for an unprotected copy (never the password by e-mail), then reprocess.",
    blocks=True, scope="document")
UNSUPPORTED_FORMAT = _code(
    "unsupported_format", "The file is of a kind intake does not read.",
    "Open it with the right program and key the report in, or mark it not a report.",
    blocks=True, scope="document")
UNSAFE_DOCUMENT = _code(
    "unsafe_document", "The file exceeds a safety limit (size, expansion or pixels) and was not read.",
    "Open it on a standalone machine if it is needed; ask the sender for a smaller copy.",
    blocks=True, scope="document")
CONVERSION_FAILED = _code(
    "conversion_failed", "LibreOffice could not convert the file.",
    "Open the original in Word or LibreOffice and key it in, or ask for a .docx or PDF.",
    blocks=True, scope="document")
OCR_FAILED = _code(
    "ocr_failed", "The scan could not be read by OCR.",
    "Read the scan on screen and key the report in.",
    blocks=True, scope="document")
TOOL_MISSING = _code(
    "tool_missing", "A program intake needs (LibreOffice, Tesseract, poppler) is not installed.",
    "Tell the system administrator; reprocess once it is installed.",
    blocks=True, scope="document")
PARSER_ERROR = _code(
    "parser_error", "The parser failed on this file (a fault in intake, logged for the developers).",
    "Open the original and key it in; reprocess after the fault is fixed.",
    blocks=True, scope="document")
PARSER_TIMEOUT = _code(
    "parser_timeout", "Reading the file took longer than the time limit and was stopped.",
    "Open the original and key it in.",
    blocks=True, scope="document")
PARSER_CRASHED = _code(
    "parser_crashed", "The parser process died on this file every time it was tried.",
    "Open the original and key it in; the crash has been logged for the developers.",
    blocks=True, scope="document")
RESOURCE_LIMIT = _code(
    "resource_limit", "Reading the file needed more memory than allowed and was stopped.",
    "Open the original and key it in.",
    blocks=True, scope="document")
UNKNOWN_TEMPLATE = _code(
    "unknown_template", "It looks like a report form, but not one of the known templates.",
    "Choose the template it was written on (or free text), check the fields, approve.",
    blocks=True, scope="document")
REJECTED_BY_OFFICER = _code(
    "rejected_by_officer", "An intake officer rejected the document (the reason is recorded with it).",
    "Nothing, unless the rejection was a mistake: then reprocess or correct and approve it.",
    blocks=True, scope="document")
MISSING_REQUIRED_FIELD = _code(
    "missing_required_field", "A field the template requires is empty or could not be found.",
    "Find the value in the original and correct the field, or approve without it.",
    blocks=True, scope="document")

# --------------------------------------------------------------------------
# records: a record was made, but a person should look at part of it
# --------------------------------------------------------------------------

AMBIGUOUS_VALUE = _code(
    "ambiguous_value", "A tick box or choice was answered both ways (or neither), so the value was left empty.",
    "Look at the original and set the field.",
    blocks=False, scope="record")
UNREADABLE_VALUE = _code(
    "unreadable_value", "A field's value could not be understood (a date or number that does not parse).",
    "Correct the field from the original.",
    blocks=False, scope="record")
REPEATED_FIELD = _code(
    "repeated_field", "The same question was answered twice with different values; the first was kept.",
    "Check which answer is right, correct the field; if it is two reports, tell the sender.",
    blocks=False, scope="record")
REVIEW_ACTION_FAILED = _code(
    "review_action_failed", "An officer's action on this document failed inside intake (a fault, logged "
    "without content); nothing of that action was kept.",
    "Try the action again; if it fails again, reprocess the document and tell the developers the time it failed.",
    blocks=False, scope="record")
REPROCESS_FAILED = _code(
    "reprocess_failed", "Reprocessing this document failed inside intake; the record stays as it was before.",
    "It is tried again later with a growing wait; reprocess it by hand after a fix, or work it as it stands.",
    blocks=False, scope="record")
POSSIBLE_DUPLICATE = _code(
    "possible_duplicate", "The report looks like an earlier one, but not closely enough to be sure.",
    "Compare the two: mark it the same report (a duplicate) or a different report.",
    blocks=False, scope="record")
EXTRACTION_ERROR = _code(
    "extraction_error", "Entity extraction failed; the record was kept without (some) entities.",
    "Reprocess after the fault is fixed; meanwhile read the narrative yourself.",
    blocks=False, scope="record")
# What a reader met while reading (Layout.warnings): the record is used, and
# the reviewer hears of it.
MACRO_ENABLED = _code(
    "macro_enabled", "The Word file carries macros (a .docm, or a vbaProject part). Its text was read; "
    "the macros were never run.",
    "Check the record against the text shown here; do not open the original in Word with macros "
    "enabled. Tell the sender their form should not carry macros.",
    blocks=False, scope="record")
ACTIVE_CONTENT = _code(
    "active_content", "The PDF carries active content (JavaScript, an action run on opening, a launch "
    "action or embedded files). Its text was read; nothing in it was run or opened.",
    "Check the record against the text shown here; open the original only in the secure viewer. "
    "Ask the sender for any embedded file that matters as a separate attachment.",
    blocks=False, scope="record")
PAGES_TRUNCATED = _code(
    "pages_truncated", "The document has more pages than the page limit; only the first pages were read.",
    "Read the remaining pages in the original and add anything they report.",
    blocks=False, scope="record")
OCR_PAGES_SKIPPED = _code(
    "ocr_pages_skipped", "More scanned pages (or pictures) needed OCR than the limit allows; the rest "
    "were not read.",
    "Read the skipped pages in the original and add anything they report.",
    blocks=False, scope="record")
LOW_OCR_CONFIDENCE = _code(
    "low_ocr_confidence", "The scan was read by OCR with low confidence; names, numbers and dates may "
    "be wrong.",
    "Check every field and entity against the scan before relying on it.",
    blocks=False, scope="record")
OCR_NO_TEXT = _code(
    "ocr_no_text", "OCR found (almost) no text in the scanned pages or pictures.",
    "Look at the original: if it is a report (a faint or photographed form), key it in.",
    blocks=False, scope="record")
PART_UNREADABLE = _code(
    "part_unreadable", "Part of the document (a header or footer, an embedded chunk or a picture) "
    "could not be read; the rest was.",
    "Open the original and check that part for anything the report depends on.",
    blocks=False, scope="record")

# --------------------------------------------------------------------------
# messages: the e-mail as a whole
# --------------------------------------------------------------------------

MESSAGE_ID_CLASH = _code(
    "message_id_clash", "Another message has the same Message-ID but different content; both are kept.",
    "Check whether one was edited or resent; nothing needs doing if both are genuine.",
    blocks=False, scope="message")
BROKEN_MIME = _code(
    "broken_mime", "Part of the e-mail's structure is malformed; what could be read was read.",
    "Open the original message and check that no attachment is missing.",
    blocks=False, scope="message")
MIME_LIMIT_EXCEEDED = _code(
    "mime_limit_exceeded", "The e-mail has more parts or nesting than the safety limits allow; the rest was not read.",
    "Open the original message and key in any report that was not read.",
    blocks=False, scope="message")
MIME_WALK_ERROR = _code(
    "mime_walk_error", "Reading the e-mail's structure failed part-way (a fault in intake, logged).",
    "Open the original message and check every attachment reached the queue.",
    blocks=False, scope="message")
UNREADABLE_ATTACHMENT = _code(
    "unreadable_attachment", "An attachment's encoding is damaged and its bytes could not be recovered.",
    "Ask the sender to resend the attachment.",
    blocks=False, scope="message")
MESSAGE_TOO_LARGE = _code(
    "message_too_large", "The e-mail is larger than the size limit and was kept but not read.",
    "Open the original message and key in the reports it carries.",
    blocks=True, scope="message")
UNREADABLE_MESSAGE = _code(
    "unreadable_message", "The item could not be read as an e-mail at all.",
    "Open the original in a mail client, or ask the sender to resend.",
    blocks=True, scope="message")
UNVERIFIED_SENDER = _code(
    "unverified_sender", "The force's mail server could not confirm the message came from who it claims "
    "(SPF, DKIM or DMARC failed or is missing), or the sender's domain is not one of the inbox's agencies. "
    "The report was processed as usual.",
    "Check the sender by a known contact route before acting on the report; the detail gives the evidence.",
    blocks=False, scope="message")
NO_REPORT_CONTENT = _code(
    "no_report_content", "The e-mail has no attachment and its text is only a covering note or empty.",
    "Check with the sender whether a form was meant to be attached; then reject or close.",
    blocks=True, scope="message")

# --------------------------------------------------------------------------
# inboxes: polling a mailbox (operator, `intake status`)
# --------------------------------------------------------------------------

IMAP_UNREACHABLE = _code(
    "imap_unreachable", "The mail server cannot be reached.",
    "Check the host, port and firewall; the daemon retries with back-off.",
    blocks=False, scope="inbox")
IMAP_TLS_FAILED = _code(
    "imap_tls_failed", "The TLS handshake with the mail server failed.",
    "Check the port and tls setting (implicit or starttls) against the server.",
    blocks=False, scope="inbox")
IMAP_TLS_UNTRUSTED = _code(
    "imap_tls_untrusted", "The mail server's certificate is not trusted or names another host.",
    "Set ca_file to the force's CA, or fix the host name; never turn verification off.",
    blocks=False, scope="inbox")
IMAP_STARTTLS_FAILED = _code(
    "imap_starttls_failed", "The server does not offer STARTTLS or it failed.",
    "Use tls = \"implicit\" on port 993, or ask the mail team to enable STARTTLS.",
    blocks=False, scope="inbox")
IMAP_PLAINTEXT_REFUSED = _code(
    "imap_plaintext_refused", "A plaintext connection to a non-loopback server was refused.",
    "Use TLS (implicit or starttls).",
    blocks=False, scope="inbox")
IMAP_CA_FILE_UNUSABLE = _code(
    "imap_ca_file_unusable", "The configured CA file cannot be read.",
    "Fix ca_file's path or permissions.",
    blocks=False, scope="inbox")
IMAP_SECRET_UNAVAILABLE = _code(
    "imap_secret_unavailable", "The inbox password (or token) is not available.",
    "Set the environment variable or secret file named in the inbox config.",
    blocks=False, scope="inbox")
IMAP_TOKEN_FAILED = _code(
    "imap_token_failed", "The OAuth token command failed or printed no token.",
    "Run the token_command by hand as the service user and fix it.",
    blocks=False, scope="inbox")
IMAP_LOGIN_FAILED = _code(
    "imap_login_failed", "The mail server refused the login.",
    "Check the user name and secret; a locked account needs the mail team.",
    blocks=False, scope="inbox")
IMAP_FOLDER_UNAVAILABLE = _code(
    "imap_folder_unavailable", "A configured folder cannot be opened.",
    "Check the folder names in the inbox's 'folders'.",
    blocks=False, scope="inbox")
IMAP_KEYWORD_UNSUPPORTED = _code(
    "imap_keyword_unsupported", "The server does not keep custom keywords, so after = \"keyword:…\" cannot work.",
    "Use after = \"move:FOLDER\" or \"flag:\\\\Seen\".",
    blocks=False, scope="inbox")
IMAP_MOVE_UNSUPPORTED = _code(
    "imap_move_unsupported", "The server can neither MOVE nor COPY + UID EXPUNGE.",
    "Use after = \"flag:\\\\Seen\" or a keyword instead of a move.",
    blocks=False, scope="inbox")
IMAP_AFTER_FOLDER = _code(
    "imap_after_folder", "The folder messages are moved to does not exist and could not be created.",
    "Create the folder on the server or fix after = \"move:…\".",
    blocks=False, scope="inbox")
IMAP_AFTER_FAILED = _code(
    "imap_after_failed", "Marking or moving processed messages failed; they are stored and will be marked next pass.",
    "Nothing is lost; if it persists, check the account's rights on the folder.",
    blocks=False, scope="inbox")
IMAP_CONNECTION_LOST = _code(
    "imap_connection_lost", "The connection to the mail server dropped during a pass.",
    "Nothing is lost; the next pass resumes. If it persists, check the network.",
    blocks=False, scope="inbox")
IMAP_PASS_CRASHED = _code(
    "imap_pass_crashed", "A pass over the inbox failed unexpectedly (a fault in intake, logged).",
    "Nothing is acknowledged that was not stored; report the log line to the developers.",
    blocks=False, scope="inbox")
ARCHIVE_UNREADABLE = _code(
    "archive_unreadable", "A path given to `intake replay` cannot be read as an archive at all (not an mbox, "
    "Maildir, folder of .eml or .msg files).",
    "Check the path and the archive's format; the rest of the paths were replayed.",
    blocks=False, scope="inbox")
NOTIFICATION_FAILED = _code(
    "notification_failed", "An urgent-report notification could not be sent (the mail server or webhook "
    "refused or did not answer); it is tried again.",
    "Check [notify] and the receiving server; `intake status` shows what waits.",
    blocks=False, scope="inbox")
PIPELINE_FAILED = _code(
    "pipeline_failed", "A message could not be stored; it stays in the mailbox and is retried every pass.",
    "Report the log line (it has the message's id, no content) to the developers.",
    blocks=False, scope="inbox")

# --------------------------------------------------------------------------
# store and configuration (operator)
# --------------------------------------------------------------------------

STORE_UNAVAILABLE = _code(
    "store_unavailable", "The store (database) cannot be reached.",
    "Check the database server and the store URL; nothing was acknowledged.",
    blocks=False, scope="store")
STORE_MISSING = _code(
    "store_missing", "There is no store at the configured place (or its folder does not exist).",
    "Fix [store] url / data_dir, or create the folder; a write command or `intake migrate` creates the store.",
    blocks=False, scope="store")
STORE_NOT_INTAKE = _code(
    "store_not_intake", "The database or file is not an intake store.",
    "Point [store] url at intake's own database; never share one with another application.",
    blocks=False, scope="store")
STORE_NEEDS_MIGRATION = _code(
    "store_needs_migration", "The store's schema is older than this version of intake.",
    "Back up the store, then run `intake migrate`.",
    blocks=False, scope="store")
STORE_TOO_NEW = _code(
    "store_too_new", "The store was written by a newer version of intake.",
    "Upgrade intake on this machine; never run an older intake against the store.",
    blocks=False, scope="store")
STORE_FULL = _code(
    "store_full", "The disk holding the store is full.",
    "Free space (or grow the volume) and run the command again; nothing committed is lost.",
    blocks=False, scope="store")
STORE_READ_ONLY = _code(
    "store_read_only", "The store is read-only (permissions, a read-only mount, or a standby database).",
    "Give the intake user write access or point at the primary database, then run the command again.",
    blocks=False, scope="store")
STORE_KEY_MISSING = _code(
    "store_key_missing", "The store is encrypted (or [encryption] names a key) but the key is not available.",
    "Set the environment variable or key file named in [encryption] (docs/security.md); nothing was read.",
    blocks=False, scope="store")
STORE_KEY_WRONG = _code(
    "store_key_wrong", "The configured key does not open this store's data key, or a stored value does not decrypt.",
    "Configure the key this store was encrypted with; `intake keys check` names damaged values (restore "
    "them from a backup).",
    blocks=False, scope="store")
STORE_NOT_ENCRYPTED = _code(
    "store_not_encrypted", "[encryption] is configured but the store still holds unencrypted content, or an "
    "encryption run did not finish.",
    "Run `intake keys encrypt-existing` (docs/security.md); it resumes where it stopped.",
    blocks=False, scope="store")
CONFIG_INVALID = _code(
    "config_invalid", "A setting is wrong.",
    "Fix the setting named in the message and start again.",
    blocks=False, scope="config")
TEMPLATE_INVALID = _code(
    "template_invalid", "A template file is wrong.",
    "Fix the template file named in the message (intake/config/templates/README.md).",
    blocks=False, scope="config")
GAZETTEER_INVALID = _code(
    "gazetteer_invalid", "A gazetteer file is wrong.",
    "Fix the gazetteer file named in the message.",
    blocks=False, scope="config")
GAZETTEER_UNREADABLE = _code(
    "gazetteer_unreadable", "A gazetteer file cannot be read.",
    "Fix the path or permissions of the gazetteer file.",
    blocks=False, scope="config")
SPACY_MODEL_MISSING = _code(
    "spacy_model_missing", "The spaCy model named in [extract] spacy_model is not installed.",
    "Install the model package or fix the setting.",
    blocks=False, scope="config")

# --------------------------------------------------------------------------
# entity decisions (officer's command or form, answered at once)
# --------------------------------------------------------------------------

ENTITY_NOT_FOUND = _code(
    "entity_not_found", "No entity has that id.",
    "List entities with `intake entities` or search in the review app.",
    blocks=False, scope="entity")
ENTITY_SAME = _code(
    "entity_same", "Both ids name the same entity (perhaps already merged).",
    "Nothing to do.", blocks=False, scope="entity")
ENTITY_TYPE_MISMATCH = _code(
    "entity_type_mismatch", "Entities of different types cannot be merged.",
    "Choose two entities of the same type.", blocks=False, scope="entity")
REASON_REQUIRED = _code(
    "reason_required", "A decision needs a reason.",
    "Give the reason for the decision.", blocks=False, scope="entity")
MENTION_NOT_IN_ENTITY = _code(
    "mention_not_in_entity", "A mention named for a split does not belong to the entity.",
    "Choose mentions shown on the entity's page.", blocks=False, scope="entity")
SPLIT_NOTHING_LEFT = _code(
    "split_nothing_left", "A split must leave at least one mention on each side.",
    "Choose fewer mentions to move.", blocks=False, scope="entity")


# --------------------------------------------------------------------------
# requests refused (an officer's or administrator's change, answered at once;
# the error types that carry these: store/review_actions.py ActionError,
# store/users.py UserError, store/retention.py DisposalError,
# store/triage.py TriageError, canonical.py FieldValueError)
# --------------------------------------------------------------------------

ACTION_REFUSED = _code(
    "action_refused", "A review action does not fit the document's state (already decided, changed by someone "
    "else meanwhile, or not allowed for this document).",
    "Read the reason shown, reload the document and act again.", blocks=False, scope="request")
USER_REQUEST_REFUSED = _code(
    "user_request_refused", "A request about users cannot be met (a password too weak, a name taken, the "
    "last administrator).",
    "Change the request as the reason says.", blocks=False, scope="request")
DISPOSAL_REFUSED = _code(
    "disposal_refused", "A disposal was refused; nothing changed.",
    "Read the reason (a hold, a wrong confirmation) and dispose again when it allows.",
    blocks=False, scope="request")
TRIAGE_CHANGE_REFUSED = _code(
    "triage_change_refused", "An officer's change to a report's urgency cannot be made.",
    "Read the reason shown and change the request.", blocks=False, scope="request")
FIELD_VALUE_INVALID = _code(
    "field_value_invalid", "A corrected value does not fit its field (a date that is not a date, a field "
    "that does not exist).",
    "Type the value as the message says (dates as dd/mm/yyyy or ISO).", blocks=False, scope="request")


# --------------------------------------------------------------------------
# the generated table
# --------------------------------------------------------------------------

_SCOPE_TITLES = {
    "document": "Documents (review queue; the file gave no usable record)",
    "record": "Records (review queue; the record is used, a person should check part of it)",
    "message": "Messages (review queue; about the e-mail as a whole)",
    "inbox": "Inboxes, archives and notifications (operator: `intake status`, logs)",
    "store": "Store (operator)",
    "config": "Configuration (operator)",
    "entity": "Entity decisions (answered at once to the officer)",
    "request": "Requests refused (answered at once to the officer or administrator)",
}


def markdown() -> str:
    out = [
        "# Exception codes",
        "",
        "Generated from `intake/exception_codes.py` by `python -m intake.exception_codes`;",
        "do not edit by hand (a test keeps the two equal).",
        "",
        "*Blocks* means the document has no usable record until a person acts.",
    ]
    for scope, title in _SCOPE_TITLES.items():
        rows = [c for c in CATALOGUE.values() if c.scope == scope]
        if not rows:
            continue
        out += ["", f"## {title}", "", "| code | meaning | what to do | blocks |", "| --- | --- | --- | --- |"]
        for c in rows:
            out.append(f"| `{c.code}` | {c.meaning} | {c.action} | {'yes' if c.blocks else 'no'} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(markdown())
