"""The urgent lane: APPEND an urgent report behind a backlog and
time it to stored, flagged (triaged urgent) and notified.

    .venv/bin/python bench/urgent_lane.py [--backlog 2000] [--workers 2]

Starts a private Dovecot (tests/imap/dovecot.py), a webhook receiver on
127.0.0.1 and `intake daemon` on a fresh SQLite store with [notify]
webhook_url pointing at the receiver. Fills the inbox with the backlog (free
text reports, each through the language model), waits until the daemon has
taken it into custody and started on it, then APPENDs one urgent report and
prints the seconds from the APPEND to: its custody row (and its lane), its
document stored, its triage row at "urgent", and the webhook's arrival;
with how much of the backlog was still waiting then, and how long the
backlog takes to clear (what the report would have waited in turn).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.policy import SMTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from intake.store.db import Store  # noqa: E402
from intake.store.models import DocumentRow, Inbound, Message, Triage  # noqa: E402
from tests.imap.dovecot import Dovecot  # noqa: E402
from tests.imap.helpers import PASSWORD_ENV, inbox_table, make_message, write_config  # noqa: E402

BACKLOG_TEXT = (
    "Concern raised by the school. {name} (15) has been seen on several evenings near Fenwick Park with "
    "friends from her year. Staff say she is tired in class. No adults were seen with the group. Reference {i}.\n"
) * 3
URGENT_TEXT = ("Keira Hollins (14) is missing now from her placement. Her friend says she is at flat 3, "
               "41 Boothen Road right now with two men who gave her vodka. Please act today.\n")


def _backlog_message(i: int) -> bytes:
    raw = make_message(i, attachment=None)
    return raw.replace(b"Please find the attached intelligence report.",
                       BACKLOG_TEXT.format(name=("Ellie Hartwell", "Jade Morrow", "Tia Blackwood")[i % 3],
                                           i=i).encode())


def _urgent_message() -> tuple[bytes, str]:
    m = EmailMessage()
    m["From"] = "Duty Social Worker <duty.sw@stoke.example.gov.uk>"
    m["To"] = "mase-intel@example.com"
    m["Subject"] = "Child missing now"
    m["Message-ID"] = "<urgent-lane-probe@stoke.example.gov.uk>"
    m.set_content(URGENT_TEXT)
    return m.as_bytes(policy=SMTP), "<urgent-lane-probe@stoke.example.gov.uk>"


class Hook:
    def __init__(self):
        self.arrivals: list[tuple[float, dict]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.arrivals.append((time.monotonic(), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def _count(store: Store, *where) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(Inbound.id)).where(*where)) or 0


def _probe_state(store: Store, message_id: str) -> tuple[int | None, bool, str | None]:
    """(lane of its custody row, stored?, triage level) of the probe."""
    with store.session() as s:
        row = s.execute(select(Message.id).where(Message.message_id == message_id)).first()
        level = None
        if row is not None:
            level = s.scalar(select(Triage.level).join(DocumentRow, DocumentRow.id == Triage.document_pk)
                             .where(DocumentRow.message_pk == row[0]))
        lane = s.scalar(select(Inbound.lane).order_by(Inbound.id.desc()).limit(1))
        return lane, row is not None, level


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backlog", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--started", type=int, default=20, help="backlog messages stored before the APPEND")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--log", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="intake-urgent-"))
    hook = Hook()
    d = Dovecot()
    d.start()
    daemon = None
    try:
        db = tmp / "store.sqlite"
        conf = write_config(tmp / "intake.toml", inbox_table(d, schedule="every 60s", batch_size=100), db)
        with conf.open("a") as fh:
            fh.write(f'\n[notify]\nbase_url = "https://intake.example.police.uk"\nwebhook_url = "{hook.url}"\n')
        store = Store(f"sqlite:///{db}")
        env = {**os.environ, PASSWORD_ENV: d.password, "OMP_THREAD_LIMIT": "1"}
        env.pop("INTAKE_INLINE_ANALYSIS", None)
        daemon = subprocess.Popen([str(Path(sys.executable).with_name("intake")), "daemon", "--config", str(conf),
                                   "--workers", str(args.workers), "-v"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=args.log.open("wb") if args.log else subprocess.DEVNULL,
                                  start_new_session=True)
        time.sleep(8)
        backlog = [_backlog_message(i) for i in range(args.backlog)]
        t_fill = time.monotonic()
        for start in range(0, args.backlog, 200):
            d.append(backlog[start:start + 200])
        while _count(store) < args.backlog and time.monotonic() - t_fill < 600:
            time.sleep(0.2)
        t_first_done = None
        while (done := _count(store, Inbound.state == "done")) < args.started and time.monotonic() - t_fill < 900:
            if done and t_first_done is None:
                t_first_done = time.monotonic()
            time.sleep(0.2)
        waiting_at_append = _count(store, Inbound.state.in_(("received", "processing")))
        done_at_append = _count(store, Inbound.state == "done")
        raw, message_id = _urgent_message()
        t0 = time.monotonic()
        d.append([raw])
        t_received = t_stored = t_flagged = t_notified = None
        lane = None
        waiting_at_stored = None
        while time.monotonic() - t0 < args.timeout and t_notified is None:
            now = time.monotonic()
            if t_received is None and _count(store) > args.backlog:
                t_received = now
            if t_received is not None and (t_stored is None or t_flagged is None):
                lane, stored, level = _probe_state(store, message_id)
                if stored and t_stored is None:
                    t_stored = now
                    waiting_at_stored = _count(store, Inbound.state.in_(("received", "processing")))
                if level == "urgent" and t_flagged is None:
                    t_flagged = now
            if hook.arrivals:
                t_notified = hook.arrivals[0][0]
            time.sleep(0.02)
        done_after = _count(store, Inbound.state == "done")
        rate_window = time.monotonic() - (t_first_done or t_fill)

        def s(t):
            return f"{t - t0:.2f} s" if t is not None else "not within the timeout"

        print(f"backlog: {args.backlog} messages APPENDed; {done_at_append} stored and {waiting_at_append} still "
              f"waiting when the urgent report was APPENDed ({args.workers} analysis workers)")
        print(f"urgent report APPEND -> custody row     {s(t_received)} (lane {lane})")
        print(f"urgent report APPEND -> stored          {s(t_stored)} "
              f"({waiting_at_stored} backlog messages still waiting then)")
        print(f"urgent report APPEND -> flagged urgent  {s(t_flagged)}")
        print(f"urgent report APPEND -> notified        {s(t_notified)} (webhook; "
              f"{len(hook.arrivals)} notification(s) received)")
        if hook.arrivals:
            sent = hook.arrivals[0][1]
            print(f"  webhook payload keys: {sorted(sent)}; level {sent['level']}; "
                  f"content-free: {'Keira' not in json.dumps(sent) and 'Boothen' not in json.dumps(sent)}")
        rate = done_after / rate_window if rate_window else 0  # the backlog's own pace, this run
        if rate:
            print(f"in turn it would have waited for ~{waiting_at_append} messages: about "
                  f"{waiting_at_append / rate:.0f} s at this run's {rate:.1f} msg/s")
        store.close()
    finally:
        if daemon is not None:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
        d.cleanup()
        hook.httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
