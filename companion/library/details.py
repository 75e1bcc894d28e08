"""A work's details as its uploader edits them: title, authors, rating and tag groups.

Everything here is plain text, kept as text and escaped wherever it is shown (never
HTML): control characters are dropped and runs of whitespace become one space. Lists are
typed comma-separated, as on the archive, so a tag never holds a comma. The work's tags
are one of the warnings layer's sources, so saving re-runs tag detection for the work in
the same transaction."""

from __future__ import annotations

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from ..models import ContentWarning, Work, utcnow
from ..warnings.detect import from_tags

TITLE_LENGTH = 500  # Work.title
RATING_LENGTH = 100  # Work.rating
NAME_LENGTH = 150  # one author or one tag (the archive's own tag limit)
LIST_LENGTH = 75  # names per list
RATINGS = ("Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit")
# (Work attribute, label) for every tag group the page edits, in the archive's order.
TAG_GROUPS = (
    ("archive_warnings", "Archive warnings"),
    ("fandoms", "Fandoms"),
    ("relationships", "Relationships"),
    ("characters", "Characters"),
    ("tags", "Additional tags"),
)
LIST_FIELDS = ("authors", *(name for name, _ in TAG_GROUPS))

_SPACE = re.compile(r"\s+")


def plain_text(value: str | None) -> str:
    """One line of text: no control or format characters (bidi overrides included), one
    space between words."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value or ""
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return _SPACE.sub(" ", kept).strip()


def split_names(value: str | None) -> list[str]:
    """ "a, b,, a " → ["a", "b"]: trimmed, empty and repeated entries dropped."""
    names: list[str] = []
    for piece in (value or "").split(","):
        name = plain_text(piece)
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def _names_fit(form, field) -> None:
    names = split_names(field.data)
    if len(names) > LIST_LENGTH:
        raise ValidationError(f"At most {LIST_LENGTH} entries, separated by commas.")
    if too_long := next((n for n in names if len(n) > NAME_LENGTH), None):
        raise ValidationError(f"“{too_long[:40]}…” is longer than {NAME_LENGTH} characters.")


def _title_not_blank(form, field) -> None:
    if not plain_text(field.data):
        raise ValidationError("A work needs a title.")


def _list_field(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[_names_fit])


class WorkDetailsForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired("A work needs a title."),
            Length(max=TITLE_LENGTH, message=f"At most {TITLE_LENGTH} characters."),
            _title_not_blank,
        ],
    )
    authors = StringField("Authors", validators=[_names_fit])
    rating = StringField(
        "Rating", validators=[Length(max=RATING_LENGTH, message="At most 100 characters.")]
    )
    archive_warnings = _list_field("Archive warnings")
    fandoms = _list_field("Fandoms")
    relationships = _list_field("Relationships")
    characters = _list_field("Characters")
    tags = _list_field("Additional tags")

    @classmethod
    def of(cls, work: Work) -> WorkDetailsForm:
        """The form, filled from the work (or, on a POST, from what was sent)."""
        data = {"title": work.title, "rating": work.rating}
        data |= {name: ", ".join(getattr(work, name) or []) for name in LIST_FIELDS}
        return cls(data=data)


def save_details(work: Work, form: WorkDetailsForm) -> None:
    """Apply a validated form to the work and refresh its tag warnings. No commit.

    The fields it changes are remembered as edited by hand: a new version of the file
    keeps them (companion.library.store), so a re-import never undoes the owner's edit."""
    values = {"title": plain_text(form.title.data), "rating": plain_text(form.rating.data)}
    values |= {name: split_names(form[name].data) for name in LIST_FIELDS}
    changed = {name for name, value in values.items() if getattr(work, name) != value}
    for name, value in values.items():
        setattr(work, name, value)
    work.edited_details = sorted(set(work.edited_details or []) | changed)
    # Readers' pages (and the anonymous page cache) key on this.
    work.updated_at = utcnow()
    refresh_tag_warnings(work)


def refresh_tag_warnings(work: Work) -> None:
    """Replace what the tag source says about the work with what its tags say now."""
    kept = [w for w in work.content_warnings if w.source != "tags"]
    work.content_warnings = kept + [ContentWarning.stored(d) for d in from_tags(work)]
