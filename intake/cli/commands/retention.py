"""`intake retention review|hold|release|dispose`: records management
(docs/security.md, "Retention and disposal").

``review`` lists the documents due under [retention] (ids, dates, status;
no content). ``hold``/``release`` set or lift a legal hold. ``dispose`` removes
documents for good (store/retention.py): it is for admins, so it names a
review-app admin with ``--as`` and asks for their password (prompt, or one
line on standard input with ``--password-stdin``); the audit entry names
them, the rule, and what went, never content. A document not yet due needs
``--early REASON``; a held one is refused. ``--vacuum`` then rewrites a
SQLite store so nothing disposed of lingers in free pages.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import timedelta

from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK
from intake.store import retention
from intake.store import users as users_store
from intake.store.db import open_store
from intake.store.documents import get_document
from intake.store.store_keys import compact


def register(sub, common) -> None:
    p = sub.add_parser("retention", parents=[common], help="records management: what is due, legal holds, disposal")
    verbs = p.add_subparsers(dest="verb", metavar="ACTION", required=True)
    a = verbs.add_parser("review", parents=[common], help="list documents due for review under [retention]")
    a.add_argument("--json", action="store_true", help="one JSON object per line")
    a.add_argument("--limit", type=int, default=None, metavar="N")
    a.set_defaults(func=run_review)
    for verb, text in (("hold", "put documents under a legal hold (stops disposal)"),
                       ("release", "lift a legal hold")):
        a = verbs.add_parser(verb, parents=[common], help=text)
        a.add_argument("ids", nargs="+", metavar="ID", help="document ids (d_...)")
        if verb == "hold":
            a.add_argument("--reason", required=True, help="why (kept with the document, encrypted like its content)")
        _admin_args(a)
        a.set_defaults(func=run_hold, on=verb == "hold")
    a = verbs.add_parser("dispose", parents=[common], help="dispose of documents for good (admins)")
    a.add_argument("ids", nargs="+", metavar="ID", help="document ids (d_...)")
    a.add_argument("--early", choices=retention.EARLY_REASONS,
                   help="dispose of documents not yet due, for this reason")
    a.add_argument("--vacuum", action="store_true", help="then VACUUM a SQLite store (docs/security.md)")
    _admin_args(a)
    a.set_defaults(func=run_dispose)


def _admin_args(a) -> None:
    a.add_argument("--as", dest="admin", required=True, metavar="USER", help="the review-app admin doing this")
    a.add_argument("--password-stdin", action="store_true", help="read that admin's password from standard input")


def _say(text: str) -> None:
    print(f"intake retention: {text}", file=sys.stderr)


def run_review(args, settings) -> int:
    years = settings.model.retention.review_after_years
    with open_store(settings, write=False) as store, store.session() as s:
        due = retention.due_documents(s, years, limit=args.limit)
    for d in due:
        if args.json:
            print(json.dumps({"document_id": d.public_id, "received": d.received.isoformat(),
                              "due": d.due.isoformat(), "status": d.status, "template": d.template,
                              "kind": d.kind, "legal_hold": d.legal_hold, "rule": d.rule}))
        else:
            print(f"{d.public_id}  received {d.received.date()}  due {d.due.date()}  {d.status:<12} "
                  f"{d.template or '-':<22} {'HOLD ' if d.legal_hold else ''}({d.rule})")
    if not args.json:
        held = sum(d.legal_hold for d in due)
        print(f"{len(due)} document(s) due for review" + (f", {held} under a legal hold" if held else ""),
              file=sys.stderr)
    return EXIT_OK


def _admin(store, args, settings):
    """The admin named by --as, after their password; None (and a line on
    stderr) when they are not one. The password is read before the store
    is opened for writing: no lock is held while a person types."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.admin}: ")
    review = settings.model.review
    with store.transaction() as s:
        result = users_store.authenticate(s, args.admin, password, max_failures=review.login_max_failures,
                                          lockout=timedelta(minutes=review.login_lockout_minutes))
        if result.user is None or result.user.role != "admin":
            # One answer for every refusal: which of them it was is no business of the caller's.
            _say("refused: --as must name an active review-app admin, with their password")
            return None
        return result.user


def run_hold(args, settings) -> int:
    with open_store(settings) as store:
        if (user := _admin(store, args, settings)) is None:
            return EXIT_FAILED
        with store.transaction() as s:
            for pid in args.ids:
                doc = get_document(s, pid)
                if doc is None:
                    _say(f"no live document {pid}; nothing changed")
                    s.rollback()
                    return EXIT_FAILED
                try:
                    retention.set_hold(s, doc, args.on, f"user:{user.username}", getattr(args, "reason", None),
                                       client_addr="cli")
                except retention.DisposalError as exc:
                    _say(str(exc))
                    s.rollback()
                    return EXIT_FAILED
    print(f"{'held' if args.on else 'released'} {len(args.ids)} document(s)")
    return EXIT_OK


def run_dispose(args, settings) -> int:
    years = settings.model.retention.review_after_years
    with open_store(settings) as store:
        if (user := _admin(store, args, settings)) is None:
            return EXIT_FAILED
        with store.transaction() as s:
            try:
                docs = retention.check_disposable(s, args.ids, years, early=args.early)
            except retention.DisposalError as exc:
                _say(f"{exc}; nothing was disposed of")
                return EXIT_FAILED
            out = retention.dispose(s, docs, actor=f"user:{user.username}", years=years, early=args.early,
                                    client_addr="cli")
        if args.vacuum:
            compact(store.engine)
    print(f"disposed of {len(out.documents)} document(s), {out.messages} message(s), {out.blobs} blob(s), "
          f"{out.mentions} mention(s); {out.entities_removed} entities removed, {out.entities_recounted} recounted"
          + (f"; copies kept in their place: {', '.join(out.promoted)}" if out.promoted else ""))
    if store.dialect == "sqlite" and not args.vacuum:
        print("run with --vacuum (or VACUUM the store) so nothing disposed of lingers in the file's free pages")
    return EXIT_OK
