"""Engines, sessions and the store's schema state.

Long on purpose: opening a store is one decision (its state, the lock that
makes creating and migrating safe between processes, and the one-line fault
for each way it fails) and reads best in one place.

A command opens the store with ``open_store(settings)`` (write) or
``open_store(settings, write=False)`` (read) and uses it as a context
manager. Opening never upgrades silently:

- a brand-new empty store is created at the head schema by a write open
  (the folder of a SQLite file must exist: a mistyped path is an error,
  never a new empty store); a read open of a missing store is an error;
- a store at an older schema is refused with "run `intake migrate`";
  ``Store(url)`` with ``upgrade=True`` (``intake migrate``, tests) upgrades;
- a store from a newer intake, or a database that is not an intake store,
  is refused.

Creating and migrating take a lock (a file lock beside a SQLite file, an
advisory lock on PostgreSQL), so two processes starting at once on a new
store do not both create it. Every failure is a ``StoreError``: one line,
the fault and the fix, and the exit code the CLI returns. URLs in messages
never show a password.
"""

from __future__ import annotations

import ast
import errno
import fcntl
import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from intake.exception_codes import (
    STORE_FULL,
    STORE_MISSING,
    STORE_NEEDS_MIGRATION,
    STORE_NOT_INTAKE,
    STORE_READ_ONLY,
    STORE_TOO_NEW,
    STORE_UNAVAILABLE,
)
from intake.store.write_priority import WritePriority
from intake.types import IntakeError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Tables only intake has; a database with them but an unknown schema
# revision was written by a newer intake, not by someone else.
INTAKE_TABLES = {"messages", "documents", "blobs", "audit_log"}
SCHEMA_LOCK_KEY = int.from_bytes(hashlib.sha256(b"intake-schema").digest()[:8], "big", signed=True)


class StoreError(IntakeError):
    """The store cannot be used or written; ``detail`` says why and what to do.
    ``write_fault``: the store works but cannot take writes (disk full,
    read-only), which the CLI reports with its own exit code."""

    @property
    def write_fault(self) -> bool:
        return self.code in (STORE_FULL, STORE_READ_ONLY)


def safe_url(url: str | URL) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is not shown at all
        return "(unparseable URL)"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # busy_timeout first: two processes opening a new store at once must
    # wait for each other, not fail.
    cur.execute("PRAGMA busy_timeout=30000")
    # NORMAL sync is safe under WAL (set once the file is known to be ours,
    # Store._use_wal): a power cut loses at most the last transaction, which
    # the mailbox still holds because we acknowledge only after commit.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Deleted and overwritten content is zeroed, not left in free pages
    # (disposal, encrypting a store kept in clear: docs/security.md).
    cur.execute("PRAGMA secure_delete=ON")
    # A page cache of up to 64 MiB per connection (SQLite's default is 2 MiB),
    # taken only as pages are read. A store's documents share its file
    # with the entity and key tables a commit looks up, so with 2 MiB those
    # lookups went to the operating system for pages at a rate that grew with
    # the store. On the commit bench (2.4 GB file at 11,000 messages) the
    # commit's CPU per message grew 45% from 2-3k to 10-11k messages with
    # 2 MiB, and 28% with 64 MiB.
    cur.execute(f"PRAGMA cache_size={_CACHE_KIB}")
    cur.close()


_CACHE_KIB = -64 * 1024  # negative: KiB, not pages


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def _with_driver(u: URL) -> URL:
    # "postgresql://" alone would pick psycopg2, which intake does not ship.
    return u.set(drivername="postgresql+psycopg") if u.drivername == "postgresql" else u


def sqlite_path(url: str | URL) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" \
            or u.database.startswith("file:"):
        return None
    return Path(u.database)


