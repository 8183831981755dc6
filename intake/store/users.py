"""Review-app accounts, logins and sessions.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommended profile), rehashed on login when the parameters move on.
Failed logins count per account: after ``max_failures`` in a row the
account is locked for ``lockout`` (the caller also slows every failure
down). An unknown name costs the same hash check as a known one, so the
answer's timing does not tell which names exist.

A session is a random token in the browser's cookie; the store keeps only
its SHA-256, so a copy of the database logs nobody in. Each session has its
own CSRF token and expires after a period of inactivity and after a
maximum age.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from intake.store.models import ReviewSession, User

ROLES = ("officer", "analyst", "admin")
MIN_PASSWORD = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# Verified against when the name is unknown, so both answers cost the same.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """A request about users that cannot be met; the message says why."""


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
    user = User(username=username, role=role, password_hash=_hasher.hash(password), active=True,
                failed_logins=0, password_changed_at=_now())
    session.add(user)
    session.flush()
    return user


def set_password(session, username: str, password: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    check_password_policy(password, username)
    user.password_hash = _hasher.hash(password)
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


def authenticate(session, username: str, password: str, *, max_failures: int,
                 lockout: timedelta) -> LoginResult:
    user = get_user(session, (username or "").strip().lower())
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            pass
        return LoginResult(None, "bad_credentials")
    now = _now()
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "locked", user.failed_logins)
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
        return LoginResult(None, "locked" if user.locked_until and user.locked_until > now else "bad_credentials",
                           user.failed_logins)
    if not user.active:
        return LoginResult(None, "disabled")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return LoginResult(user, "ok")


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


def end_session(session, token: str | None) -> None:
    if token:
        session.execute(delete(ReviewSession).where(ReviewSession.token_hash == _token_hash(token)))


def end_sessions(session, user: User) -> None:
    session.execute(delete(ReviewSession).where(ReviewSession.user_pk == user.id))


def purge_sessions(session, *, idle: timedelta, max_age: timedelta) -> int:
    now = _now()
    res = session.execute(delete(ReviewSession).where(
        (ReviewSession.last_seen_at < now - idle) | (ReviewSession.created_at < now - max_age)))
    return res.rowcount or 0

