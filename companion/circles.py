"""Circles: create, invite, join, leave, roles, schedule, and the members' dashboard.

Authorization lives in one place, `circle_view`: every circle route names the least role
it needs, and anyone not in the circle gets the same 404 whether it exists or not."""

from __future__ import annotations

import re
import secrets
from datetime import date
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from . import charts, comments
from .accounts import token_hash
from .extensions import db, login_manager
from .forms import CircleForm, InviteForm, ScheduleForm
from .library import access, shelf
from .models import (
    Circle,
    Invite,
    Membership,
    Progress,
    ProgressMove,
    ScheduleEntry,
    User,
    Work,
    invite_expiry,
    utcnow,
)
from .spoilers import Position

bp = Blueprint("circles", __name__)

NOT_FOUND = "We couldn't find that circle. It may not exist, or you're not a member."


def load_circle(slug: str, user_id: int, role: str = "member") -> tuple[Circle, Membership]:
    """The circle and the user's membership, or 404 (not a member) / 403 (role too low)."""
    circle = Circle.by_slug(slug)
    membership = circle.membership_of(user_id) if circle else None
    if membership is None:
        abort(404, NOT_FOUND)
    if not membership.at_least(role):
        abort(403, f"Only the circle's {role}s can do that.")
    return circle, membership


