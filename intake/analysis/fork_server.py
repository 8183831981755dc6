"""Where analysis workers come from: a fork server (multiprocessing's
"forkserver") that has imported the analysis and loaded the packaged model
once (analysis/preload.py), rather than fresh interpreters spawned for each
worker that each load it. A worker, and every fresh one after a crash,
starts in milliseconds rather than about 2 s of CPU, and the model's pages
are shared. The server is itself a fresh interpreter started for the
purpose, not a fork of the process that holds the store, so it holds none
of that process's database connections, files or threads (the reason
workers were never forked from it; tests/ingest/test_worker_fork_server.py).
"""

from __future__ import annotations

import multiprocessing as mp
import threading

PRELOAD = "intake.analysis.preload"
_CONTEXT = None
_CONTEXT_LOCK = threading.Lock()


def worker_context():
    """The multiprocessing context workers start in: the warm fork server
    where the platform has one, else spawn."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            if "forkserver" in mp.get_all_start_methods():
                ctx = mp.get_context("forkserver")
                ctx.set_forkserver_preload([PRELOAD])
            else:
                ctx = mp.get_context("spawn")
            _CONTEXT = ctx
        return _CONTEXT


def start_fork_server() -> None:
    """Start the fork server now, without waiting for its preload: the
    first worker's start waits for it, so a caller that starts it early
    (a replay, before it reads the archive) has the model loading beside
    its own work."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def is_fork_server(pid: int) -> bool:
    """Whether a process, seen from outside, is a multiprocessing fork
    server (for the tools that walk a replay's process tree to find its
    workers: they are the server's children, not the replay's)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"multiprocessing.forkserver" in fh.read()
    except OSError:
        return False
