"""How long a run's LibreOffice outlives a kill -9 of intake: a real
`intake replay` of .doc attachments, killed (its process group, or its
analysis worker alone) at a chosen moment: as soon as the worker has
started the UNO bridge (before LibreOffice is up), or once soffice.bin
runs. Prints, per case, the seconds until no process of the run's
LibreOffice (bridge, oosplash, soffice.bin) is left, over several rounds.

    PYTHONPATH=. python bench/soffice_reaping.py [--rounds 5]

Run it with PYTHONPATH at another tree to compare versions."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ops.test_soffice_reaped import INTAKE, _processes  # noqa: E402


def _mbox(folder: Path) -> Path:
    from email.message import EmailMessage

    from intake.parsers.support.options import ParsingOptions
    from intake.parsers.tools import soffice
    from tests.security.planted import form_bytes, write_mbox

    doc = soffice.convert(form_bytes(), ".docx", "doc", ParsingOptions(), "bench")
    soffice.stop_resident()
    msgs = []
    for i in range(20):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "dsl@school.example.org", "intel@example.police.uk", f"Referral {i}"
        m["Message-ID"] = f"<bench-soffice-{i}@school.example.org>"
        m.set_content("Form attached.")
        m.add_attachment(doc + b"\0" * i, maintype="application", subtype="msword", filename=f"f{i}.doc")
        msgs.append(m)
    return write_mbox(folder / "forms.mbox", msgs)


def _wait(pred, limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def one_round(mbox: Path, base: Path, n: int, target: str, moment: str) -> float | None:
    run_dir = base / f"{target}-{moment}-{n}"
    run_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(run_dir), "OMP_THREAD_LIMIT": "1"}
    env.pop("INTAKE_INLINE_ANALYSIS", None)
    proc = subprocess.Popen([INTAKE, "replay", "--db", f"sqlite:///{run_dir / 's.sqlite'}", "--no-progress",
                             str(mbox)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    marker = str(run_dir)
    try:
        want = "soffice_bridge.py" if moment == "bridge-start" else "soffice.bin"
        if not _wait(lambda: any(want in c for c in _processes(marker).values()), 120):
            return None
        found = _processes(marker)
        profile = next(c for c in found.values() if "intake-soffice-" in c).split("intake-soffice-", 1)[1]
        worker = int(profile.split("-", 1)[0])
        killed = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(worker, signal.SIGKILL)
        mark = marker if target == "group" else f"intake-soffice-{worker}-"
        _wait(lambda: not _processes(mark), 60)
        return time.monotonic() - killed
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        _wait(lambda: not _processes(marker), 60)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-soffice-") as tmp:
        base = Path(tmp)
        mbox = _mbox(base)
        for target in ("group", "worker"):
            for moment in ("bridge-start", "office-up"):
                times = [one_round(mbox, base, n, target, moment) for n in range(args.rounds)]
                seen = [t for t in times if t is not None]
                print(f"kill -9 {target:6} at {moment:12}: gone after "
                      f"{' '.join(f'{t:.2f}' for t in seen)} s (max {max(seen):.2f} s; "
                      f"{sum(t > 5 for t in seen)} of {len(seen)} over 5 s)", flush=True)


if __name__ == "__main__":
    main()
