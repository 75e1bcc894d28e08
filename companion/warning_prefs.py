"""Each reader's content-warning choices (the page at /account/warnings and
`GET|PUT /api/v1/me/warnings`, both saving through `companion.warnings.visible`), and
member flags: a circle member flags a passage, a moderator confirms or dismisses it.

Confirmed flags count for every reader of the work who opted into the label (a warning
only ever names a label, so a flag cannot carry anyone's words to other readers); the
member's note is evidence, shown to the circle's moderators only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .auth import safe_next
from .circles import circle_view
from .extensions import db
from .models import Circle, ContentWarning, Membership
from .reading import find_chapter, paragraphs_of
from .warnings import visible
from .warnings.taxonomy import LABELS, LABELS_BY_KEY, SEVERITIES

bp = Blueprint("warning_prefs", __name__)


def choices_json(user_id: int) -> list[dict]:
    saved = visible.preferences_of(user_id)
    return [
        {
            "label": label.key,
            "name": label.name,
            "description": label.description,
            "mode": saved[label.key].mode if label.key in saved else "off",
            "min_severity": saved[label.key].min_severity if label.key in saved else "mention",
        }
        for label in LABELS
    ]


@bp.route("/account/warnings", methods=["GET", "POST"])
@login_required
def preferences():
    if request.method == "POST":
        try:
            if preset := request.form.get("preset"):
                choices = visible.preset_choices(preset)
            else:
                choices = {
                    label.key: (
                        request.form.get(f"mode-{label.key}", "off"),
                        request.form.get(f"severity-{label.key}", "mention"),
                    )
                    for label in LABELS
                }
            visible.save_preferences(current_user.id, choices)
        except visible.PreferenceError as error:
            db.session.rollback()
            abort(400, str(error))
        db.session.commit()
        flash("Your warning choices are saved.")
        if target := request.form.get("next"):
            return redirect(safe_next(target))
        return redirect(url_for("warning_prefs.preferences"))
    return render_template(
        "warnings.html",
        choices=choices_json(current_user.id),
        modes=visible.MODE_NAMES,
        severities=SEVERITIES,
        chosen=visible.has_chosen(current_user.id),
    )


def api_get():
    return jsonify(preferences=choices_json(g.api_user.id))


def api_put():
    """{"preferences": [{"label", "mode", "min_severity"}, ...]} or {"preset": name};
    labels not mentioned keep their choice."""
    from .api import body, field

    data = body()
    try:
        if "preset" in data:
            choices = visible.preset_choices(field(data, "preset", str))
        else:
            items = data.get("preferences")
            if not isinstance(items, list):
                abort(400, "'preferences' must be a list of {label, mode, min_severity}.")
            choices = {}
            for item in items:
                if not isinstance(item, dict):
                    abort(400, "Each preference is an object {label, mode, min_severity}.")
                choices[field(item, "label", str)] = (
                    field(item, "mode", str),
                    field(item, "min_severity", str, required=False, default="mention"),
                )
        visible.save_preferences(g.api_user.id, choices)
    except visible.PreferenceError as error:
        db.session.rollback()
        abort(400, str(error))
    db.session.commit()
    return api_get()


# --- member flags -------------------------------------------------------------------------


@bp.route("/c/<slug>/chapters/<int:number>/flag", methods=["GET", "POST"])
@circle_view()
def flag(circle: Circle, membership: Membership, number: int):
    """Flag a passage of this chapter for a label; it waits for a moderator."""
    chapter = find_chapter(circle.work_id, number)
    count = len(paragraphs_of(chapter))
    if request.method == "POST":
        label = request.form.get("label", "")
        severity = request.form.get("severity", "moderate")
        first = request.form.get("first", type=int)
        last = request.form.get("last", type=int) or first
        if label not in LABELS_BY_KEY or severity not in SEVERITIES:
            abort(400, "Choose one of the listed labels and severities.")
        if first is None or not (1 <= first <= last <= count):
            abort(400, f"Paragraphs are numbered 1 to {count}; the last can't precede the first.")
        db.session.add(
            ContentWarning(
                work_id=circle.work_id,
                chapter=number,
                paragraph_start=first - 1,
                paragraph_end=last - 1,
                label=label,
                severity=severity,
                source="member",
                confidence=1.0,
                evidence=request.form.get("note", "").strip()[:500],
                state="pending",
                circle_id=circle.id,
                flagged_by_id=membership.user_id,
            )
        )
        db.session.commit()
        flash("Thanks: a moderator will look at your flag.")
        return redirect(url_for("discussion.chapter", slug=circle.slug, number=number))
    return render_template(
        "flag.html",
        circle=circle,
        chapter=chapter,
        paragraph_count=count,
        labels=LABELS,
        severities=SEVERITIES,
    )


def pending_flags(circle: Circle) -> list[ContentWarning]:
    return list(
        db.session.scalars(
            select(ContentWarning)
            .where(ContentWarning.circle_id == circle.id, ContentWarning.state == "pending")
            .order_by(ContentWarning.chapter, ContentWarning.paragraph_start)
        )
    )


@bp.post("/c/<slug>/flags/<int:flag_id>/confirm")
@circle_view("moderator")
def confirm(circle: Circle, membership: Membership, flag_id: int):
    return decide(circle, membership, flag_id, "confirm")


@bp.post("/c/<slug>/flags/<int:flag_id>/dismiss")
@circle_view("moderator")
def dismiss(circle: Circle, membership: Membership, flag_id: int):
    return decide(circle, membership, flag_id, "dismiss")


def decide(circle: Circle, membership: Membership, flag_id: int, decision: str):
    row = db.session.scalar(
        select(ContentWarning).where(
            ContentWarning.id == flag_id,
            ContentWarning.circle_id == circle.id,
            ContentWarning.source == "member",
        )
    )
    if row is None:
        abort(404, "That flag isn't in this circle.")
    row.state = "confirmed" if decision == "confirm" else "dismissed"
    row.decided_by_id = membership.user_id
    db.session.commit()
    flash(
        "Flag confirmed: readers who asked for it are warned."
        if decision == "confirm"
        else "Flag dismissed."
    )
    return redirect(url_for("discussion.moderation", slug=circle.slug))
