"""A private PostgreSQL for tests (never the machine's own cluster): initdb and pg_ctl as the
unprivileged `postgres` user, on a free port on 127.0.0.1, fsync off."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest


def _bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, base: str, port: int, bindir: str):
        self.base = base
        self.port = port
        self.bindir = bindir

    @classmethod
    def start(cls) -> "PostgresServer":
        bindir = _bin_dir()
        if bindir is None:
            pytest.skip("PostgreSQL server binaries not installed (.ci/run installs them)")
        base = tempfile.mkdtemp(prefix="intake-pg-")
        os.chmod(base, 0o755)
        data, sock = os.path.join(base, "data"), os.path.join(base, "sock")
        os.makedirs(sock)
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_pg:
            shutil.chown(base, "postgres", "postgres")
            shutil.chown(sock, "postgres", "postgres")
        subprocess.run(as_pg + [f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-N"],
                       check=True, capture_output=True)
        port = _free_port()
        subprocess.run(
            as_pg + [f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(base, "log"), "-o",
                     f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
            check=True, capture_output=True,
        )
        return cls(base, port, bindir)

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(as_pg + [f"{self.bindir}/pg_ctl", "-D", os.path.join(self.base, "data"),
                                "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


def jobs_left(url: str) -> int:
    """intake's procrastinate jobs not yet finished (todo or doing)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as c:
        return c.execute("SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'intake' "
                         "AND status IN ('todo', 'doing')").fetchone()[0]
