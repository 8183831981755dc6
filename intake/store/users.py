"""Review-app accounts, logins and sessions.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommended profile), rehashed on login when the parameters move on.
Failed logins count per account: after ``max_failures`` in a row the
account is locked for ``lockout`` (the caller also slows every failure
down). The count and the lock move in one UPDATE, so attempts sent in
parallel cannot each read the same count and lose each other's failures.

Nothing an outsider can see tells whether a name is an account: every
attempt costs exactly one argon2 verify (against a dummy hash with the same
parameters when the name is unknown, and also while a name is locked), and
an unknown name's failures are counted and locked by the same rule as an
account's (``UnknownNames``), so it is slowed down and refused the same way.

A session is a random token in the browser's cookie; the store keeps only
its SHA-256, so a copy of the database logs nobody in. Each session has its
own CSRF token and expires after a period of inactivity and after a
maximum age.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, literal, or_, select, update

from intake.exception_codes import USER_REQUEST_REFUSED
from intake.store.models import ReviewSession, User

ROLES = ("officer", "analyst", "admin")
MIN_PASSWORD = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# Verified against when the name is unknown, so both answers cost the same:
# made by the same hasher, so with the same parameters as a real one. Made
# by the first sign-in, not on import (a quarter of a second that commands
# which never sign anyone in, a replay or an export, would pay); every
# attempt asks for it before it looks the name up, so the first attempt
# pays for it whatever the name, and its cost tells nothing about the name.
_dummy: list[str] = []
_dummy_lock = threading.Lock()


def _dummy_hash() -> str:
    with _dummy_lock:
        if not _dummy:
            _dummy.append(_hasher.hash(secrets.token_urlsafe(16)))
    return _dummy[0]

# Each argon2 check takes 64 MiB for a few tens of milliseconds: sign-ins
# sent in parallel take turns, one per core, instead of each claiming its
# memory at once (50 at a time would want over 3 GiB).
_HASH_SLOTS = threading.BoundedSemaphore(os.cpu_count() or 2)


class UserError(ValueError):
    """A request about users that cannot be met; the message says why."""

    code = USER_REQUEST_REFUSED


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def check_password_policy(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must be at least {MIN_PASSWORD} characters")
    if username.casefold() in password.casefold():
        raise UserError("the password must not contain the user name")
    if len(set(password)) < 5:
        raise UserError("the password is too repetitive")


def get_user(session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def add_user(session, username: str, role: str, password: str) -> User:
    username = username.strip().lower()
    if not _NAME.match(username):
        raise UserError("user names are 2-64 characters: lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if get_user(session, username) is not None:
        raise UserError(f"user {username!r} already exists")
    check_password_policy(password, username)
    user = User(username=username, role=role, password_hash=_hash(password), active=True,
                failed_logins=0, password_changed_at=_now())
    session.add(user)
    session.flush()
    return user


def set_password(session, username: str, password: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    check_password_policy(password, username)
    user.password_hash = _hash(password)
    user.password_changed_at = _now()
    user.failed_logins, user.locked_until = 0, None
    end_sessions(session, user)
    return user


def set_active(session, username: str, active: bool) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    user.active = active
    if not active:
        end_sessions(session, user)
    else:
        user.failed_logins, user.locked_until = 0, None
    return user


def set_role(session, username: str, role: str) -> User:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    user.role = role
    end_sessions(session, user)
    return user


def list_users(session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


@dataclass
class LoginResult:
    user: User | None
    reason: str  # ok | bad_credentials | locked | disabled
    failures: int = 0


def _hash(password: str) -> str:
    with _HASH_SLOTS:
        return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    with _HASH_SLOTS:
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


class UnknownNames:
    """Failures and locks for names that are not accounts, counted by the
    same rule as an account's (``_count_failure``), so an outsider sees the
    same growing delay and the same lock whether a name exists or not.

    Kept in this process, keyed by an HMAC of the name under a key made at
    start and never written anywhere: a name field often receives a
    password typed in the wrong box, and neither a memory dump nor the
    store should give it back. Bounded: past ``cap`` names the least
    recently tried is forgotten (an attacker would have to try that many
    other names, each costing an argon2 verify, to make one forgotten).
    """

    def __init__(self, cap: int = 50_000):
        self._key = secrets.token_bytes(32)
        self._cap = cap
        self._rows: OrderedDict[bytes, tuple[int, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def _id(self, name: str) -> bytes:
        return hmac.new(self._key, name.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def state(self, name: str) -> tuple[int, datetime | None]:
        with self._lock:
            return self._rows.get(self._id(name), (0, None))

    def count_failure(self, name: str, *, max_failures: int, now: datetime,
                      until: datetime) -> tuple[int, bool]:
        """(failures, counted): as ``_count_failure`` for an account."""
        key = self._id(name)
        with self._lock:
            failures, locked_until = self._rows.pop(key, (0, None))
            counted = locked_until is None or locked_until <= now
            if counted:
                failures += 1
                if failures >= max_failures:
                    locked_until = until
            self._rows[key] = (failures, locked_until)
            while len(self._rows) > self._cap:
                self._rows.popitem(last=False)
            return failures, counted


unknown_names = UnknownNames()


def _count_failure(session, user_id: int, *, max_failures: int, now: datetime,
                   until: datetime) -> tuple[int, bool]:
    """One failure more for an account, and the lock once they reach
    ``max_failures``, in a single UPDATE that does nothing while the
    account is locked. Parallel attempts each run it under the row's write
    lock, so none is lost, the lock cannot be missed, and the count stops
    at the one that locked. Returns (failures, counted)."""
    users = User.__table__
    counted = users.c.failed_logins + 1
    row = session.execute(
        update(users)
        .where(users.c.id == user_id,
               or_(users.c.locked_until.is_(None), users.c.locked_until <= literal(now, users.c.locked_until.type)))
        .values(failed_logins=counted,
                locked_until=case((counted >= max_failures, literal(until, users.c.locked_until.type)),
                                  else_=users.c.locked_until))
        .returning(users.c.failed_logins)).one_or_none()
    if row is not None:
        return row.failed_logins, True
    return session.scalar(select(users.c.failed_logins).where(users.c.id == user_id)) or 0, False


def _signed_in(session, attempt: "Attempt", now: datetime) -> bool:
    """Clear the count and record the sign-in, only if the account is, in
    the same statement, still active, unlocked and holding the hash the
    password was checked against (another attempt may have locked it, or
    an admin disabled it or changed its password, since it was read)."""
    users = User.__table__
    when = literal(now, users.c.locked_until.type)
    done = session.execute(
        update(users)
        .where(users.c.id == attempt.user_id, users.c.active.is_(True),
               users.c.password_hash == attempt.stored_hash,
               or_(users.c.locked_until.is_(None), users.c.locked_until <= when))
        .values(failed_logins=0, locked_until=None, last_login_at=when,
                **({"password_hash": attempt.new_hash} if attempt.new_hash else {})))
    return done.rowcount == 1


@dataclass
class Attempt:
    """A sign-in between reading the name and settling the outcome. The
    password check between the two runs with no store connection held, so
    sign-ins sent in parallel do not each hold one while they queue for
    the hasher."""

    name: str
    user_id: int | None
    stored_hash: str
    good: bool = False
    new_hash: str | None = None  # when the parameters have moved on since it was made


def read_attempt(session, username: str) -> Attempt:
    name = (username or "").strip().lower()
    dummy = _dummy_hash()
    row = session.execute(select(User.id, User.password_hash).where(User.username == name)).one_or_none()
    if row is None:
        return Attempt(name, None, dummy)
    return Attempt(name, row.id, row.password_hash)


def check_password(attempt: Attempt, password: str) -> Attempt:
    """One argon2 verify, whoever the name is (the dummy hash for a name
    that is no account): the same work for every attempt."""
    good = _verify(attempt.stored_hash, password or "")
    attempt.good = good and attempt.user_id is not None
    if attempt.good and _hasher.check_needs_rehash(attempt.stored_hash):
        attempt.new_hash = _hash(password)
    return attempt


def settle_attempt(session, attempt: Attempt, *, max_failures: int, lockout: timedelta,
                   unknown: UnknownNames | None = None) -> LoginResult:
    """The outcome of a checked attempt, written. Every refusal but one
    made while the name is locked counts as a failure: a wrong password, a
    disabled account, a name that is no account."""
    now = _now()
    if attempt.user_id is None:
        unknown = unknown if unknown is not None else unknown_names
        failures, counted = unknown.count_failure(attempt.name, max_failures=max_failures, now=now,
                                                  until=now + lockout)
        return LoginResult(None, "locked" if not counted or failures >= max_failures else "bad_credentials",
                           failures)
    if attempt.good and _signed_in(session, attempt, now):
        user = session.get(User, attempt.user_id)
        session.refresh(user)  # the row was changed by a statement, not through this object
        return LoginResult(user, "ok")
    failures, counted = _count_failure(session, attempt.user_id, max_failures=max_failures, now=now,
                                       until=now + lockout)
    if not counted or failures >= max_failures:
        reason = "locked"
    elif attempt.good:
        reason = "disabled"  # or changed since read: either way, not this password now
    else:
        reason = "bad_credentials"
    return LoginResult(None, reason, failures)


def authenticate(session, username: str, password: str, *, max_failures: int,
                 lockout: timedelta, unknown: UnknownNames | None = None) -> LoginResult:
    """Check a sign-in within one transaction (a re-check of a signed-in
    admin's password, the command line). The review app's sign-in page runs
    the same three steps, but checks the password outside any transaction."""
    attempt = check_password(read_attempt(session, username), password)
    return settle_attempt(session, attempt, max_failures=max_failures, lockout=lockout,
                          unknown=unknown)


def unlock(session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    user.failed_logins, user.locked_until = 0, None
    return user


# --------------------------------------------------------------------------
# sessions
# --------------------------------------------------------------------------


def start_session(session, user: User, client_addr: str | None) -> tuple[str, ReviewSession]:
    """A new session; returns (cookie token, row). Only the hash is kept."""
    token = secrets.token_urlsafe(32)
    row = ReviewSession(token_hash=_token_hash(token), user_pk=user.id, csrf_token=secrets.token_urlsafe(32),
                        created_at=_now(), last_seen_at=_now(), client_addr=(client_addr or "")[:100] or None)
    session.add(row)
    session.flush()
    return token, row


def find_session(session, token: str | None, *, idle: timedelta,
                 max_age: timedelta) -> tuple[ReviewSession, User] | None:
    """The live session of a cookie token, its last use moved to now; None
    (and the row removed) when expired, unknown or its user disabled."""
    if not token or len(token) > 200:
        return None
    row = session.get(ReviewSession, _token_hash(token))
    if row is None:
        return None
    now = _now()
    user = session.get(User, row.user_pk)
    if (user is None or not user.active or now - row.last_seen_at > idle or now - row.created_at > max_age):
        session.delete(row)
        return None
    row.last_seen_at = now
    return row, user


def end_session(session, token: str | None) -> bool:
    """End the session of a cookie token; True if there was one."""
    if not token or len(token) > 200:
        return False
    res = session.execute(delete(ReviewSession).where(ReviewSession.token_hash == _token_hash(token)))
    return bool(res.rowcount)


def end_sessions(session, user: User) -> None:
    session.execute(delete(ReviewSession).where(ReviewSession.user_pk == user.id))


def purge_sessions(session, *, idle: timedelta, max_age: timedelta) -> int:
    now = _now()
    res = session.execute(delete(ReviewSession).where(
        (ReviewSession.last_seen_at < now - idle) | (ReviewSession.created_at < now - max_age)))
    return res.rowcount or 0

