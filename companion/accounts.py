"""Accounts and API tokens: argon2 password hashes, hashed bearer tokens, an optional
e-mail address verified by a signed link, and password reset by a signed link.

Views and the CLI both come through here, so there is one way to create a user or a
token, to set an address, and one way to check them."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, or_, select

from .extensions import db
from .models import ApiToken, User, mail_goes_out, utcnow
from .notify import tokens

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,29}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
MAX_EMAIL = 254  # RFC 5321's limit on a forward path, and the column's width
# A plausible address, not an RFC 5322 parser: the link we send is the real test. ASCII
# only in the local part (SMTP without SMTPUTF8 can't carry more); no spaces, quotes,
# angle brackets or line breaks, so an address can never smuggle a header into a mail.
EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
DOMAIN_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


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


def check_email(address: str) -> str:
    """A plausible address with its domain lowercased (the local part is the owner's)."""
    address = address.strip()
    if len(address) > MAX_EMAIL:
        raise AccountError(f"Addresses can be at most {MAX_EMAIL} characters.")
    local, at, domain = address.rpartition("@")
    try:
        # A domain in any script becomes its ASCII (punycode) spelling, as mail needs it.
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = ""
    labels = domain.split(".")
    if (
        not at
        or len(local) > 64
        or not EMAIL_LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(DOMAIN_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise AccountError(
            "That doesn't look like an e-mail address (something like name@example.org)."
        )
    address = f"{local}@{domain}"
    if len(address) > MAX_EMAIL:  # punycode can lengthen a domain
        raise AccountError(f"Addresses can be at most {MAX_EMAIL} characters.")
    return address


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


# --- e-mail address ----------------------------------------------------------------------
# An address is verified on at most one account: a reset link for it has one place to go,
# and mail meant for one member never reaches another's inbox. Saving an address that some
# other account has verified is not refused (a refusal would tell any member whose address
# has an account here); the verification link is where it stops, and only the owner of the
# mailbox, who follows that link, learns that the address is in use.


IN_USE = (
    "This address is already confirmed on another Companion account. Use that account, "
    "or remove the address there first."
)


def verified_owner(address: str) -> User | None:
    """The account on which this address is verified, if any (case does not matter). A
    verification through the outbox proves nothing, so it never makes an owner."""
    return db.session.scalar(
        select(User).where(
            func.lower(User.email) == address.lower(),
            User.email_verified_at.is_not(None),
            or_(User.email_verified_via.is_(None), User.email_verified_via != "outbox"),
        )
    )


def set_email(user: User, address: str, *, verified: bool = False) -> bool:
    """Give the account this address; True when it still needs its verification link.

    A new address is unverified until its link is followed (so a changed address stops
    getting mail at once). `verified=True` is for the operator's CLI, who vouches for it."""
    address = check_email(address)
    same = user.email is not None and user.email.lower() == address.lower()
    if verified:
        _refuse_if_verified_elsewhere(user, address)
        if not (same and user.email_verified_at and user.email_verified_via != "outbox"):
            user.email_verified_at, user.email_verified_via = utcnow(), "operator"
    elif not same:
        user.email_verified_at = user.email_verified_via = None
    user.email = address
    return user.email_verified_at is None


def remove_email(user: User) -> None:
    user.email = None
    user.email_verified_at = user.email_verified_via = None


def verification_token(user: User) -> str:
    return tokens.make(tokens.VERIFY_EMAIL, {"user": user.id, "email": user.email})


def read_verification(token: str) -> tuple[User, str]:
    """The account and address a verification link is for; TokenInvalid when the link is
    bad, expired, or for an address the account no longer has."""
    payload = tokens.read(tokens.VERIFY_EMAIL, token, tokens.VERIFY_MAX_AGE)
    user = _user_in(payload)
    address = payload.get("email")
    if user is None or not isinstance(address, str):
        raise tokens.TokenInvalid("This link is not valid. Check that it was copied whole.")
    if user.email is None or user.email.lower() != address.lower():
        raise tokens.TokenInvalid(
            "This link was for an address that is no longer on the account. "
            "Use the link in the newest mail, or send a new one from your account page."
        )
    return user, address


def confirm_email(user: User, address: str) -> None:
    """Mark the account's address verified (after `read_verification` said it is theirs).

    With no mail server the link was read on the member's own outbox page, which proves
    nothing about the mailbox: such a verification is recorded as "outbox", never refused
    (a refusal would tell whether the address has an account), never makes the address
    anyone's, and stops counting once mail goes out (`User.verified_email`)."""
    if not mail_goes_out():
        if user.email_verified_at is None:
            user.email_verified_at, user.email_verified_via = utcnow(), "outbox"
        return
    _refuse_if_verified_elsewhere(user, address)
    if user.email_verified_at is None or user.email_verified_via == "outbox":
        user.email_verified_at, user.email_verified_via = utcnow(), "mail"


def _refuse_if_verified_elsewhere(user: User, address: str) -> None:
    owner = verified_owner(address)
    if owner is not None and owner.id != user.id:
        raise AccountError(IN_USE)


# --- password reset ----------------------------------------------------------------------


def account_for_reset(name_or_address: str) -> User | None:
    """The account a reset link may be sent for: found by name or by verified address,
    and only if it has a verified address to send it to."""
    value = name_or_address.strip()
    if "@" in value:
        try:
            user = verified_owner(check_email(value))
        except AccountError:
            user = None
    else:
        user = User.by_name(value) if value else None
    return user if user is not None and user.verified_email else None


def reset_token(user: User) -> str:
    # Signing the password's fingerprint makes the link single-use: setting a password
    # (through it or any other way) changes the fingerprint and kills every earlier link.
    return tokens.make(
        tokens.RESET_PASSWORD,
        {
            "user": user.id,
            "pw": tokens.password_fingerprint(user.password_hash),
            "email": user.verified_email,
        },
    )


def read_reset(token: str) -> User:
    """The account a reset link is for; TokenInvalid when it is bad, expired or used."""
    payload = tokens.read(tokens.RESET_PASSWORD, token, tokens.RESET_MAX_AGE)
    user = _user_in(payload)
    if user is None:
        raise tokens.TokenInvalid("This link is not valid. Check that it was copied whole.")
    if (
        payload.get("pw") != tokens.password_fingerprint(user.password_hash)
        or payload.get("email") != user.verified_email
    ):
        raise tokens.TokenInvalid(
            "This link has already been used, or the account has changed since it was sent. "
            "Ask for a new one."
        )
    return user


def reset_password(user: User, new: str) -> None:
    user.password_hash = _hasher()[0].hash(check_password(new))
    # Whoever was signed in with the forgotten password (or stole it) is signed out.
    user.session_version += 1


def _user_in(payload: dict) -> User | None:
    user_id = payload.get("user")
    return db.session.get(User, user_id) if isinstance(user_id, int) else None
