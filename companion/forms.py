"""Form definitions (Flask-WTF: CSRF token and validation in one place)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class LoginForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=30)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class SignupForm(FlaskForm):
    # Lengths and characters are checked by `accounts`, the one place that knows them.
    name = StringField("Name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new = PasswordField("New password", validators=[DataRequired()])


class EmailForm(FlaskForm):
    # What makes an address plausible is checked by `accounts.check_email`; this only keeps
    # absurd lengths out before it runs.
    address = EmailField("E-mail address", validators=[DataRequired(), Length(max=320)])


class ForgotPasswordForm(FlaskForm):
    name_or_address = StringField(
        "Your account name or e-mail address", validators=[DataRequired(), Length(max=320)]
    )


class ResetPasswordForm(FlaskForm):
    new = PasswordField("New password", validators=[DataRequired()])
    again = PasswordField("The new password again", validators=[DataRequired()])


class ReadingForm(FlaskForm):
    auto_advance = BooleanField("Move my place forward as I read")


class CircleForm(FlaskForm):
    name = StringField("Circle name", validators=[DataRequired(), Length(min=2, max=80)])
    work_id = SelectField("Work", coerce=int, validators=[DataRequired()])


class InviteForm(FlaskForm):
    days = IntegerField("Valid for (days)", default=7, validators=[NumberRange(1, 90)])
    max_uses = IntegerField("Number of people", default=10, validators=[NumberRange(1, 500)])


class ScheduleForm(FlaskForm):
    """One optional date per chapter; the fields are added per work in the view."""

    @classmethod
    def for_chapters(cls, numbers: list[int]) -> type[ScheduleForm]:
        fields = {
            f"chapter_{n}": DateField(f"Chapter {n}", validators=[Optional()]) for n in numbers
        }
        return type("WorkScheduleForm", (cls,), fields)
