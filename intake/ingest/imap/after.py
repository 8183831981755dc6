"""The `after` action: what a committed message's mailbox copy becomes.

Applied only to UIDs whose message is already committed to the store, so a
failure here never loses anything: the UID stays "handled, not acknowledged"
in the store and the next pass applies the action again.
"""

from __future__ import annotations

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from intake.exception_codes import (
    IMAP_AFTER_FAILED,
    IMAP_AFTER_FOLDER,
    IMAP_MOVE_UNSUPPORTED,
)
from intake.ingest.imap.errors import ImapError, safe_reason
from intake.ingest.inbox_config import After, InboxConfig


def uid_set(uids: list[int]) -> str:
    """A compact IMAP sequence set ("1:50,52,60:61") so commands on large
    folders stay short (imapclient would list every UID)."""
    out: list[str] = []
    ordered = sorted(set(uids))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(out)


def prepare(client: IMAPClient, cfg: InboxConfig) -> None:
    """Before a pass: make sure a move target exists and the server can move."""
    after = cfg.after
    if after.kind != "move":
        return
    try:
        if not client.folder_exists(after.arg):
            client.create_folder(after.arg)
    except IMAPClientError as exc:
        raise ImapError(
            IMAP_AFTER_FOLDER,
            f"inbox {cfg.name}: cannot create the folder {after.arg!r} for after = \"{after}\" ({safe_reason(exc)})",
        ) from None
    caps = set(client.capabilities())
    if b"MOVE" not in caps and b"UIDPLUS" not in caps:
        # Without UIDPLUS, EXPUNGE would also remove messages someone else
        # marked \Deleted; we will not destroy mail we did not read.
        raise ImapError(
            IMAP_MOVE_UNSUPPORTED,
            f"inbox {cfg.name}: the server supports neither MOVE nor UIDPLUS, so after = \"{after}\" "
            "cannot be done safely; use a flag or keyword instead",
        )


def apply(client: IMAPClient, cfg: InboxConfig, uids: list[int]) -> None:
    """Apply ``cfg.after`` to ``uids`` in the currently selected folder.
    UIDs that vanished meanwhile are ignored by the server (RFC 3501)."""
    after: After = cfg.after
    if not uids or after.kind == "none":
        return
    seq = uid_set(uids)
    try:
        if after.kind == "move":
            if b"MOVE" in set(client.capabilities()):
                client.move(seq, after.arg)
            else:
                client.copy(seq, after.arg)
                client.add_flags(seq, [b"\\Deleted"], silent=True)
                client.uid_expunge(seq)
        elif after.kind == "flag":
            client.add_flags(seq, [after.arg.encode("ascii")], silent=True)
        elif after.kind == "keyword":
            client.add_flags(seq, [after.arg.encode("ascii")], silent=True)
    except IMAPClientAbortError:
        raise  # the connection died: the runner reports imap_connection_lost
    except IMAPClientError as exc:
        raise ImapError(
            IMAP_AFTER_FAILED,
            f"inbox {cfg.name}: after = \"{after}\" failed for {len(uids)} message(s) ({safe_reason(exc)}); "
            "they are stored and will be acknowledged on the next pass",
        ) from None
