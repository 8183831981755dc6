"""Does the sign-in page's timing tell whether a user name exists? Wrong
passwords for an account against the same for names that are no account,
on the review app served by a real uvicorn on 127.0.0.1, attempt by
attempt, interleaved so both see the same machine load.

    .venv/bin/python bench/login_timing.py [--names 2] [--attempts 6] [--db-url URL]

For each attempt number (1 = a name's first failure) it prints the mean and
median of the answer time seen by the client, and of the server's own work
for it (the sign-in minus the delay it then waits), for known and unknown
names; then the same over all attempts. The delay grows with a name's
failures (0.5 s doubling to 5 s) and a name locks after [review]
login_max_failures (5), so the attempts of one name take about 17 s at
the default 6. A figure, not a test: on a loaded machine the spread is
wide, and what matters is that the two columns move together.

Without --db-url the store is a fresh SQLite file in a temporary folder
(one account per --names); with it, a fresh PostgreSQL or SQLite store
the caller made (intake migrate), which gets the accounts added.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PASSWORD = "correct horse battery staple"


def serve(app):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--names", type=int, default=2, help="known and as many unknown names (default 2)")
    ap.add_argument("--attempts", type=int, default=6, help="wrong passwords per name (default 6)")
    ap.add_argument("--db-url", help="a store to use instead of a temporary SQLite file")
    args = ap.parse_args()

    import httpx

    from intake.config.settings import load_settings
    from intake.review.app import create_app
    from intake.review.config import review_config
    from intake.review.views import auth
    from intake.store import users as users_store
    from intake.store.db import open_store

    tmp = tempfile.TemporaryDirectory(prefix="login-timing-")
    url = args.db_url or f"sqlite:///{Path(tmp.name) / 'store.sqlite'}"
    settings = load_settings(db_url=url)
    store = open_store(settings)
    run = uuid.uuid4().hex[:6]
    known = [f"bench{run}{i}" for i in range(args.names)]
    unknown = [f"bench{run}{i}x" for i in range(args.names)]
    with store.transaction() as s:
        for name in known:
            users_store.add_user(s, name, "officer", PASSWORD)

    # The server's own work per attempt: the sign-in itself, before the delay.
    work: dict[str, float] = {}
    real = auth._authenticate

    def timed(app, username, *rest):
        t = time.perf_counter()
        try:
            return real(app, username, *rest)
        finally:
            work[username] = time.perf_counter() - t

    auth._authenticate = timed
    app = create_app(settings, store, review_config(settings), background=False)
    server, thread, base = serve(app)
    answer = {"known": [[] for _ in range(args.attempts)], "unknown": [[] for _ in range(args.attempts)]}
    server_work = {"known": [[] for _ in range(args.attempts)], "unknown": [[] for _ in range(args.attempts)]}
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            def attempt(kind: str, name: str, i: int) -> None:
                page = client.get("/login")
                token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
                t = time.perf_counter()
                r = client.post("/login", data={"csrf": token, "username": name, "password": f"wrong {i}"})
                answer[kind][i].append(time.perf_counter() - t)
                server_work[kind][i].append(work.pop(name))
                assert r.status_code == 401, r.status_code

            for k_name, u_name in zip(known, unknown):
                for i in range(args.attempts):
                    # Alternate which goes first, so neither always follows the other.
                    pair = [("known", k_name), ("unknown", u_name)]
                    for kind, name in (pair if i % 2 == 0 else pair[::-1]):
                        attempt(kind, name, i)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.state.review.work.close()
        store.close()
        tmp.cleanup()

    def fig(xs: list[float]) -> str:
        return f"{statistics.mean(xs):6.3f} {statistics.median(xs):6.3f}"

    print(f"sign-in timing, {args.names} known and {args.names} unknown name(s), {args.attempts} wrong passwords "
          f"each, {store.dialect}; seconds, mean and median")
    print(f"{'attempt':>7}  {'answer: known':>14}  {'unknown':>14}  {'work: known':>14}  {'unknown':>14}")
    for i in range(args.attempts):
        print(f"{i + 1:>7}  {fig(answer['known'][i]):>14}  {fig(answer['unknown'][i]):>14}  "
              f"{fig(server_work['known'][i]):>14}  {fig(server_work['unknown'][i]):>14}")
    flat = {k: [x for xs in v for x in xs] for k, v in answer.items()}
    flat_work = {k: [x for xs in v for x in xs] for k, v in server_work.items()}
    print(f"{'all':>7}  {fig(flat['known']):>14}  {fig(flat['unknown']):>14}  "
          f"{fig(flat_work['known']):>14}  {fig(flat_work['unknown']):>14}")
    d_answer = statistics.median(flat["unknown"]) - statistics.median(flat["known"])
    d_work = statistics.median(flat_work["unknown"]) - statistics.median(flat_work["known"])
    print(f"median difference, unknown - known: answer {d_answer:+.3f} s, work {d_work:+.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
