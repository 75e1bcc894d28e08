"""Companion: a reading companion for readers' circles. `create_app` builds the app."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import config

PACKAGE = Path(__file__).resolve().parent


def _resource_dir(name: str) -> str:
    """Top-level templates/, static/, seeds/ in a checkout; inside the package in a wheel."""
    checkout = PACKAGE.parent / name
    return str(checkout if checkout.is_dir() else PACKAGE / name)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("COMPANION_INSTANCE") or None,
        template_folder=_resource_dir("templates"),
        static_folder=_resource_dir("static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    app.config["SEEDS_DIR"] = _resource_dir("seeds")
    if test_config:
        app.config.update(test_config)

    from . import assets, database, errors, htmx, pagecache, render, security
    from .extensions import csrf, db, limiter, login_manager, migrate
    from .notify import mail

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    htmx.init_app(app)
    render.init_app(app)
    pagecache.init_app(app)
    assets.init_app(app)
    mail.init_app(app)  # Flask-Mailman: SMTP when MAIL_SERVER is set, else instance/outbox/

    from . import api, auth, circles, discussion, reading, warning_prefs
    from .jobs import queue as job_queue
    from .jobs import views as job_views
    from .library import views as library_views
    from .notify import account_views as account_mail
    from .notify import views as notify_views

    app.register_blueprint(reading.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(circles.bp)
    app.register_blueprint(discussion.bp)
    app.register_blueprint(warning_prefs.bp)
    app.register_blueprint(library_views.bp)
    app.register_blueprint(job_views.bp)
    app.register_blueprint(account_mail.bp)
    app.register_blueprint(notify_views.bp)
    job_queue.init_app(app)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens only, never cookies: nothing to forge
    # A mail client's RFC 8058 one-click POST has no session; the signed link is the proof.
    # The view still checks CSRF on the page's own button.
    csrf.exempt(notify_views.unsubscribe)
    return app
