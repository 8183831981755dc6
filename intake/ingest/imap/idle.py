"""IDLE: learn of new mail within seconds instead of at the next poll.

The watcher keeps its own read-only (EXAMINE) connection on the inbox's
first folder, so it never changes the mailbox. It starts IDLE *before*
running a pass: mail that lands during the pass is then reported by IDLE
and triggers another pass, and mail that landed before IDLE began is found
by the pass. IDLE is renewed every ``idle_renew_s``, well inside the 29
minutes of RFC 2177 and the shorter limits of NAT boxes. Any error drops the
connection and retries with backoff; the scheduled polls carry on
meanwhile, so IDLE trouble costs latency, never mail.
"""

from __future__ import annotations

import logging
import threading
import time

from intake.ingest.imap.connection import connect, logout_quietly
from intake.ingest.imap.errors import ImapError, safe_reason
from intake.ingest.imap.inbox_runner import InboxRunner

log = logging.getLogger(__name__)

CHECK_S = 1.0  # how often the watcher looks at the stop flag while idling


class MessageCount:
    """Tracks the folder's EXISTS count so that only a *rise* (new mail)
    starts a pass; our own MOVEs send EXPUNGEs, which must not."""

    def __init__(self, exists: int):
        self.exists = exists

    def arrived(self, responses) -> bool:
        arrived = False
        for r in responses or ():
            if not (isinstance(r, tuple) and len(r) >= 2 and isinstance(r[0], int)):
                continue
            if r[1] == b"EXISTS":
                if r[0] > self.exists:
                    arrived = True
                self.exists = r[0]
            elif r[1] == b"EXPUNGE":
                self.exists = max(0, self.exists - 1)
        return arrived


class IdleUnsupported(Exception):
    pass


class IdleWatcher(threading.Thread):
    def __init__(self, runner: InboxRunner, stop: threading.Event):
        super().__init__(name=f"idle-{runner.cfg.name}", daemon=True)
        self.runner = runner
        self.cfg = runner.cfg
        self.stop = stop
        self.passes = 0  # passes this watcher triggered (tests read it)
        self.renewals = 0  # IDLEs ended by the renew timer
        self.idling = threading.Event()  # set while an IDLE is in progress
        self.established = False  # this connection reached IDLE (then a failure retries quickly)

    def run(self) -> None:
        from intake.ingest.imap.inbox_runner import QUICK_RETRY_S, QUICK_WINDOW_S

        first = min(QUICK_RETRY_S, self.cfg.backoff_initial_s)
        delay, down_since = first, None
        while not self.stop.is_set():
            self.established = False
            try:
                self._watch()
                return
            except IdleUnsupported:
                log.info("inbox %s: server has no IDLE; polling on schedule only", self.cfg.name)
                return
            except Exception as exc:  # noqa: BLE001 - fall back to polling, retry later
                self.idling.clear()
                now = time.monotonic()
                if self.established or down_since is None:
                    down_since, delay = now, first  # a new outage
                elif now - down_since < QUICK_WINDOW_S:
                    # Most outages are a restart: keep trying often for a
                    # while, so mail flows again within seconds of the
                    # server's return (a refused connection costs nothing).
                    delay = first
                else:
                    delay = min(self.cfg.backoff_max_s, max(delay * 2, self.cfg.backoff_initial_s))
                reason = exc.code if isinstance(exc, ImapError) else safe_reason(exc)
                log.log(logging.WARNING if delay != first or now == down_since else logging.DEBUG,
                        "inbox %s: IDLE stopped (%s); polling continues, IDLE retried in %.1fs",
                        self.cfg.name, reason, delay)
                self.stop.wait(delay)

    def _watch(self) -> None:
        client = connect(self.cfg)
        try:
            if b"IDLE" not in set(client.capabilities()):
                raise IdleUnsupported()
            info = client.select_folder(self.cfg.folders[0], readonly=True)
            count = MessageCount(int(info.get(b"EXISTS", 0)))
            need_pass = True
            while not self.stop.is_set():
                client.idle()
                self.idling.set()
                self.established = True
                began = time.monotonic()
                if need_pass:
                    need_pass = False
                    self.passes += 1
                    self.runner.run_pass(wait=True)
                need_pass = self._wait_for_arrival(client, began, count)
                self.idling.clear()
                if not need_pass and not self.stop.is_set():
                    self.renewals += 1
                # Responses that came between the last check and DONE.
                _, leftovers = client.idle_done()
                need_pass = count.arrived(leftovers) or need_pass
        finally:
            self.idling.clear()
            logout_quietly(client)

    def _wait_for_arrival(self, client, began: float, count: MessageCount) -> bool:
        quiet_returns = 0
        while not self.stop.is_set() and time.monotonic() - began < self.cfg.idle_renew_s:
            t0 = time.monotonic()
            responses = client.idle_check(timeout=CHECK_S)
            if count.arrived(responses):
                return True
            if any(len(r) > 0 and r[0] == b"BYE" for r in responses):
                raise ConnectionResetError("server said BYE")
            # imapclient returns [] at once when the socket hit EOF; several
            # instant empty returns in a row mean the server went away.
            if not responses and time.monotonic() - t0 < CHECK_S / 4:
                quiet_returns += 1
                if quiet_returns >= 3:
                    raise ConnectionResetError("IDLE connection closed by the server")
            else:
                quiet_returns = 0
        return False
