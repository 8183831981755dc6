"""How soon a message APPENDed to a watched folder is in the store's custody
(received), while the daemon works through a backlog (within 2 s
even during a 2,000-message backlog).

    .venv/bin/python bench/bench_daemon_latency.py [--backlog 2000] [--probes 10] [--workers 2]

Starts a private Dovecot (tests/imap/dovecot.py) and `intake daemon` on a
fresh SQLite store, fills the inbox with the backlog, waits until the daemon
has taken it into custody, then APPENDs one probe message every few seconds
while the backlog is being processed, and prints the time from each APPEND
to its inbound row, with how much backlog was still waiting at that moment.
The baseline is the same probe with no backlog, in the same run.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from intake.store.db import Store  # noqa: E402
from intake.store.models import Inbound  # noqa: E402
from tests.imap.dovecot import Dovecot  # noqa: E402
from tests.imap.helpers import PASSWORD_ENV, inbox_table, make_message, write_config  # noqa: E402


def _count(store: Store, **where) -> int:
    with store.session() as s:
        q = select(func.count(Inbound.id))
        for k, v in where.items():
            q = q.where(getattr(Inbound, k) == v)
        return s.scalar(q) or 0


NARRATIVE = (
    "Concern raised by the school. {name} (14) was seen on Tuesday getting into a grey Audi near Fenwick Park "
    "with two older males who call themselves the Riverside crew. Staff were told she has a new phone from them "
    "and goes to a flat above the Station Road takeaway after school. Reference {i}.\n"
) * 4


def _backlog_message(i: int) -> bytes:
    """A free-text report in the body: every one goes through the language
    model, so the backlog keeps the workers busy for minutes."""
    raw = make_message(i, attachment=None)
    return raw.replace(b"Please find the attached intelligence report.",
                       NARRATIVE.format(name=("Ellie Hartwell", "Jade Morrow", "Tia Blackwood")[i % 3], i=i).encode())


def _probe(d: Dovecot, store: Store, n: int, timeout: float = 30) -> float:
    raw = make_message(900_000 + n, tag=f"-probe{n}")
    before = _count(store)
    t0 = time.monotonic()
    d.append([raw])
    while time.monotonic() - t0 < timeout:
        if _count(store) > before:
            return time.monotonic() - t0
        time.sleep(0.02)
    return float("inf")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backlog", type=int, default=2000)
    ap.add_argument("--probes", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--log", type=Path, help="keep the daemon's log here (pass timings)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="intake-latency-"))
    d = Dovecot()
    d.start()
    daemon = None
    try:
        db = tmp / "store.sqlite"
        conf = write_config(tmp / "intake.toml", inbox_table(d, schedule="every 60s", batch_size=100), db)
        store = Store(f"sqlite:///{db}")
        env = {**os.environ, PASSWORD_ENV: d.password, "OMP_THREAD_LIMIT": "1"}
        env.pop("INTAKE_INLINE_ANALYSIS", None)
        daemon = subprocess.Popen([str(Path(sys.executable).with_name("intake")), "daemon", "--config", str(conf),
                                   "--workers", str(args.workers), "-v"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=args.log.open("wb") if args.log else subprocess.DEVNULL,
                                  start_new_session=True)
        time.sleep(8)  # IDLE up, workers warming
        idle = [_probe(d, store, i) for i in range(3)]
        backlog = [_backlog_message(i) for i in range(args.backlog)]
        t0 = time.monotonic()  # from the first APPEND: the daemon takes custody while they arrive
        for start in range(0, args.backlog, 200):
            d.append(backlog[start:start + 200])
        while _count(store) < args.backlog + 3 and time.monotonic() - t0 < 300:
            time.sleep(0.2)
        custody_s = time.monotonic() - t0
        busy = []
        for i in range(args.probes):
            waiting = _count(store, state="received") + _count(store, state="processing")
            busy.append((_probe(d, store, 100 + i), waiting))
            time.sleep(2)
        print(f"backlog {args.backlog} messages APPENDed and taken into custody in {custody_s:.1f} s "
              f"({args.backlog / custody_s:.0f} msg/s)")
        print(f"no backlog:   APPEND -> received median {statistics.median(idle):.2f} s, max {max(idle):.2f} s")
        lat = [x for x, _ in busy]
        print(f"with backlog: APPEND -> received median {statistics.median(lat):.2f} s, max {max(lat):.2f} s "
              f"(ratio {statistics.median(lat) / statistics.median(idle):.2f}x)")
        print("  per probe (seconds, messages still waiting): "
              + ", ".join(f"{x:.2f}/{w}" for x, w in busy))
        store.close()
    finally:
        if daemon is not None:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
        d.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
