"""Uploading through the JSON API: `POST /api/v1/works` answers 202 with a job, which
`GET /api/v1/jobs/<id>` reports until it is done. API uploads import without a preview.

Routes on `companion.api.bp` (imported at the end of api.py), behind its bearer tokens."""

from __future__ import annotations

from flask import abort, g, jsonify, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..api import bp, token_required
from ..circles import load_circle
from ..extensions import db, limiter
from ..models import Job
from . import queue, tasks, uploads
from .views import upload_rate, uploader_key

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def job_json(job: Job) -> dict:
    report = uploads.report(job)
    return {
        "id": job.id,
        "state": report.state,
        "progress": report.progress,
        "message": report.message,
        "work_id": job.work_id if report.state == "done" else None,
    }


def flag(name: str, default: bool) -> bool:
    value = request.form.get(name, "").strip().lower()
    if not value:
        return default
    if value not in TRUE | FALSE:
        abort(400, f"'{name}' is true or false.")
    return value in TRUE


@bp.post("/works")
@token_required
@limiter.limit(upload_rate, key_func=uploader_key)
def upload_work():
    request.max_content_length = uploads.REQUEST_LIMIT
    try:
        file = request.files.get("file")
    except RequestEntityTooLarge:
        abort(413, uploads.too_large())
    if file is None:
        abort(400, "Send the work's file as the multipart form field 'file'.")
    title = request.form.get("title", "").strip()
    if len(title) > 500:
        abort(400, "A title is at most 500 characters.")
    slug = request.form.get("circle", "").strip()
    circle = load_circle(slug, g.api_user.id, "owner")[0] if slug else None
    try:
        job = uploads.start(
            g.api_user.id,
            file.read(),
            file.filename,
            preview=False,
            circle_id=circle.id if circle else None,
            next_read=circle is not None,
            title=title or None,
            private=flag("private", default=circle is not None),
        )
    except uploads.UploadRefused as refused:
        abort(refused.status, str(refused))
    db.session.commit()
    queue.submit(tasks.import_upload, job.id)
    db.session.refresh(job)  # in immediate mode the import has already run
    response = jsonify(job_json(job))
    response.headers["Location"] = url_for("api.job", job_id=job.id, _external=True)
    return response, 202


@bp.get("/jobs/<job_id>")
@token_required
def job(job_id: str):
    return jsonify(job_json(uploads.job_of(g.api_user.id, job_id)))
