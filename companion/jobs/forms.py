"""The upload and confirm forms (Flask-WTF: the CSRF token and validation in one place)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

ACCEPT = ".html,.htm,.xhtml,.epub,.md,.markdown,.txt,text/plain,text/html,application/epub+zip"


class UploadForm(FlaskForm):
    """The next read of a circle: just the file."""

    file = FileField("The work's file", validators=[FileRequired("Choose the file to upload.")])


class NewCircleUploadForm(UploadForm):
    """A new circle reading the uploaded work: its name, then the file."""

    circle_name = StringField("Circle name", validators=[DataRequired(), Length(min=2, max=80)])


class ConfirmForm(FlaskForm):
    # Required only when the file has no title of its own (checked in the view).
    title = StringField("Title", validators=[Length(max=500)])
    private = BooleanField("Private to the circle: only its members can read it")
