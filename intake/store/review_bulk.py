"""Bulk decisions on ticked documents of a filtered review queue:
approve, reject with a reason, or mark not a report, each document in its
own transaction and audited on its own, exactly as from its page; one that
cannot be done is reported and left as it was."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

from intake.logs import log_fault
from intake.store import repository as repo
from intake.store.documents import get_document
from intake.store.queue import has_open_items, held_by_other
from intake.store.review_actions import ActionError, Actor, approve, mark_not_a_report, reject

log = logging.getLogger(__name__)


BULK_ACTIONS = {"approve": "Approve", "reject": "Reject", "not_a_report": "Mark not a report"}
BULK_MAX = 200


@dataclass
class BulkOutcome:
    document_id: str
    name: str
    done: bool
    why: str = ""


def bulk_act(store, ids: Sequence[str], action: str, reason: str, actor: Actor) -> list[BulkOutcome]:
    """One action on each ticked document, each in its own transaction: a
    document that cannot be done (decided meanwhile, someone else working on
    it, refused, or a fault) is reported and left as it was; the others are
    done and audited one by one as if done from their own pages."""
    if action not in BULK_ACTIONS:
        raise ActionError("Choose what to do with the ticked documents.")
    if action == "reject" and not (reason or "").strip():
        raise ActionError("Give the reason for rejecting these documents.")
    out: list[BulkOutcome] = []
    for pid in list(dict.fromkeys(ids))[:BULK_MAX]:
        name = pid
        try:
            with store.transaction() as s:
                doc = get_document(s, pid)
                if doc is None:
                    out.append(BulkOutcome(pid, pid, False, "no such document (disposed of?)"))
                    continue
                name = doc.filename or ("e-mail body" if doc.kind == "body" else pid)
                if not has_open_items(s, doc.id):
                    out.append(BulkOutcome(pid, name, False, "no longer in the queue (someone dealt with it)"))
                    continue
                holder = held_by_other(doc, actor.username)
                if holder:
                    out.append(BulkOutcome(pid, name, False, f"{holder} is working on it"))
                    continue
                if action == "approve":
                    approve(s, doc, actor)
                elif action == "reject":
                    reject(s, doc, reason, actor)
                else:
                    mark_not_a_report(s, doc, actor)
            out.append(BulkOutcome(pid, name, True))
        except ActionError as exc:
            out.append(BulkOutcome(pid, name, False, str(exc)))
        except Exception as exc:  # one document's fault must not stop the rest, nor lose what was done
            log_fault(log, "bulk %s failed on a document", exc, action)
            out.append(BulkOutcome(pid, name, False, "intake failed on this document (the fault is logged); "
                                   "nothing was changed on it: open it to deal with it on its own"))
    with store.transaction() as s:
        repo.audit(s, actor.name, "documents.bulk_action", "document", None, client_addr=actor.client_addr,
                   what=action, done=sum(o.done for o in out), refused=sum(not o.done for o in out))
    return out
