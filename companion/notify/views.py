"""The member's side of notifications: the settings page of each circle (with a preview of
the next digest, the same content the mail carries), unsubscribing from a mail's link (and
RFC 8058 one-click: no login, the signed token is the proof), and the outbox page, where the
demo shows its mail when no SMTP server is configured."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice

from ..circles import circle_view
from ..extensions import csrf, db
from ..models import Circle, Membership, User
from . import compose, mail, tokens
from .compose import WHAT
from .settings import Choice, choice_of, choose

bp = Blueprint("notify", __name__)

# How a reader stops each kind of message from one circle.
STOP = {
    "digest": lambda choice: replace(choice, digest="off"),
    "reply": lambda choice: replace(choice, replies="off"),
    "reminder": lambda choice: replace(choice, reminders=False),
}


def options(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class NotificationForm(FlaskForm):
    digest = RadioField(
        "A digest of what's new for you",
        choices=options(("off", "No digest"), ("daily", "Daily"), ("weekly", "Weekly")),
        # Not "digest-N": the preview below lists comments as digest-<comment id>.
        id="digest-choice",
    )
    replies = RadioField(
        "When someone replies to your comment",
        choices=options(
            ("now", "Tell me right away"), ("digest", "In the digest"), ("off", "Don't")
        ),
    )
    reminders = RadioField(
        "Schedule reminders",
        choices=options(
            ("on", "A day before a chapter is due, if I haven't reached it"),
            ("off", "No reminders"),
        ),
    )

    @classmethod
    def of(cls, choice: Choice) -> NotificationForm:
        reminders = "on" if choice.reminders else "off"
        data = {"digest": choice.digest, "replies": choice.replies, "reminders": reminders}
        return cls(data=data)

    def choice(self) -> Choice:
        return Choice(self.digest.data, self.replies.data, self.reminders.data == "on")


@bp.route("/c/<slug>/notifications", methods=["GET", "POST"])
@circle_view()
def settings(circle: Circle, membership: Membership):
    form = NotificationForm.of(choice_of(membership.user_id, circle.id))
    if form.validate_on_submit():
        choose(membership.user_id, circle.id, form.choice())
        db.session.commit()
        if current_user.verified_email:
            flash("Your notification choices are saved.")
        else:
            flash("Saved. Nothing is sent until you verify an e-mail address.")
        return redirect(url_for("notify.settings", slug=circle.slug))
    return render_template(
        "notifications.html",
        circle=circle,
        form=form,
        address=current_user.verified_email,
        # The same builder and partial as the digest mail: the page and the mail agree.
        digest=compose.digest_preview(membership.user, circle),
        link=url_for,
        outbox=not current_app.config.get("MAIL_SERVER"),
    ), 400 if form.errors else 200


# --- unsubscribe -------------------------------------------------------------------------


def one_click() -> bool:
    """RFC 8058: a mail client POSTs exactly this, without a cookie or a CSRF token."""
    return request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    # Exempt from the app-wide check (create_app): only the one-click POST goes without.
    if request.method == "POST" and not one_click() and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    try:
        user, circle, kind = unsubscription(token)
    except tokens.TokenInvalid as error:
        return render_template("unsubscribe.html", error=str(error)), 400
    what = WHAT[kind]  # the mail's own words: "digests", "reply notices", …
    if user is None or circle is None:
        # The account or the circle is gone: nothing is sent any more, which is what the
        # reader asked for; saying so beats an error.
        return render_template("unsubscribe.html", gone=True, what=what)
    before = choice_of(user.id, circle.id)
    after = STOP[kind](before)
    if request.method == "POST":
        if after != before:
            choose(user.id, circle.id, after)
            db.session.commit()
        response = make_response(
            render_template("unsubscribe.html", done=True, what=what, circle=circle)
        )
    else:
        already = after == before
        response = make_response(
            render_template(
                "unsubscribe.html", what=what, circle=circle, token=token, already=already
            )
        )
    # The token is the whole credential: keep it out of referrers and search engines.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def unsubscription(token: str) -> tuple[User | None, Circle | None, str]:
    """(member, circle, kind) a signed unsubscribe token names; TokenInvalid otherwise."""
    payload = tokens.read(tokens.UNSUBSCRIBE, token, tokens.UNSUBSCRIBE_MAX_AGE)
    user_id, circle_id, kind = (payload.get(k) for k in ("user", "circle", "kind"))
    if not (isinstance(user_id, int) and isinstance(circle_id, int) and kind in STOP):
        raise tokens.TokenInvalid("This link is not valid. Check that it was copied whole.")
    return db.session.get(User, user_id), db.session.get(Circle, circle_id), kind


# --- outbox ------------------------------------------------------------------------------


@bp.get("/outbox")
@login_required
def outbox():
    if current_app.config.get("MAIL_SERVER"):
        return render_template("outbox.html", smtp=True, messages=[], address=None)
    return render_template(
        "outbox.html", smtp=False, address=current_user.email, messages=my_messages()
    )


@bp.get("/outbox/<name>/html")
@login_required
def outbox_html(name: str):
    """One message's HTML part on a page of its own, sandboxed: no script, form or plugin
    runs, and nothing loads from elsewhere."""
    message = my_message(name)
    if message is None or not message.html:
        abort(404, "There's no such message in your outbox.")
    response = make_response(message.html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    # Mail HTML carries inline styles (mail clients need them); nothing else may run.
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # its links carry tokens
    return response


def mine(message) -> bool:
    """Written for the signed-in member (the outbox marks each message with its account),
    never another member's: their links carry their tokens."""
    return message.headers.get(mail.MEMBER_HEADER) == str(current_user.id)


def my_messages() -> list:
    """The signed-in member's messages in the outbox, newest first: digests, notices, and
    the verification link for an address not verified yet."""
    if current_app.config.get("MAIL_SERVER"):
        return []
    return [m for m in mail.outbox_messages(current_app.instance_path) if mine(m)]


def my_message(name: str):
    if current_app.config.get("MAIL_SERVER"):
        return None
    message = mail.outbox_message(current_app.instance_path, name)
    return message if message is not None and mine(message) else None
