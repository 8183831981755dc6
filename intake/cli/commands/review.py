"""The review queue from the command line, and the web app.

    intake serve [--host 127.0.0.1] [--port 8080]
    intake queue [--reason CODE] [--template T] [--limit N] [--json]
    intake show DOCUMENT_ID [--json]
    intake reprocess [--status S] [--code C] [--template T] [--since DATE] [--pending] [DOCUMENT_ID...]

`queue` and `show` print report content to the officer's terminal (that is
their purpose) and are audited like the app's pages; log lines carry only
ids and counts.
"""

from __future__ import annotations

import errno
import getpass
import json
import logging
import socket
import sys
from datetime import datetime, timezone

from intake.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from intake.exception_codes import CATALOGUE
from intake.store import queue, review_actions
from intake.store.db import open_store
from intake.store.document_view import document_view
from intake.store.documents import get_document

log = logging.getLogger(__name__)


def register(sub, common) -> None:
    p = sub.add_parser("serve", parents=[common], help="run the officers' review web app")
    p.add_argument("--host", help="address to listen on (default [review] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default [review] port, 8080)")
    p.set_defaults(func=run_serve, uses=("store", "review"))

    p = sub.add_parser("queue", parents=[common], help="list the review queue's open items, oldest first")
    p.add_argument("--reason", metavar="CODE", help="only this exception code (see docs/exception-codes.md)")
    p.add_argument("--template", metavar="T")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N documents (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON object per document")
    p.set_defaults(func=run_queue)

    p = sub.add_parser("show", parents=[common], help="print one document's record, provenance and mentions")
    p.add_argument("document_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_show)

    p = sub.add_parser("reprocess", parents=[common],
                       help="analyse stored documents again from their stored bytes (never re-fetched)")
    p.add_argument("document_ids", nargs="*", metavar="DOCUMENT_ID")
    p.add_argument("--status", choices=["parsed", "exception", "duplicate", "not_a_report"])
    p.add_argument("--code", metavar="C", help="documents with an open item of this code")
    p.add_argument("--template", metavar="T")
    p.add_argument("--since", metavar="DATE", help="received on or after this day (YYYY-MM-DD)")
    p.add_argument("--pending", action="store_true", help="the documents the review app asked to reprocess")
    p.add_argument("--inbound-failed", action="store_true",
                   help="messages whose processing failed (a fault in intake): process them again")
    p.add_argument("--inline", action="store_true", help="analyse in this process (no worker isolation)")
    p.set_defaults(func=run_reprocess)


def _cli_actor() -> review_actions.Actor:
    return review_actions.Actor("cli:" + getpass.getuser())


def run_serve(args, settings) -> int:
    import uvicorn

    from intake.config.settings import ConfigError
    from intake.review.app import create_app
    from intake.review.config import review_config

    try:
        cfg = review_config(settings, args.host, args.port)
    except ConfigError as exc:
        print(f"intake serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # The port first: one in use is a usage error (exit 2) found before the
    # store is opened or the app's background reprocessing starts.
    try:
        sock = _listen(cfg.host, cfg.port)
    except OSError as exc:
        why = "is in use (another intake serve?)" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        print(f"intake: config_invalid: {cfg.host}:{cfg.port} {why}; choose another with --port or "
              "[review] port", file=sys.stderr)
        return EXIT_USAGE
    with sock, open_store(settings) as store:
        app = create_app(settings, store, cfg)
        scheme = "https" if cfg.tls else "http"
        print(f"intake review app on {scheme}://{cfg.host}:{cfg.port}/ (Ctrl-C to stop)", file=sys.stderr)
        # No access log: a URL can carry what an officer searched for.
        config = uvicorn.Config(app, host=cfg.host, port=cfg.port, log_config=None, access_log=False,
                                server_header=False, ssl_certfile=cfg.tls_cert or None,
                                ssl_keyfile=cfg.tls_key or None, proxy_headers=cfg.behind_proxy,
                                forwarded_allow_ips="127.0.0.1" if cfg.behind_proxy else None)
        uvicorn.Server(config).run(sockets=[sock])
    return EXIT_OK


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket uvicorn would make (SO_REUSEADDR, so a restart
    does not wait out TIME_WAIT), made here so a busy port is known first."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _validate_code(code: str | None) -> bool:
    if code and code not in CATALOGUE:
        print(f"intake: unknown exception code {code!r}; see docs/exception-codes.md", file=sys.stderr)
        return False
    return True


def run_queue(args, settings) -> int:
    if not _validate_code(args.reason):
        return EXIT_USAGE
    # Reading the queue writes one thing, its audit entry, so the store is
    # opened for writing: content is not shown where the view cannot be audited.
    with open_store(settings) as store, store.transaction() as s:
        f = queue.QueueFilter(reason=args.reason, template=args.template)
        page = queue.list_queue(s, f, 1, max(1, args.limit))
        counts = queue.reason_counts(s, f)
        review_actions.audit_view(s, _cli_actor(), "queue.viewed", "queue", None, rows=len(page.rows),
                      filters=sorted(f.as_params()))
        if args.json:
            for r in page.rows:
                print(json.dumps({
                    "document_id": r.document_id, "received": r.received_at.isoformat(),
                    "filename": r.filename, "kind": r.kind, "status": r.status, "template": r.template,
                    "agency": r.agency, "source": r.source, "claimed_by": r.claimed_by if r.claim_live() else None,
                    "items": [{"code": i.code, "detail": i.detail} for i in r.items],
                }, ensure_ascii=False))
            return EXIT_OK
        print("open: " + (", ".join(f"{code} {n}" for code, _, n in counts) or "nothing"))
        for r in page.rows:
            codes = ", ".join(i.code for i in r.items)
            who = f"  [{r.claimed_by}]" if r.claim_live() else ""
            print(f"{r.received_at:%Y-%m-%d %H:%M}  {r.document_id}  {codes}  "
                  f"{r.filename or r.kind}  {r.template or '-'}  {r.agency or '-'}{who}")
        if page.total > len(page.rows):
            print(f"{len(page.rows)} of {page.total} shown; use --limit N for more", file=sys.stderr)
    return EXIT_OK


def run_show(args, settings) -> int:
    with open_store(settings) as store, store.transaction() as s:
        doc = get_document(s, args.document_id)
        if doc is None:
            print(f"intake show: no document {args.document_id!r}; list them with `intake queue` "
                  "or `intake export`", file=sys.stderr)
            return EXIT_FAILED
        v = document_view(s, doc)
        review_actions.audit_view(s, _cli_actor(), "document.viewed", "document", doc.public_id)
        if args.json:
            print(json.dumps(_show_json(v), ensure_ascii=False, indent=2, default=str))
        else:
            _print_view(v)
    return EXIT_OK


def _show_json(v) -> dict:
    return {
        "document_id": v.doc.public_id, "status": v.doc.status, "template": v.doc.template,
        "filename": v.doc.filename, "media_type": v.doc.media_type,
        "message": {"from": v.message.from_addr, "subject": v.message.subject, "date": v.message.date,
                    "origin": v.message.origin},
        "fields": [{"key": f.key, "value": f.value, "where": f.provenance, "original": f.original,
                    "corrected_by": f.corrected_by} for f in v.fields],
        "mentions": [{"type": m.type, "text": m.text, "value": m.value, "field": m.field, "start": m.start,
                      "end": m.end, "recogniser": m.recogniser, "pattern": m.pattern, "context": m.context,
                      "entity_id": m.entity_id} for m in v.mentions],
        "items": [{"code": i.code, "status": i.status, "detail": i.detail} for i in v.items],
    }


def _print_view(v) -> None:
    d, m = v.doc, v.message
    print(f"{d.public_id}  {d.filename or d.kind}  ({d.media_type})")
    print(f"status {d.status}; template {d.template or '-'}"
          + (f"; {d.review_state} by {d.reviewed_by}" if d.review_state else ""))
    print(f"from {m.from_addr or '-'}; subject {m.subject or '-'}; date {m.date or '-'}")
    print(f"read from {m.origin}")
    for i in v.open_items:
        print(f"OPEN {i.code}: {i.detail}")
    print("\nfields:")
    for f in v.fields:
        value = f.display if f.value is not None else "(empty)"
        print(f"  {f.key}: {value}")
        extra = f.where
        if f.corrected:
            extra = f"corrected by {f.corrected_by}; parser read: {f.original!r}; {extra}"
        if extra:
            print(f"      [{extra}]")
    if v.mentions:
        print("\nmentions (type  value  field[start:end]  recogniser  entity):")
        for mv in v.mentions:
            print(f"  {mv.type:<14} {mv.value}  {mv.field}[{mv.start}:{mv.end}]  {mv.recogniser}"
                  f"{' (' + mv.pattern + ')' if mv.pattern else ''}  {mv.entity_id or '-'}")


def run_reprocess(args, settings) -> int:
    from intake.analysis.reprocess import reprocess
    from intake.analysis.workers import make_analyser

    if not _validate_code(args.code):
        return EXIT_USAGE
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since).replace(tzinfo=timezone.utc)
        except ValueError:
            print("intake reprocess: --since takes a date, YYYY-MM-DD", file=sys.stderr)
            return EXIT_USAGE
    if args.inbound_failed:
        from intake.ingest.processing.local_processor import worker_count
        from intake.ingest.processing.processor_choice import make_processor
        from intake.store import inbound

        with open_store(settings) as store:
            with store.transaction() as s:
                n = inbound.retry_failed(s)
            done = make_processor(store, settings, workers=worker_count(settings), actor="cli:reprocess").run()
        print(f"messages retried: {n}; processed now: {done.messages} ({done.new} new, {done.known} known), "
              f"failed again: {done.failed}")
        return EXIT_FAILED if done.failed else EXIT_OK
    if not (args.document_ids or args.status or args.code or args.template or since or args.pending):
        print("intake reprocess: say which documents: ids, --status, --code, --template, --since or --pending",
              file=sys.stderr)
        return EXIT_USAGE
    with open_store(settings) as store:
        with store.session() as s:
            if args.pending:
                ids = [d.public_id for d in review_actions.pending_reprocess(s, limit=1_000_000)]
            else:
                ids = [d.public_id for d in review_actions.reprocess_selection(
                    s, status=args.status, code=args.code, template=args.template, since=since,
                    ids=args.document_ids)]
        missing = sorted(set(args.document_ids) - set(ids)) if args.document_ids else []
        for pid in missing:
            print(f"intake reprocess: no document {pid!r} (or it is a byte copy of another)", file=sys.stderr)
        analyser = make_analyser(settings, inline=args.inline)
        try:
            summary = reprocess(store, analyser, ids, _cli_actor(), settings=settings)
        finally:
            analyser.close()
        by = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_status.items())) or "none"
        print(f"reprocessed {summary.done} document(s): {by}; status changed on {summary.status_changed}, "
              f"fields changed on {summary.fields_changed}")
    return EXIT_FAILED if missing else EXIT_OK
