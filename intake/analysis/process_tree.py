"""A process and everything it started, read from /proc: the analysis
workers' memory limit counts a worker's whole tree (the LibreOffice that
converts a .doc, a Tesseract run), and the tools that walk a replay's
processes (tests, benches) find its workers the same way."""

from __future__ import annotations

import os


def _kib_line_mb(path: str, field: str) -> float | None:
    """The "<field>: <n> kB" line of a /proc file, in MB; None when the
    process is gone or the kernel does not give it."""
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _rss_mb(pid: int) -> float:
    return _kib_line_mb(f"/proc/{pid}/status", "VmRSS:") or 0.0


def children_of(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _pss_mb(pid: int) -> float:
    """Proportional set size: shared pages (libraries, a model mapped by
    several processes) split among the processes mapping them, so a tree's
    PSS adds up to what it really holds. RSS where the kernel lacks it."""
    pss = _kib_line_mb(f"/proc/{pid}/smaps_rollup", "Pss:")
    return pss if pss is not None else _rss_mb(pid)


def process_tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p not in out:
            out.append(p)
            todo += children_of(p)
    return out


def tree_memory_mb(pid: int, limit_mb: float | None = None) -> float:
    """A worker's memory with everything it started (the LibreOffice that
    converts .doc, a Tesseract run): the limit is on the whole tree, or a
    worker could stay small while its converter grows without bound. RSS
    first (cheap: it is read every 0.2 s); only a tree whose RSS is over
    ``limit_mb`` has its PSS read (the kernel walks every mapping for it),
    so shared pages counted twice by RSS do not stop a worker."""
    tree = process_tree(pid)
    rss = sum(_rss_mb(p) for p in tree)
    if limit_mb is None or rss <= limit_mb:
        return rss
    return sum(_pss_mb(p) for p in tree)
