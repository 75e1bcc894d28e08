"""Signed, expiring tokens for links sent by mail (itsdangerous, keyed by SECRET_KEY).

Each purpose has its own salt, so a token made for one can never be used for another.
A password-reset token also signs a fingerprint of the current password hash: once the
password changes, every earlier reset link is dead (single use without a table)."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"
UNSUBSCRIBE = "unsubscribe"

VERIFY_MAX_AGE = 3 * 24 * 3600  # three days to follow a verification link
RESET_MAX_AGE = 3600  # an hour to use a reset link
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600  # a year: old mails keep a working link


class TokenInvalid(ValueError):
    """A link that is wrong, tampered with, for another purpose, used or expired; the
    message says which, in the reader's words."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"companion-{purpose}")


def make(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: int) -> dict:
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenInvalid("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise TokenInvalid("This link is not valid. Check that it was copied whole.") from None
    if not isinstance(payload, dict):
        raise TokenInvalid("This link is not valid. Check that it was copied whole.")
    return payload


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does: binds a reset link to the password it resets."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
