"""Accounts and API tokens: argon2 password hashes, hashed bearer tokens.

Views and the CLI both come through here, so there is one way to create a user or a
token and one way to check them."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import ApiToken, User, utcnow

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,29}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200


@cache
def _hasher_for(fast: bool) -> tuple[PasswordHasher, str]:
    # RFC 9106's recommended low-memory argon2id profile; the test suite may ask for the
    # cheapest one (still argon2id) so that hundreds of logins stay quick.
    hasher = PasswordHasher.from_parameters(
        profiles.CHEAPEST if fast else profiles.RFC_9106_LOW_MEMORY
    )
    # Compared against when the name is unknown, so a wrong name costs as long as a wrong
    # password and response times don't reveal who has an account.
    return hasher, hasher.hash("not a real password, only for timing")


def _hasher() -> tuple[PasswordHasher, str]:
    return _hasher_for(bool(current_app.config.get("FAST_PASSWORD_HASHES")))


class AccountError(ValueError):
    """A problem with what the person typed; the message is shown to them."""


def check_name(name: str) -> str:
    name = name.strip().lower()
    if not NAME.match(name):
        raise AccountError(
            "Names are 2 to 30 characters: lowercase letters, digits, - and _, "
            "starting with a letter or digit."
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Passwords can be at most {MAX_PASSWORD} characters.")
    return password


def create_user(name: str, password: str) -> User:
    """A new account (added to the session, not committed)."""
    name = check_name(name)
    check_password(password)
    if User.by_name(name):
        raise AccountError("That name is taken.")
    user = User(name=name, password_hash=_hasher()[0].hash(password))
    db.session.add(user)
    return user


def authenticate(name: str, password: str) -> User | None:
    hasher, dummy = _hasher()
    user = User.by_name(name) if name else None
    try:
        hasher.verify(user.password_hash if user else dummy, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def change_password(user: User, current: str, new: str) -> None:
    hasher, _ = _hasher()
    try:
        hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("Your current password is not right.") from None
    user.password_hash = hasher.hash(check_password(new))
    # Other sessions signed in with the old password end with it.
    user.session_version += 1


def log_out_everywhere(user: User) -> None:
    user.session_version += 1


def create_token(user: User) -> str:
    """A new personal API token; only its hash is stored, so it is shown once."""
    token = "cmp_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=token_hash(token)))
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        return None
    row.last_used_at = utcnow()
    return row.user


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a plain digest is enough (no slow hash needed).
    return hashlib.sha256(token.encode()).hexdigest()


def user_from_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: "id:version"; a stale version means logged out."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
