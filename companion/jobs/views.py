"""Uploading a work in the browser: the upload form, the job page with its preview and
progress bar (htmx polls the progress fragment, which answers 286 to stop), confirm and
cancel.

Anyone signed in may upload a work to start a circle reading it; a circle's owner may add
the next read to their circle (`?circle=<slug>`; others get the circle's usual 403/404);
a work's uploader may upload a corrected version of it (`?work=<id>`; the work's own
access rules answer everyone else). A job is its owner's alone (`uploads.job_of`)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import update
from werkzeug.exceptions import RequestEntityTooLarge

from .. import circles
from ..extensions import csrf, db, limiter
from ..importers import MAX_BYTES
from ..library import access
from ..models import Circle, Job, Work, utcnow
from . import queue, tasks, uploads
from .forms import ACCEPT, ConfirmForm, NewCircleUploadForm, UploadForm

bp = Blueprint("jobs", __name__)

# Polling answers this once a job needs nothing more from a worker: htmx stops polling.
STOP_POLLING = 286


def upload_rate() -> str:
    return current_app.config["UPLOAD_RATE_LIMIT"]


def uploader_key() -> str:
    """Uploads count per person (a shared address is not one uploader)."""
    user = getattr(g, "api_user", None) or current_user
    return f"user:{user.id}" if user and user.is_authenticated else request.remote_addr


def upload_form(circle: Circle | None, work: Work | None = None, **kwargs) -> UploadForm:
    return (UploadForm if circle or work else NewCircleUploadForm)(**kwargs)


def render_upload(form: UploadForm, circle: Circle | None, work: Work | None, status: int = 200):
    return render_template("upload.html", **upload_context(form, circle, work)), status


def upload_context(form: UploadForm, circle: Circle | None, work: Work | None = None) -> dict:
    return {
        "form": form,
        "circle": circle,
        "work": work,
        "accept": ACCEPT,
        "max_bytes": MAX_BYTES,
    }


def work_to_replace(work_id: str | None) -> Work | None:
    """`?work=<id>`: the work a new version is for; only its uploader may send one."""
    if work_id is None:
        return None
    if not work_id.isdigit():
        abort(404, access.WORK_NOT_FOUND)
    work = access.readable_work_or_404(int(work_id), current_user.id)
    access.require_uploader(work, current_user.id)
    return work


@bp.route("/upload", methods=["GET", "POST"])
@login_required
# CSRF is checked below, once the 20 MB limit is set: the app-wide check would read the
# body under the app-wide 2 MB limit first.
@csrf.exempt
@limiter.limit(upload_rate, methods=["POST"], key_func=uploader_key)
def upload():
    slug = request.args.get("circle")
    circle = circles.load_circle(slug, current_user.id, "owner")[0] if slug else None
    work = None if circle else work_to_replace(request.args.get("work"))
    if request.method == "POST":
        request.max_content_length = uploads.REQUEST_LIMIT
        try:
            if current_app.config.get("WTF_CSRF_ENABLED", True):
                csrf.protect()
        except RequestEntityTooLarge:
            form = upload_form(circle, work, formdata=None)
            form.file.errors = [uploads.too_large()]
            return render_upload(form, circle, work, 413)
    form = upload_form(circle, work)
    if form.validate_on_submit():
        file = form.file.data
        try:
            job = uploads.start(
                current_user.id,
                file.read(),
                file.filename,
                preview=True,
                circle_id=circle.id if circle else None,
                next_read=circle is not None,
                circle_name=form.circle_name.data.strip() if hasattr(form, "circle_name") else None,
                replace_work_id=work.id if work else None,
            )
        except uploads.UploadRefused as refused:
            form.file.errors = [str(refused)]
            return render_upload(form, circle, work, refused.status)
        db.session.commit()
        queue.submit(tasks.parse_upload, job.id)
        return redirect(url_for("jobs.job", job_id=job.id), 303)
    return render_upload(form, circle, work, 400 if form.errors else 200)


def job_context(job: Job, confirm_form: ConfirmForm | None = None) -> dict:
    report = uploads.report(job)
    circle = db.session.get(Circle, job.circle_id) if job.circle_id else None
    if circle is not None and circle.membership_of(current_user.id) is None:
        circle = None  # left (or was removed from) the circle since
    work = _replacing(job)
    done = report.state == "done" and job.work_id is not None
    context = {
        # What the upload became, for its owner (who may always read their own upload).
        "result": db.session.get(Work, job.work_id) if done else None,
        "job": job,
        "report": report,
        "circle": circle,
        "preview": job.preview,
        "replacing": work,
    }
    if report.state == "parsed" and job.preview is not None:
        context["confirm_form"] = confirm_form or ConfirmForm(
            formdata=None,
            data={"title": job.preview["title"], "private": True},
        )
    if report.state == "failed" and job.preview is None:
        # The file could not be read: the upload form again, with the reason as its error.
        form = upload_form(circle, work, formdata=None, data=_retry_data(job))
        form.file.errors = [report.message]
        context |= upload_context(form, circle, work)
    return context


def _replacing(job: Job) -> Work | None:
    """The work this upload is a new version of, while its uploader may still read it."""
    work_id = job.options.get("replace_work_id")
    if work_id is None:
        return None
    return db.session.scalar(access.readable_works(current_user.id).where(Work.id == work_id))


def _retry_data(job: Job) -> dict:
    return {"circle_name": job.options.get("circle_name") or ""}


@bp.get("/jobs/<job_id>")
@login_required
def job(job_id: str):
    job = uploads.job_of(current_user.id, job_id)
    return render_template("job.html", **job_context(job))


@bp.get("/jobs/<job_id>/progress")
@login_required
def progress(job_id: str):
    job = uploads.job_of(current_user.id, job_id)
    context = job_context(job)
    body = render_template("_partials/job_progress.html", **context)
    return body, 200 if context["report"].pending else STOP_POLLING


@bp.post("/jobs/<job_id>/confirm")
@login_required
def confirm(job_id: str):
    job = uploads.job_of(current_user.id, job_id)
    if uploads.report(job).state != "parsed":
        abort(409, "This upload was already confirmed or cancelled.")
    form = ConfirmForm()
    title = (form.title.data or "").strip()
    replacing = job.options.get("replace_work_id") is not None
    if form.validate() and not title and not job.preview["title"] and not replacing:
        form.title.errors = ["This file carries no title: give the work one."]
    if form.errors:
        return render_template("job.html", **job_context(job, form)), 400
    options = {
        **job.options,
        # A new version keeps its work's title unless the file says otherwise; the work's
        # page is where a title is edited by hand.
        "title": None if replacing else title or None,
        "private": form.private.data,
    }
    # Only one confirm wins, however often the button is pressed.
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == "parsed")
        .values(
            state="queued",
            progress=0,
            message="Waiting for a worker…",
            options=options,
            updated_at=utcnow(),
        )
    ).rowcount
    db.session.commit()
    if claimed:
        queue.submit(tasks.import_upload, job.id)
    return redirect(url_for("jobs.job", job_id=job.id), 303)


@bp.post("/jobs/<job_id>/cancel")
@login_required
def cancel(job_id: str):
    job = uploads.job_of(current_user.id, job_id)
    if uploads.report(job).state not in ("uploaded", "parsed", "failed"):
        abort(409, "This work is being imported already; it can't be cancelled now.")
    circle = db.session.get(Circle, job.circle_id) if job.circle_id else None
    if circle and job.options.get("next_read"):
        back = url_for("circles.dashboard", slug=circle.slug)
    elif work := _replacing(job):
        back = url_for("reading.work", work_id=work.id)
    else:
        back = url_for("circles.mine")
    db.session.delete(job)
    db.session.commit()
    flash("Upload cancelled: nothing was stored.")
    return redirect(back, 303)
