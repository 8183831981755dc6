"""One analysis worker against two on SQLite, and each worker's memory with
everything it started (LibreOffice, Tesseract).

    .venv/bin/python -m bench.worker_scaling [--messages 300 | --mbox PATH] [--workers 1,2] [--json]

For each worker count, `intake replay --workers W` runs as a user runs it,
into a fresh SQLite store, on the bench mailbox (bench/replay_mailbox.py:
the realistic mix, .doc included, so LibreOffice runs). A thread polls the
process tree every 0.25 s and keeps:

- the CPU seconds of the replay process itself (walk, custody, the commits)
  and of its workers with their children;
- the peak PSS of each worker's subtree (the worker and the converters it
  started), and of the whole tree.

Messages per second of each count and the ratio are printed. On a shared
machine the wall-clock ratio also measures the neighbours; the CPU seconds
say what the run itself needed: with C cores free, W workers cannot go
faster than min(W * analysis, C) / (parent + analysis) allows."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from bench import replay_intake, replay_mailbox  # noqa: E402
from intake.analysis.fork_server import is_fork_server  # noqa: E402
from intake.analysis.process_tree import children_of, process_tree  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _cpu_s(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / TICK  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def _worker_groups(root: int) -> list[tuple[int, list[int], bool]]:
    """(owner, its processes, whether it is a worker's tree) under the
    replay: each worker with what it started, the analysis fork server
    alone (its CPU, the preload, is the workers' start-up; its PSS is not a
    worker's), and any other child with its subtree."""
    out = []
    for child in children_of(root):
        if is_fork_server(child):
            out += [(worker, process_tree(worker), True) for worker in children_of(child)]
            out.append((child, [child], False))
        else:
            out.append((child, process_tree(child), True))
    return out


class TreeWatch:
    def __init__(self, root: int, every_s: float = 0.25):
        self.root, self.every_s = root, every_s
        self.cpu: dict[int, float] = {}  # pid -> last CPU seconds seen
        self.owner: dict[int, int] = {}  # pid -> the root's child it runs under (0: the root itself)
        self.peak_worker_pss: dict[int, float] = {}
        self.peak_tree_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.cpu[self.root] = max(self.cpu.get(self.root, 0.0), _cpu_s(self.root))
            self.owner[self.root] = 0
            tree = replay_intake._memory_kb(str(self.root))[1] / 1024 if os.path.exists(f"/proc/{self.root}") else 0
            for child, pids, a_worker in _worker_groups(self.root):
                pss = 0.0
                for p in pids:
                    self.owner[p] = child
                    self.cpu[p] = max(self.cpu.get(p, 0.0), _cpu_s(p))
                    try:
                        pss += replay_intake._memory_kb(str(p))[1] / 1024
                    except (OSError, ValueError, StopIteration):
                        pass
                tree += pss
                if a_worker:
                    self.peak_worker_pss[child] = max(self.peak_worker_pss.get(child, 0.0), pss)
            self.peak_tree_pss = max(self.peak_tree_pss, tree)
            self._stop.wait(self.every_s)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        parent = self.cpu.get(self.root, 0.0)
        workers = sum(c for p, c in self.cpu.items() if self.owner.get(p))
        # A worker's subtree only counts when it analysed something (the
        # resource tracker of multiprocessing is a child too, and tiny).
        peaks = sorted((v for v in self.peak_worker_pss.values() if v > 50), reverse=True)
        return {"parent_cpu_s": parent, "workers_cpu_s": workers, "peak_worker_pss_mb": peaks,
                "peak_tree_pss_mb": self.peak_tree_pss}


def run(mbox: Path, workers: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-scaling-"))
    db = f"sqlite:///{tmp}/intake.sqlite"
    env = dict(os.environ, OMP_THREAD_LIMIT="1", PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "intake.cli", "--db", db]
    subprocess.run(argv + ["migrate"], check=True, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    _log(f"intake replay --workers {workers} ...")
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv + ["replay", "--no-progress", "--workers", str(workers), str(mbox)], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watch = TreeWatch(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    res = watch.stop()
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"intake replay exited {proc.returncode}")
    res.update(workers=workers, seconds=seconds)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--mbox", type=Path, help="replay this mailbox instead (e.g. the text slice "
                                               "bench/replay_text_slice.py caches); --messages is then ignored")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.mbox:
        mbox = args.mbox
        n = replay_mailbox.message_count(mbox)
    else:
        mbox, manifest = replay_mailbox.build(args.messages, 30, _log)
        n = len(manifest["messages"])
    runs = [run(mbox, int(w)) for w in args.workers.split(",")]
    for r in runs:
        r["messages_per_s"] = n / r["seconds"]
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    print(f"bench mailbox {mbox.name} ({n} messages), SQLite, whole processes:")
    for r in runs:
        print(f"  {r['workers']} worker(s): {r['seconds']:6.1f} s, {r['messages_per_s']:.2f} msg/s; CPU: replay "
              f"process {r['parent_cpu_s']:.1f} s, workers and their children {r['workers_cpu_s']:.1f} s; peak PSS "
              f"per worker tree {', '.join(f'{x:.0f}' for x in r['peak_worker_pss_mb'])} MB, whole tree "
              f"{r['peak_tree_pss_mb']:.0f} MB")
    if len(runs) >= 2:
        print(f"  {runs[1]['workers']} vs {runs[0]['workers']} workers: "
              f"{runs[1]['messages_per_s'] / runs[0]['messages_per_s']:.2f}x  [target >= 1.7 for 2 vs 1]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