def circle_view(role: str = "member"):
    """Route decorator: log in first, then `load_circle`; the view gets both objects."""

    def decorator(view):
        @wraps(view)
        def wrapped(slug: str, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            circle, membership = load_circle(slug, current_user.id, role)
            return view(circle, membership, **kwargs)

        wrapped.circle_role = role
        return wrapped

    return decorator


def member_of(circle: Circle, user_id: int) -> Membership:
    """Another member of this circle, named in the URL; 404 for anyone else's id."""
    membership = circle.membership_of(user_id)
    if membership is None:
        abort(404, "That person isn't in this circle.")
    return membership


def new_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "circle"
    return f"{base}-{secrets.token_hex(3)}"


def create_circle(owner: User, name: str, work: Work) -> Circle:
    circle = Circle(name=name.strip(), slug=new_slug(name), work=work)
    circle.memberships.append(Membership(user=owner, role="owner"))
    db.session.add(circle)
    return circle


def create_invite(circle: Circle, by: User, days: int = 7, max_uses: int = 10) -> str:
    """A new invite link token; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    db.session.add(
        Invite(
            circle=circle,
            token_hash=token_hash(token),
            created_by_id=by.id,
            expires_at=invite_expiry(days),
            max_uses=max_uses,
        )
    )
    return token


def find_invite(token: str) -> Invite:
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == token_hash(token)))
    if invite is None:
        abort(404, "That invite link doesn't exist. Check that you copied all of it.")
    return invite


def invite_for(token: str, user: User | None = None) -> Invite:
    """The invite behind a link: 404 unknown, 409 if `user` is already in its circle,
    410 once expired, revoked or used up."""
    invite = find_invite(token)
    if user is not None and invite.circle.membership_of(user.id):
        abort(409, "You're already in this circle.")
    if reason := invite.unusable_because():
        abort(410, reason)
    return invite


def accept_invite(token: str, user: User) -> Circle:
    """Join through an invite; 404/410 for a bad link, 409 when already a member."""
    invite = invite_for(token, user)
    circle = invite.circle
    # Count the use atomically, so two people racing for the last place can't both win.
    claimed = db.session.execute(
        update(Invite)
        .where(
            Invite.id == invite.id,
            Invite.uses < Invite.max_uses,
            Invite.revoked_at.is_(None),
            Invite.expires_at > utcnow(),
        )
        .values(uses=Invite.uses + 1)
    ).rowcount
    if not claimed:
        db.session.rollback()
        abort(410, "This invite link has just been used up. Ask for a new one.")
    db.session.add(Membership(circle=circle, user=user, role="member"))
    return circle


# --- pages ---------------------------------------------------------------------------


@bp.route("/circles", methods=["GET", "POST"])
@login_required
def mine():
    form = CircleForm()
    works = db.session.scalars(access.startable_works(current_user.id)).all()
    form.work_id.choices = [(w.id, w.title) for w in works]
    if form.validate_on_submit():
        work = access.startable_work_or_404(form.work_id.data, current_user.id)
        circle = create_circle(current_user, form.name.data, work)
        db.session.commit()
        flash(f"Circle “{circle.name}” created. Invite your friends below.")
        return redirect(url_for("circles.dashboard", slug=circle.slug))
    circles = db.session.scalars(
        select(Circle)
        .join(Membership)
        .where(Membership.user_id == current_user.id)
        .order_by(Circle.name)
    ).all()
    status = 400 if form.errors else 200
    return render_template("circles.html", circles=circles, form=form), status


@bp.get("/c/<slug>")
@circle_view()
def dashboard(circle: Circle, membership: Membership):
    work = circle.work
    shape = work.shape()
    chapters = [
        charts.ChapterInfo(c.number, c.title, shape.paragraph_counts[c.number - 1])
        for c in work.chapters
    ]
    members = circle.memberships
    user_ids = [m.user_id for m in members]
    positions = {
        row.user_id: row
        for row in db.session.scalars(
            select(Progress).where(Progress.work_id == work.id, Progress.user_id.in_(user_ids))
        )
    }
    since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    history: dict[int, list] = {uid: [] for uid in user_ids}
    for move in db.session.scalars(
        select(ProgressMove)
        .where(ProgressMove.work_id == work.id, ProgressMove.user_id.in_(user_ids))
        .order_by(ProgressMove.moved_at)
    ):
        history[move.user_id].append((move.moved_at, move.to_chapter, move.to_paragraph))
    today = since.date()
    schedule = [charts.ScheduleEntry(e.chapter, e.due) for e in circle.schedule]
    rows = []
    for m in members:
        row = positions.get(m.user_id)
        progress = charts.MemberProgress(
            name=m.user.name,
            chapter=row.chapter if row else 0,
            paragraph=row.paragraph if row else 0,
            history=history[m.user_id],
        )
        rows.append(
            {
                "membership": m,
                "progress": progress,
                "position": shape.describe(Position(progress.chapter, progress.paragraph)),
                "standing": charts.standing_detail(progress, schedule, today, chapters=chapters),
                "pace": charts.pace(progress, today, chapters=chapters),
                "sparkline": charts.pace_sparkline(progress, today, chapters=chapters),
            }
        )
    invites = []
    if membership.at_least("moderator"):
        invites = db.session.scalars(
            select(Invite)
            .where(Invite.circle_id == circle.id, Invite.revoked_at.is_(None))
            .order_by(Invite.created_at.desc())
        ).all()
    chart = charts.progress_chart(chapters, [r["progress"] for r in rows], schedule, today)
    viewer = comments.viewer_for(circle, membership)
    return render_template(
        "dashboard.html",
        talk={
            "visible": comments.counts_by_chapter(viewer),
            "locked": comments.locked_counts(viewer, by_discussed_chapter=True),
            "latest": comments.latest_activity(viewer),
            "reports": comments.open_reports(viewer) if viewer.is_moderator else 0,
        },
        circle=circle,
        membership=membership,
        rows=rows,
        chart=chart,
        invites=invites,
        invite_form=InviteForm(),
        schedule_form=schedule_form(circle),
        shelf=shelf.shelf_of(circle.id),
        new_invite=session.pop("new_invite", None),
        now=utcnow(),
    )


def schedule_form(circle: Circle, formdata=None) -> ScheduleForm:
    numbers = [c.number for c in circle.work.chapters]
    form_class = ScheduleForm.for_chapters(numbers)
    due = {e.chapter: e.due for e in circle.schedule}
    return form_class(formdata=formdata, data={f"chapter_{n}": due.get(n) for n in numbers})


@bp.post("/c/<slug>/invites")
@circle_view("moderator")
def new_invite(circle: Circle, membership: Membership):
    form = InviteForm()
    if not form.validate():
        abort(400, "Invites last 1 to 90 days and admit 1 to 500 people.")
    token = create_invite(circle, current_user, form.days.data, form.max_uses.data)
    db.session.commit()
    # Shown once on the next page (kept out of URLs and logs); only its hash is stored.
    session["new_invite"] = token
    return redirect(url_for("circles.dashboard", slug=circle.slug) + "#invites")


@bp.post("/c/<slug>/invites/<int:invite_id>/revoke")
@circle_view("moderator")
def revoke_invite(circle: Circle, membership: Membership, invite_id: int):
    invite = db.session.get(Invite, invite_id)
    if invite is None or invite.circle_id != circle.id:
        abort(404, "That invite isn't part of this circle.")
    invite.revoked_at = invite.revoked_at or utcnow()
    db.session.commit()
    flash("Invite link revoked: it no longer works.")
    return redirect(url_for("circles.dashboard", slug=circle.slug) + "#invites")


@bp.get("/invites/<token>")
def invite_landing(token: str):
    circle = find_invite(token).circle
    if current_user.is_authenticated and circle.membership_of(current_user.id):
        return redirect(url_for("circles.dashboard", slug=circle.slug))
    invite = invite_for(token)
    return render_template("invite.html", invite=invite, circle=circle, token=token)


@bp.post("/invites/<token>/accept")
@login_required
def accept(token: str):
    circle = accept_invite(token, current_user)
    db.session.commit()
    flash(f"Welcome to {circle.name}! Your reading position is shared with the circle.")
    return redirect(url_for("circles.dashboard", slug=circle.slug))


@bp.post("/c/<slug>/leave")
@circle_view()
def leave(circle: Circle, membership: Membership):
    if membership.role == "owner":
        abort(409, "Owners can't leave their circle. Hand it to another member first.")
    db.session.delete(membership)
    db.session.commit()
    flash(f"You left {circle.name}.")
    return redirect(url_for("circles.mine"))


def ask_first(circle: Circle, question: str, detail: str, action_label: str):
    """Hard-to-undo actions on the members list ask before acting: without confirm=yes
    in the form, the answer is a page with the question and the same action confirmed.
    Works without JavaScript; None once confirmed."""
    if request.form.get("confirm") == "yes":
        return None
    back_url = url_for("circles.dashboard", slug=circle.slug) + "#members"
    return render_template(
        "confirm.html", question=question, detail=detail, action_label=action_label,
        back_url=back_url,
    )  # fmt: skip


@bp.post("/c/<slug>/members/<int:user_id>/remove")
@circle_view("moderator")
def remove_member(circle: Circle, membership: Membership, user_id: int):
    target = member_of(circle, user_id)
    if target.user_id == membership.user_id:
        abort(409, "To leave the circle, use “Leave circle”.")
    if target.at_least(membership.role) and membership.role != "owner":
        abort(403, "Moderators can only remove members.")
    name = target.user.name
    question = f"Remove {name} from {circle.name}?"
    detail = (
        f"{name} will no longer see the circle or its discussion. Their comments stay. "
        "To come back they need a new invite link."
    )
    if page := ask_first(circle, question, detail, f"Remove {name}"):
        return page
    db.session.delete(target)
    db.session.commit()
    flash(f"{name} is no longer in the circle.")
    return redirect(url_for("circles.dashboard", slug=circle.slug) + "#members")


@bp.post("/c/<slug>/members/<int:user_id>/role")
@circle_view("owner")
def set_role(circle: Circle, membership: Membership, user_id: int):
    target = member_of(circle, user_id)
    role = request.form.get("role")
    if role not in ("member", "moderator"):
        abort(400, "A member can be made a moderator or a member.")
    if target.role == "owner":
        abort(409, "To hand over the circle, use “Make owner”.")
    target.role = role
    db.session.commit()
    flash(f"{target.user.name} is now a {role}.")
    return redirect(url_for("circles.dashboard", slug=circle.slug) + "#members")


@bp.post("/c/<slug>/members/<int:user_id>/transfer")
@circle_view("owner")
def transfer(circle: Circle, membership: Membership, user_id: int):
    target = member_of(circle, user_id)
    if target.user_id == membership.user_id:
        abort(409, "You already own this circle.")
    name = target.user.name
    question = f"Hand {circle.name} to {name}?"
    detail = (
        f"{name} becomes the owner: the schedule, roles and invites are theirs to manage, "
        "and only they can give the circle back. You stay on as a moderator."
    )
    if page := ask_first(circle, question, detail, f"Make {name} the owner"):
        return page
    target.role, membership.role = "owner", "moderator"
    db.session.commit()
    flash(f"{target.user.name} now owns the circle; you stay on as a moderator.")
    return redirect(url_for("circles.dashboard", slug=circle.slug) + "#members")


@bp.post("/c/<slug>/schedule")
@circle_view("owner")
def set_schedule(circle: Circle, membership: Membership):
    form = schedule_form(circle, formdata=request.form)
    if not form.validate():
        abort(400, "Dates look like 2026-12-31; leave a chapter empty for no target.")
    wanted: dict[int, date] = {}
    for chapter in circle.work.chapters:
        if value := form[f"chapter_{chapter.number}"].data:
            wanted[chapter.number] = value
    circle.schedule = [ScheduleEntry(chapter=n, due=d) for n, d in sorted(wanted.items())]
    db.session.commit()
    flash("Schedule saved." if wanted else "Schedule cleared.")
    return redirect(url_for("circles.dashboard", slug=circle.slug) + "#schedule")


@bp.post("/c/<slug>/delete")
@circle_view("owner")
def delete(circle: Circle, membership: Membership):
    if request.form.get("confirm_name", "").strip() != circle.name:
        abort(400, "Type the circle's name exactly to delete it.")
    db.session.delete(circle)
    db.session.commit()
    flash(f"{circle.name} was deleted.")
    return redirect(url_for("circles.mine"))
