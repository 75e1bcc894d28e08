"""Sign up, log in, log out, change password, log out everywhere, reading settings.

The e-mail address and password-reset routes are in `companion.notify.account_views`."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import accounts
from .extensions import db, limiter, login_manager
from .forms import EmailForm, LoginForm, PasswordForm, ReadingForm, SignupForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str):
    return accounts.user_from_session_id(session_id)


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted ?next= cannot send people elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("circles.mine")


def start_session(user) -> None:
    # A fresh session at login: nothing planted before it survives (no fixation).
    session.clear()
    login_user(user)


def failed_login(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], deduct_when=failed_login)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.name.data, form.password.data)
        if user is not None:
            db.session.commit()  # a rehashed password, if any
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("That name and password don't match.")
        return render_template("login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("login.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.name.data, form.password.data)
            db.session.commit()
        except accounts.AccountError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
            return render_template("signup.html", form=form), 400
        start_session(user)
        flash(f"Welcome, {user.name}! Start a circle, or open an invite link a friend sent.")
        return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("signup.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("reading.library"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current.data, form.new.data)
        except accounts.AccountError as error:
            form.current.errors.append(str(error))
            return account_page(password=form, status=400)
        db.session.commit()
        start_session(user)  # this session carries on with the new version
        flash("Password changed. Other devices have been logged out.")
        return redirect(url_for("auth.account"))
    return account_page(password=form, status=400 if form.errors else 200)


def account_page(
    password: PasswordForm | None = None, email: EmailForm | None = None, status: int = 200
):
    """The account page with its forms; the one that was sent (if any) keeps what was typed
    and its errors, the others show the stored settings (never the posted data)."""
    return render_template(
        "account.html",
        form=PasswordForm(formdata=None) if password is None else password,
        email=EmailForm(formdata=None, address=current_user.email) if email is None else email,
        reading=reading_form(),
    ), status


def reading_form() -> ReadingForm:
    return ReadingForm(formdata=None, auto_advance=current_user.auto_advance)


@bp.post("/account/reading")
@login_required
def reading_settings():
    form = ReadingForm()
    if not form.validate_on_submit():
        flash("That didn't go through; please try again.")
        return redirect(url_for("auth.account")), 303
    current_user.auto_advance = form.auto_advance.data
    db.session.commit()
    if form.auto_advance.data:
        flash("Your place now moves forward when you pause on a paragraph.")
    else:
        flash("Your place now moves only when you say so.")
    return redirect(url_for("auth.account"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    accounts.log_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out on every device.")
    return redirect(url_for("auth.login"))