def make_engine(url: str, password: str | None = None, read_only: bool = False,
                immutable: bool = False) -> Engine:
    u = _with_driver(make_url(url))
    if password and u.password is None:
        u = u.set(password=password)
    if u.get_backend_name() == "sqlite":
        path = sqlite_path(u)
        if read_only and path is not None:
            # A URI open never creates the file, and mode=ro never writes:
            # works on a read-only mount or a folder we may not write to.
            # immutable=1 also skips the WAL index (-shm), which a read-only
            # folder may lack; only used when nothing can be writing.
            flags = {"immutable": "1"} if immutable else {"mode": "ro"}
            ro = URL.create("sqlite", database=f"file:{path.as_posix()}", query={**flags, "uri": "true"})
            engine = create_engine(ro, future=True)
            event.listen(engine, "connect", _sqlite_read_pragmas)
            return engine
        engine = create_engine(u, future=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(u, future=True, pool_pre_ping=True)


# alembic (with mako and pygments: a quarter of a second) is imported only
# to create, migrate or judge a store that is not at the head: opening a
# current store, what every command does, reads the head from the
# migration files themselves (_plain_head).
def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


# --------------------------------------------------------------------------
# schema state
# --------------------------------------------------------------------------

EMPTY, CURRENT, OLD, NEWER, FOREIGN = "empty", "current", "old", "newer", "foreign"


@dataclass(frozen=True)
class SchemaState:
    state: str  # empty | current | old | newer | foreign
    revision: str | None
    head: str


def head_revision() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


# A top-level assignment of one of the keys alembic reads, on one line.
_PLAIN_KEY = re.compile(r"^(revision|down_revision|branch_labels|depends_on)\s*(?::[^=\n]*)?=(.*)$", re.M)


@lru_cache(maxsize=1)
def _plain_head() -> str | None:
    """The head revision as the migration files state it, read without
    alembic: when every file assigns its revision and at most one
    down_revision, once each, as plain strings on one line, with no branch
    labels or dependencies, and exactly one revision is no other's
    down_revision. None for anything else (a merge, a branch, a file this
    cannot read): alembic then decides. A test holds it equal to alembic's
    head."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        if path.name == "__init__.py":
            continue
        found: dict[str, object] = {}
        try:
            for m in _PLAIN_KEY.finditer(path.read_text(encoding="utf-8")):
                if m.group(1) in found:
                    return None
                found[m.group(1)] = ast.literal_eval(m.group(2).split("#", 1)[0].strip())
        except (OSError, SyntaxError, ValueError, TypeError, UnicodeError, RecursionError):
            return None
        rev, down = found.get("revision"), found.get("down_revision")
        if (not isinstance(rev, str) or rev in revisions or not (down is None or isinstance(down, str))
                or found.get("branch_labels") or found.get("depends_on")):
            return None
        revisions.add(rev)
        if down is not None:
            downs.add(down)
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None


def schema_state(engine: Engine) -> SchemaState:
    head = _plain_head()
    if head is not None:
        with engine.connect() as conn:
            if "alembic_version" in inspect(conn).get_table_names():
                rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if rev == head:
                    return SchemaState(CURRENT, rev, head)
    return _schema_state(engine)


def _schema_state(engine: Engine) -> SchemaState:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return SchemaState(EMPTY, None, head)
        if "alembic_version" not in tables:
            return SchemaState(FOREIGN, None, head)
        rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if rev is None:
        return SchemaState(FOREIGN if not INTAKE_TABLES <= tables else EMPTY, None, head)
    if rev == head:
        return SchemaState(CURRENT, rev, head)
    try:
        script.get_revision(rev)
        return SchemaState(OLD, rev, head)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        return SchemaState(NEWER if INTAKE_TABLES <= tables else FOREIGN, rev, head)


@contextmanager
def schema_lock(engine: Engine, url: str) -> Iterator[None]:
    """Held while creating or migrating: the kernel (flock) or the server
    (advisory lock on a connection) frees it if the process dies."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SCHEMA_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEMA_LOCK_KEY})
                conn.commit()
        return
    path = sqlite_path(url)
    if path is None:
        yield
        return
    fd = os.open(path.with_name(path.name + ".schema-lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# --------------------------------------------------------------------------
# faults as one line
# --------------------------------------------------------------------------

def store_fault(exc: BaseException, url: str | None = None) -> StoreError | None:
    """A database or disk failure as a StoreError, or None when it is not one
    we can name (a bug: the caller logs it). Reads codes and error numbers,
    never the message's free text beyond SQLite's fixed phrases."""
    where = f" ({safe_url(url)})" if url else ""
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else exc
    if isinstance(exc, OSError) or isinstance(orig, OSError):
        err = (exc if isinstance(exc, OSError) else orig).errno
        if err in (errno.ENOSPC, errno.EDQUOT):
            return StoreError(STORE_FULL, f"the disk is full{where}: free space and run the command again; "
                              "nothing committed is lost")
        if err in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StoreError(STORE_READ_ONLY, f"the store or its folder cannot be written{where}: give the "
                              "intake user write access (or remount read-write) and run the command again")
        return None
    if not isinstance(exc, SQLAlchemyError):
        return None
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text_ = str(orig) if orig is not None else ""
    if sqlstate == "53100" or "database or disk is full" in text_:
        return StoreError(STORE_FULL, f"the disk holding the store is full{where}: free space and run the "
                          "command again; nothing committed is lost")
    if sqlstate == "25006" or "attempt to write a readonly database" in text_:
        return StoreError(STORE_READ_ONLY, f"the store is read-only{where}: give the intake user write "
                          "access (or use the primary database) and run the command again")
    if "disk I/O error" in text_:
        return StoreError(STORE_FULL, f"the disk holding the store failed a write (full or failing){where}: "
                          "check it and run the command again; nothing committed is lost")
    if "file is not a database" in text_:
        return StoreError(STORE_NOT_INTAKE, f"{where.strip(' ()') or 'the store'} is not a SQLite database; "
                          "point [store] url at intake's store")
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P03") or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return StoreError(STORE_UNAVAILABLE, f"the database server cannot be reached{where}: check it is "
                          "running and the host, port and credentials")
    # psycopg gives no SQLSTATE for a refused connection: the server's
    # fixed (English) phrases tell a missing database or a bad login apart.
    if sqlstate == "3D000" or ('database "' in text_ and "does not exist" in text_):
        return StoreError(STORE_MISSING, f"the database does not exist{where}: create it "
                          "(docs/operations.md, PostgreSQL) and run `intake migrate`")
    if sqlstate in ("28P01", "28000") or "password authentication failed" in text_ or (
            'role "' in text_ and "does not exist" in text_):
        return StoreError(STORE_UNAVAILABLE, f"the database refused the login{where}: check the user and "
                          "[store] password_env / password_file")
    if "unable to open database file" in text_:
        return StoreError(STORE_UNAVAILABLE, f"the store file cannot be opened{where}: check the path and "
                          "permissions")
    if type(orig).__name__ == "OperationalError" and "psycopg" in type(orig).__module__:
        # psycopg reports refused connections and bad host names without a
        # SQLSTATE (the server never answered).
        return StoreError(STORE_UNAVAILABLE, f"the database server cannot be reached{where}: check it is "
                          "running and the host, port and credentials")
    return None


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------

class Store:
    """An open store at the schema this code expects.

    ``upgrade=True`` (the default, for ``intake migrate``, tests and
    benchmarks) creates a new store and upgrades an older one. With
    ``upgrade=False`` an older store is refused and a missing one is created
    only if ``create``; ``write=False`` accepts a store it cannot write
    and opens it read-only."""

    def __init__(self, url: str, password: str | None = None, upgrade: bool = True, *,
                 create: bool = True, write: bool = True, source: str | None = None,
                 kek: bytes | None = None, key_purpose: str = "use"):
        self.url = url
        self.source = source
        shown = safe_url(url)
        path = sqlite_path(url)
        writable = True
        if path is not None:
            self._check_sqlite_path(path, create and write)
            _create_private(path, create and write)
            writable = _sqlite_writable(path)
            if write and not writable:
                raise StoreError(STORE_READ_ONLY, f"the store {path} or its folder cannot be written: give the "
                                 "intake user write access (or remount read-write) and run the command again")
        # A store we may not write is opened read-only (mode=ro, or immutable
        # when even the WAL index cannot be opened): export and the other
        # read commands still work on a read-only mount or folder.
        self.read_only = not writable
        self.engine = make_engine(url, password, read_only=self.read_only)
        try:
            try:
                self._ensure_schema(shown, upgrade, create and writable)
            except SQLAlchemyError:
                # mode=ro cannot open a WAL store whose -shm it may not create.
                # With no -wal file every commit is in the main file, so
                # reading it as immutable sees all of it.
                wal = path.with_name(path.name + "-wal") if path is not None else None
                if not self.read_only or wal is None or (wal.exists() and wal.stat().st_size > 0):
                    raise
                self.engine.dispose()
                self.engine = make_engine(url, password, read_only=True, immutable=True)
                self._ensure_schema(shown, upgrade, False)
        except StoreError:
            self.engine.dispose()
            raise
        except (SQLAlchemyError, OSError) as exc:
            self.engine.dispose()
            fault = store_fault(exc, url)
            if fault is None:
                raise
            raise fault from None
        if path is not None and not self.read_only:
            self._use_wal()
        self.keyring = self._open_keyring(kek, key_purpose)
        self.kek = kek  # for another connection to the same store (the job queue's workers)
        self.priority = WritePriority()  # custody before bulk processing, within this process
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _open_keyring(self, kek: bytes | None, purpose: str):
        # encryption at rest: store/store_keys.py decides
        from intake.store import store_keys

        try:
            return store_keys.open_keyring(self.engine, kek, can_write=not self.read_only, purpose=purpose)
        except store_keys.KeyProblem as exc:
            self.engine.dispose()
            raise StoreError(exc.code, exc.detail) from None
        except (SQLAlchemyError, OSError) as exc:
            self.engine.dispose()
            fault = store_fault(exc, self.url)
            if fault is None:
                raise
            raise fault from None

    def _use_wal(self) -> None:
        """WAL lets the review app read while the pipeline writes. The mode is
        kept in the file, so it is set once, and only on a file known to be
        an intake store: a refused file is left exactly as it was."""
        with self.engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA journal_mode").scalar() != "wal":
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")

    def _check_sqlite_path(self, path: Path, create: bool) -> None:
        named = f" (from {self.source})" if self.source else ""
        if not path.parent.is_dir():
            raise StoreError(STORE_MISSING, f"the folder {path.parent} for the store does not exist{named}: "
                             "create it, or fix [store] url / data_dir")
        if path.is_dir():
            raise StoreError(STORE_NOT_INTAKE, f"{path} is a folder, not a store file{named}")
        if not path.exists() and not create:
            raise StoreError(STORE_MISSING, f"there is no store at {path}{named}: a write command "
                             "(intake replay, poll, daemon) or `intake migrate` creates it")

    def _ensure_schema(self, shown: str, upgrade: bool, create: bool) -> None:
        st = schema_state(self.engine)
        if st.state == CURRENT:
            return
        if self.read_only:
            self._refuse(st, shown, upgrade, create)
        # Anything but current is judged under the lock: a store another
        # process is creating or migrating looks empty or old until it is done.
        with schema_lock(self.engine, self.url):
            # Another process may have created or migrated it meanwhile.
            st = schema_state(self.engine)
            if st.state == CURRENT:
                return
            self._refuse(st, shown, upgrade, create)
            migrate(self.engine)

    def _refuse(self, st: SchemaState, shown: str, upgrade: bool, create: bool) -> None:
        if st.state == EMPTY and not create:
            raise StoreError(STORE_MISSING, f"the store {shown} is empty: a write command "
                             "(intake replay, poll, daemon) or `intake migrate` creates it")
        if st.state == OLD and not upgrade:
            raise StoreError(STORE_NEEDS_MIGRATION, f"the store {shown} is at schema {st.revision}, this intake "
                             f"needs {st.head}: back it up, then run `intake migrate`")
        if st.state == NEWER:
            raise StoreError(STORE_TOO_NEW, f"the store {shown} was written by a newer intake (schema "
                             f"{st.revision}): upgrade intake on this machine")
        if st.state == FOREIGN:
            raise StoreError(STORE_NOT_INTAKE, f"{shown} holds tables but is not an intake store: point "
                             "[store] url at intake's own database")
        if self.read_only and st.state in (EMPTY, OLD):
            raise StoreError(STORE_READ_ONLY, f"the store {shown} is read-only and must be "
                             f"{'created' if st.state == EMPTY else 'migrated'} first")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions() as session:
            with session.begin():
                yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _create_private(path: Path, create: bool) -> None:
    """A new store file is made owner-only (0600) whatever the umask;
    SQLite gives its -wal and -shm files the same mode."""
    if not create or path.exists():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # the folder cannot be written: _sqlite_writable says so
    os.fchmod(fd, 0o600)
    os.close(fd)


def _sqlite_writable(path: Path) -> bool:
    # WAL needs to create -wal/-shm beside the file: the folder must be
    # writable as well as the file.
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def open_store(settings, write: bool = True) -> Store:
    """The store a command works on. ``write=False`` for commands that only
    read (export, entities, status, queue): they work on a read-only store
    and never create one."""
    from intake.matching import person_match
    from intake.store import store_keys

    # Resolution in this process links people by the site's diminutives too.
    person_match.use_gazetteer_files(tuple(str(settings.path(p)) for p in settings.model.extract.gazetteer_files))
    try:
        kek = store_keys.kek_from_settings(settings)
    except store_keys.KeyProblem as exc:
        raise StoreError(exc.code, exc.detail) from None
    return Store(settings.store_url, settings.store_password, upgrade=False, create=write, write=write,
                 source=getattr(settings, "store_url_source", None), kek=kek)
