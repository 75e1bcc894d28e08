"""Library pages for a work's people: its uploader edits its details, and a circle's owner
starts reading a work from the circle's shelf together.

Who may read a work is `access`'s to decide; who may act in a circle is `circle_view`'s."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import circles
from ..circles import ask_first, circle_view
from ..extensions import db, login_manager
from ..models import Circle, Membership
from . import access, details, shelf

bp = Blueprint("library", __name__)


@bp.route("/works/<int:work_id>/edit", methods=["GET", "POST"])
def edit_work(work_id: int):
    # Someone who may not read the work learns nothing of it, signed in or not.
    work = access.readable_work_or_404(work_id, access.reader_id())
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    access.require_uploader(work, current_user.id)
    form = details.WorkDetailsForm.of(work)
    if form.validate_on_submit():
        details.save_details(work, form)
        db.session.commit()
        flash("Details saved.")
        return redirect(url_for("reading.work", work_id=work.id))
    status = 400 if form.errors else 200
    return render_template("work_edit.html", work=work, form=form, ratings=details.RATINGS), status


@bp.post("/c/<slug>/shelf/<int:work_id>/start")
@circle_view("owner")
def start_reading_together(circle: Circle, membership: Membership, work_id: int):
    work = shelf.shelved_work(circle.id, work_id)
    if work is None:
        abort(404, "That work isn't on this circle's shelf.")
    name = shelf.next_read_name(circle, work)
    question = f"Start reading “{work.title}” together?"
    detail = (
        f"A new circle, “{name}”, starts with everyone in {circle.name}, each in the role "
        f"they have now. {circle.name} and its discussion stay as they are: each read keeps "
        "its own discussion, and everyone's place is kept per work."
    )
    if page := ask_first(circle, question, detail, "Start reading together"):
        return page
    new_circle = circles.create_circle(membership.user, name, work)
    shelf.move_to_new_circle(circle, work, new_circle)
    db.session.commit()
    flash(f"“{new_circle.name}” has started, with everyone from {circle.name}.")
    return redirect(url_for("circles.dashboard", slug=new_circle.slug))
