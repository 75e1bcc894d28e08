"""The account's e-mail address (add, change, remove, verify by link) and password reset
by e-mail. The rules are in `companion.accounts`; these routes only ask and answer.

Both mails are sent right away, inside the request: they are short, and the person is
waiting for them."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from sqlalchemy.exc import IntegrityError

from .. import accounts
from ..auth import account_page
from ..extensions import db, limiter
from ..forms import EmailForm, ForgotPasswordForm, ResetPasswordForm
from ..models import User
from . import tokens
from .compose import external_url
from .messages import Message

bp = Blueprint("account_mail", __name__)


@bp.after_request
def no_referrer(response):
    # These pages' URLs carry reset and verification tokens: never pass them on.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# One answer for every name or address, so the form never tells who has an account here.
RESET_ANSWER = (
    "If that account has a verified e-mail address, we've sent a link to it. It works for an hour."
)


def _account_key() -> str:
    return f"account:{current_user.get_id()}"


def _asked_for() -> str:
    # Per account asked for, whoever asks and however (its name or its address): one inbox
    # can't be flooded from many IPs, nor twice as often by asking both ways.
    asked = request.form.get("name_or_address", "").strip().lower()
    user = accounts.account_for_reset(asked) if asked else None
    return f"reset:user:{user.id}" if user else f"reset:text:{asked}"


# --- the account's address -----------------------------------------------------------------


@bp.post("/account/email")
@login_required
@limiter.limit("5 per hour", key_func=_account_key)  # each save may send a mail
def save():
    form = EmailForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            needs_link = accounts.set_email(user, form.address.data)
        except accounts.AccountError as error:
            form.address.errors.append(str(error))
        else:
            db.session.commit()
            if not needs_link:
                flash("That is already your address, and it is verified.")
            elif _send_verification(user):
                flash(f"Saved. We've sent a link to {user.email}: follow it to verify.")
            return redirect(url_for("auth.account"))
    db.session.rollback()
    return account_page(email=form, status=400)


@bp.post("/account/email/resend")
@login_required
@limiter.limit("5 per hour", key_func=_account_key)
def resend():
    user = current_user._get_current_object()
    if user.email and not user.email_verified_at and _send_verification(user):
        flash(f"We've sent a new link to {user.email}.")
    return redirect(url_for("auth.account"))


@bp.post("/account/email/remove")
@login_required
def remove():
    accounts.remove_email(current_user)
    db.session.commit()
    flash("Your address is removed. We won't send you mail any more.")
    return redirect(url_for("auth.account"))


@bp.route("/account/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """GET shows what would be confirmed (mail scanners open links; nothing changes), the
    button POSTs. No login needed: the link itself proves the mailbox is theirs."""
    try:
        user, address = accounts.read_verification(token)
    except tokens.TokenInvalid as error:
        return render_template("verify_email.html", problem=str(error)), 400
    if request.method == "POST":
        try:
            accounts.confirm_email(user, address)
            db.session.commit()
        except (accounts.AccountError, IntegrityError) as error:
            # IntegrityError: another account proved the address at the same moment.
            db.session.rollback()
            problem = str(error) if isinstance(error, accounts.AccountError) else accounts.IN_USE
            return render_template("verify_email.html", problem=problem), 400
        flash(f"Thank you: {user.email} is verified.")
        mine = current_user.is_authenticated and current_user.id == user.id
        return redirect(url_for("auth.account" if mine else "auth.login"))
    return render_template("verify_email.html", user=user, address=user.email)


def _send_verification(user: User) -> bool:
    link = _public_url(".verify", token=accounts.verification_token(user))
    message = _message(
        "verify_email",
        user,
        user.email,
        "Confirm your address for Companion",
        name=user.name,
        link=link,
    )
    if _send(message):
        return True
    flash(
        "Your address is saved, but we couldn't send the link just now. "
        "Try “Resend the link” in a few minutes."
    )
    return False


# --- password reset --------------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])  # per IP
@limiter.limit("3 per hour", methods=["POST"], key_func=_asked_for)
def forgot():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("forgot_password.html", form=form), status
    user = accounts.account_for_reset(form.name_or_address.data)
    # The same answer, and the same work up to the send (a token made, both parts
    # rendered), for an unknown name as for a real one; only the send itself is skipped,
    # so its time (a few milliseconds to the outbox, a server's round trip over SMTP) is
    # the one thing left that differs.
    token = accounts.reset_token(user) if user else tokens.make(tokens.RESET_PASSWORD, {})
    message = _message(
        "reset_password",
        user,
        user.verified_email if user else "nobody@example.invalid",
        "Reset your Companion password",
        name=user.name if user else "nobody",
        link=_public_url(".reset", token=token),
    )
    if user is not None:
        _send(message)  # a failure is logged, and the answer stays the same
    return render_template("forgot_password.html", sent=RESET_ANSWER)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        user = accounts.read_reset(token)
    except tokens.TokenInvalid as error:
        return render_template("reset_password.html", problem=str(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            if form.new.data != form.again.data:
                raise accounts.AccountError("The two passwords are not the same.")
            accounts.reset_password(user, form.new.data)
        except accounts.AccountError as error:
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            if current_user.is_authenticated and current_user.id == user.id:
                logout_user()
                session.clear()
            flash("Your password is changed, and every device is logged out. Log in with it.")
            return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("reset_password.html", form=form, user=user), status


# --- mail ----------------------------------------------------------------------------------


def _public_url(endpoint: str, **values) -> str:
    # From PUBLIC_URL alone, never the request's Host header nor its script root: a forged
    # Host must not send someone's reset link to another site, and an app mounted under a
    # path gets that path once.
    if endpoint.startswith("."):
        endpoint = bp.name + endpoint
    return external_url(endpoint, **values)


def _message(template: str, user: User | None, to: str, subject: str, **context) -> Message:
    """Both parts from the same pair of templates, so they always say the same thing."""
    return Message(
        to=to,
        subject=subject,
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
        member_id=user.id if user else None,
    )


def _send(message: Message) -> bool:
    from .mail import send

    try:
        send(message)
    except Exception:
        # Whatever the transport raised: the person gets a page, never a traceback, and a
        # reset answer that is the same whether or not a mail went out.
        current_app.logger.exception("could not send %r to %s", message.subject, message.to)
        return False
    return True
