"""A private Dovecot for the IMAP tests (a throwaway configuration, certificate and users per test session).

Each instance lives in its own temp dir: config, TLS certificate made here
with the openssl CLI, passwd-file users, Maildir storage, logs. It listens on
127.0.0.1 on free ports (implicit TLS and plain/STARTTLS), runs as `nobody`
when the tests run as root (Dovecot refuses root logins), and is stopped by
PID. Nothing here touches the system Dovecot.
"""

from __future__ import annotations

import copy
import grp
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory: Path, name: str = "server",
              san: str = "DNS:localhost,IP:127.0.0.1") -> tuple[Path, Path]:
    """A self-signed certificate, by default valid for localhost and 127.0.0.1."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    cn = san.split(",")[0].split(":", 1)[1]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={cn}", "-addext", f"subjectAltName={san}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{root}/tls/server.pem
ssl_key = <{root}/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {user}
default_login_user = {user}
default_internal_group = {group}
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


class Dovecot:
    """One private server. ``start()`` / ``stop()`` / ``restart()``."""

    def __init__(self, users: dict[str, str] | None = None, spare_users: int = 0,
                 oauth2_introspection_url: str | None = None):
        self.users = users or {"mase-intel": "s3cret-Passw0rd!"}
        self._spare = [f"mase-intel{i}" for i in range(1, spare_users + 1)]
        self.all_users = {**self.users, **{n: f"s3cret-{n}-Pw!" for n in self._spare}}
        self.root = Path(tempfile.mkdtemp(prefix="intake-dovecot-"))
        os.chmod(self.root, 0o755)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            self.user, self.group = "nobody", "nogroup"
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
            self.group = grp.getgrgid(os.getegid()).gr_name
        self.uid = pwd.getpwnam(self.user).pw_uid
        self.gid = grp.getgrnam(self.group).gr_gid
        self.tls_port = free_port()
        self.plain_port = free_port()
        for sub in ("run", "state", "log", "tls", "home"):
            (self.root / sub).mkdir()
        self.cert, self.key = make_cert(self.root / "tls")
        self.conf = self.root / "dovecot.conf"
        conf = CONF.format(
            root=self.root, user=self.user, group=self.group,
            plain_port=self.plain_port, tls_port=self.tls_port,
        )
        if oauth2_introspection_url:
            # XOAUTH2 as Microsoft 365 / Gmail do it: the token is checked
            # against an introspection endpoint (the test runs one).
            (self.root / "oauth2.conf.ext").write_text(
                f"introspection_mode = post\nintrospection_url = {oauth2_introspection_url}\n"
                "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            )
            conf = conf.replace("auth_mechanisms = plain login\n", "auth_mechanisms = plain login xoauth2 oauthbearer\n")
            conf += (f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                     f"  args = {self.root}/oauth2.conf.ext\n}}\n")
        self.conf.write_text(conf)
        lines = []
        for name, password in self.all_users.items():
            home = self.root / "home" / name
            home.mkdir()
            lines.append(f"{name}:{{PLAIN}}{password}:{self.uid}:{self.gid}::{home}::")
        (self.root / "passwd").write_text("\n".join(lines) + "\n")
        if self.as_root:
            for p in [self.root, *self.root.rglob("*")]:
                os.chown(p, self.uid, self.gid)
        self.proc: subprocess.Popen | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        kwargs = {"user": self.user, "group": self.group} if self.as_root else {}
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=0.5):
                    with socket.create_connection(("127.0.0.1", self.plain_port), timeout=0.5):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening")

    def stop(self) -> None:
        """Stop like `systemctl stop` would: the master and every process it
        started. Dovecot's children otherwise outlive the master for a while
        and keep serving open connections, which would hide a restart."""
        if self.proc and self.proc.poll() is None:
            children = _children(self.proc.pid)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            for pid in children:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
                time.sleep(0.02)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return (self.root / "log" / "dovecot.log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def take_user(self) -> "Dovecot":
        """A view of this server whose default user is one not used before:
        tests share one server yet each starts from an empty mailbox. Users
        are created up front (``spare_users``) because Dovecot would only
        see a passwd-file change after a failed, delayed login."""
        name = self._spare.pop(0)
        view = copy.copy(self)
        view.users = {name: self.all_users[name]}
        return view

    # -- helpers for tests --------------------------------------------------

    @property
    def username(self) -> str:
        return next(iter(self.users))

    @property
    def password(self) -> str:
        return self.users[self.username]

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def client(self, user: str | None = None) -> IMAPClient:
        user = user or self.username
        c = IMAPClient("localhost", port=self.tls_port, ssl=True,
                       ssl_context=self.ssl_context(), timeout=30)
        c.login(user, self.users[user])
        return c

    def maildir(self, user: str | None = None) -> Path:
        return self.root / "home" / (user or self.username) / "Maildir"

    def append(self, messages: list[bytes], folder: str = "INBOX") -> list[int]:
        uids = []
        with self.client() as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            for data in messages:
                resp = c.append(folder, data)
                # "[APPENDUID <validity> <uid>] Append completed."
                uids.append(int(resp.split(b"]")[0].split()[-1]))
        return uids

    def uids(self, folder: str = "INBOX") -> list[int]:
        with self.client() as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            return sorted(c.search("ALL"))

    def fetch_all(self, folder: str = "INBOX") -> dict[int, tuple[bytes, tuple]]:
        with self.client() as c:
            if not c.folder_exists(folder):
                return {}
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            if not uids:
                return {}
            data = c.fetch(uids, [b"BODY.PEEK[]", b"FLAGS"])
            return {u: (d[b"BODY[]"], tuple(sorted(d[b"FLAGS"]))) for u, d in data.items()}

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as c:
            return int(c.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
