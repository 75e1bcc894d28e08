"""Content warnings in the app: stored at import, the `companion warnings` commands, the
opt-in gate, the preferences page and API, and rendering only what a reader chose."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.models import Circle, ContentWarning, Membership, User, Work
from companion.warnings import visible
from companion.warnings.taxonomy import LABELS
from tests.conftest import ROOT, SEED

GOLD = ROOT / "tests" / "data" / "warnings" / "sample.json"
BODY_FLOOR, NOTES_FLOOR = 0.85, 0.9


def user_id(app, name: str) -> int:
    with app.app_context():
        return User.by_name(name).id


def choose(app, name: str, choices: dict[str, tuple[str, str]]) -> None:
    with app.app_context():
        visible.save_preferences(user_id(app, name), choices)
        db.session.commit()


# --- stored at import ------------------------------------------------------------------


def test_import_stores_detections_with_the_work_quickly(app, cli, tmp_path):
    copy = tmp_path / "sample.txt"
    shutil.copy(SEED, copy)
    result = cli("import", str(copy), "--title", "The sample")
    assert result.exit_code == 0, result.output
    with app.app_context():
        work = db.session.scalar(select(Work))
        rows = db.session.scalars(
            select(ContentWarning).where(ContentWarning.work_id == work.id)
        ).all()
        assert {row.source for row in rows} >= {"notes", "text"}
        assert {row.chapter for row in rows} >= set(range(1, 9))
        torture = [
            r for r in rows if r.label == "torture" and r.chapter == 2 and r.source == "text"
        ]
        assert torture and all(r.paragraph_start is not None for r in torture)


def test_a_work_removed_takes_its_warnings_along(app, work):
    with app.app_context():
        db.session.delete(db.session.get(Work, work))
        db.session.commit()
        assert db.session.scalar(select(func.count(ContentWarning.id))) == 0


# --- CLI --------------------------------------------------------------------------------


def test_detect_prints_detections_per_chapter(cli, work):
    result = cli("warnings", "detect", str(work))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"work {work} ")
    assert [line for line in lines if line.endswith(":")] == ["whole work:"] + [
        f"chapter {n}:" for n in range(1, 9)
    ]
    assert re.search(r"^  torture\s+\w+\s+text\s+\d\.\d\d", result.output, re.MULTILINE)


def test_detect_as_json(cli, work):
    result = cli("warnings", "detect", str(work), "--json")
    document = json.loads(result.output)
    assert document["work_id"] == work
    assert [c["n"] for c in document["chapters"]] == [None, *range(1, 9)]
    chapter2 = document["chapters"][2]["detections"]
    assert {"label", "severity", "source", "confidence", "evidence"} <= chapter2[0].keys()
    assert "torture" in {d["label"] for d in chapter2}


def test_detect_an_unknown_work_is_one_line_and_exit_2(cli, app):
    result = cli("warnings", "detect", "999")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no work with id 999; 'companion import PATH' prints the ids"
    ]


def micro_f1(output: str, section: str) -> float:
    match = re.search(rf"^{section} micro-F1 ([\d.]+)", output, re.MULTILINE)
    assert match, output
    return float(match.group(1))


def test_eval_on_the_gold_file_meets_the_floors(cli, work):
    result = cli("warnings", "eval", str(GOLD))
    assert result.exit_code == 0, result.output
    assert micro_f1(result.output, "body") >= BODY_FLOOR
    assert micro_f1(result.output, "notes") >= NOTES_FLOOR
    assert "  torture " in result.output  # per-label figures
    assert re.fullmatch(r"micro-F1 \d\.\d{3} macro-F1 \d\.\d{3}", result.output.splitlines()[-1])


def test_eval_imports_a_work_named_by_a_path_next_to_the_gold(app, cli, tmp_path):
    shutil.copy(SEED, tmp_path / "the-work.txt")
    gold = json.loads(GOLD.read_text()) | {"work": "the-work.txt"}
    (tmp_path / "gold.json").write_text(json.dumps(gold))
    result = cli("warnings", "eval", str(tmp_path / "gold.json"))
    assert result.exit_code == 0, result.output
    assert micro_f1(result.output, "body") >= BODY_FLOOR
    with app.app_context():
        assert db.session.scalar(select(func.count(Work.id))) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such gold file"),
        ("{not json", "not a readable JSON gold file"),
        ("[1, 2]", "a gold file is a JSON object"),
        ('{"chapters": [{"n": 1}]}', "'work' must name the work's source file"),
        ('{"work": "x.txt", "chapters": []}', "gold has no 'chapters' list"),
        ('{"work": "x.txt", "chapters": [{"n": 1, "body": {"ghosts": "minor"}}]}', "ghosts"),
        ('{"work": "x.txt", "chapters": [{"n": 1}]}', "neither imported nor a file"),
    ],
)
def test_eval_rejects_a_bad_gold_file_in_one_line(cli, app, tmp_path, content, message):
    path = tmp_path / "gold.json"
    if content is not None:
        path.write_text(content)
    result = cli("warnings", "eval", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


# --- the gate ---------------------------------------------------------------------------


def test_nobody_gets_warnings_without_opting_in(app, work, make_user):
    make_user("ada")
    with app.app_context():
        assert visible.warnings_for(None, work) == []
        assert visible.warnings_for(user_id(app, "ada"), work) == []
        visible.save_preferences(user_id(app, "ada"), {})  # saved, all off
        db.session.commit()
        assert visible.warnings_for(user_id(app, "ada"), work) == []


def test_only_opted_in_labels_at_or_above_the_minimum_severity(app, work, make_user):
    make_user("ada")
    choose(app, "ada", {"torture": ("passage", "mention"), "blood": ("chapter", "graphic")})
    with app.app_context():
        found = visible.warnings_for(user_id(app, "ada"), work)
        assert {w.label for w in found} == {"torture", "blood"}
        assert all(w.severity == "graphic" for w in found if w.label == "blood")
        assert all(w.mode == "passage" for w in found if w.label == "torture")
        in_chapter_2 = visible.warnings_for(user_id(app, "ada"), work, chapter=2)
        assert in_chapter_2 and {w.chapter for w in in_chapter_2} == {2}


def test_member_flags_count_only_once_confirmed(app, work, make_user):
    make_user("ada")
    choose(app, "ada", {"animal-cruelty": ("passage", "mention")})
    with app.app_context():
        flag = ContentWarning(
            work_id=work, chapter=1, paragraph_start=3, paragraph_end=4,
            label="animal-cruelty", severity="minor", source="member", state="pending",
        )  # fmt: skip
        db.session.add(flag)
        db.session.commit()
        assert visible.warnings_for(user_id(app, "ada"), work, 1) == []
        flag.state = "confirmed"
        db.session.commit()
        [shown] = visible.warnings_for(user_id(app, "ada"), work, 1)
        assert shown.source_words == "flagged by a member"


def test_touching_passages_merge_so_skip_lands_outside_all_of_them():
    def w(label, start, end):
        return visible.ReaderWarning(label, "minor", "text", 1, start, end, "passage")

    merged = visible.passages([w("blood", 5, 7), w("violence", 8, 9), w("death", 12, 12)], 20)
    assert [(p.start, p.end, p.labels) for p in merged] == [
        (5, 9, ("violence", "blood")),
        (12, 12, ("death",)),
    ]


# --- preferences page and API -----------------------------------------------------------


def test_preferences_page_needs_login(anonymous):
    response = anonymous.get("/account/warnings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_preferences_page_lists_every_label_and_saves(app, reader):
    ada = reader("ada")
    html = ada.get("/account/warnings").get_data(as_text=True)
    for label in LABELS:
        assert f'name="mode-{label.key}"' in html and label.description in html
    for preset in ("Tell me nothing", "Only graphic content", "Everything at chapter start"):
        assert preset in html
    response = ada.post(
        "/account/warnings", {"mode-torture": "passage", "severity-torture": "moderate"}
    )
    assert response.status_code == 302
    with app.app_context():
        saved = visible.preferences_of(user_id(app, "ada"))
        assert len(saved) == len(LABELS)
        assert (saved["torture"].mode, saved["torture"].min_severity) == ("passage", "moderate")
        assert saved["death"].mode == "off"


@pytest.mark.parametrize(
    ("preset", "mode", "severity"),
    [
        ("nothing", "off", "mention"),
        ("graphic", "chapter", "graphic"),
        ("chapter", "chapter", "mention"),
    ],
)
def test_presets(app, reader, preset, mode, severity):
    ada = reader("ada")
    assert ada.post("/account/warnings", {"preset": preset}).status_code == 302
    with app.app_context():
        saved = visible.preferences_of(user_id(app, "ada"))
        assert {(p.mode, p.min_severity) for p in saved.values()} == {(mode, severity)}


def test_a_made_up_mode_is_a_friendly_400(reader):
    ada = reader("ada")
    response = ada.post("/account/warnings", {"mode-torture": "always"})
    assert response.status_code == 400 and "mode for torture" in response.get_data(as_text=True)


def test_first_visit_prompt_until_the_reader_chooses(reader, anonymous, work):
    assert "cw-prompt" not in anonymous.get(f"/works/{work}").get_data(as_text=True)
    ada = reader("ada")
    html = ada.get(f"/works/{work}").get_data(as_text=True)
    assert "cw-prompt" in html and "/account/warnings" in html
    response = ada.post("/account/warnings", {"preset": "nothing", "next": f"/works/{work}"})
    assert response.headers["Location"].endswith(f"/works/{work}")
    assert "cw-prompt" not in ada.get(f"/works/{work}").get_data(as_text=True)


@pytest.fixture
def token(cli, make_user):
    def make(name: str) -> str:
        make_user(name)
        return cli("token", "create", name).output.strip()

    return make


def test_api_get_and_put_my_warnings(client, token):
    headers = {"Authorization": f"Bearer {token('ada')}"}
    assert client.get("/api/v1/me/warnings").status_code == 401
    prefs = client.get("/api/v1/me/warnings", headers=headers).get_json()["preferences"]
    assert len(prefs) == len(LABELS) and {p["mode"] for p in prefs} == {"off"}
    body = {"preferences": [{"label": "torture", "mode": "passage", "min_severity": "minor"}]}
    prefs = client.put("/api/v1/me/warnings", json=body, headers=headers).get_json()["preferences"]
    torture = next(p for p in prefs if p["label"] == "torture")
    assert (torture["mode"], torture["min_severity"]) == ("passage", "minor")
    bad = {"preferences": [{"label": "torture", "mode": "loudly"}]}
    response = client.put("/api/v1/me/warnings", json=bad, headers=headers)
    assert response.status_code == 400
    assert (
        client.put("/api/v1/me/warnings", json={"preset": "x"}, headers=headers).status_code == 400
    )


def test_api_chapter_carries_only_the_callers_warnings(app, client, token, work):
    headers = {"Authorization": f"Bearer {token('ada')}"}
    assert client.get(f"/api/v1/works/{work}/chapters/2").get_json()["warnings"] == []
    assert (
        client.get(f"/api/v1/works/{work}/chapters/2", headers=headers).get_json()["warnings"] == []
    )
    choose(app, "ada", {"torture": ("passage", "mention")})
    found = client.get(f"/api/v1/works/{work}/chapters/2", headers=headers).get_json()["warnings"]
    assert found and {w["label"] for w in found} == {"torture"}
    assert all("evidence" not in w for w in found)


# --- rendering --------------------------------------------------------------------------


class WarningMarkup(HTMLParser):
    """Collects every label named by warning markup: data-warning / data-warning-labels
    attributes, and the text inside elements whose class starts with "cw-" (but not the
    story paragraphs a collapsed passage holds)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: set[str] = set()
        self.text: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.keys.update((attrs.get("data-warning") or "").split())
        self.keys.update((attrs.get("data-warning-labels") or "").split())
        classes = (attrs.get("class") or "").split()
        inside = self.stack[-1] if self.stack else False
        if "para" in classes:
            inside = False  # story text, where "death" may well be a word
        elif any(c.startswith("cw-") for c in classes) and "cw-passage" not in classes:
            inside = True
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self.stack.append(inside)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1]:
            self.text.append(data)


def warning_markup(html: str) -> tuple[set[str], str]:
    parser = WarningMarkup()
    parser.feed(html)
    return parser.keys, " ".join(parser.text).lower()


def test_no_label_the_reader_did_not_opt_into_reaches_any_response(app, reader, token, work):
    ada = reader("ada")
    choose(app, "ada", {"torture": ("passage", "mention")})
    api = {"Authorization": f"Bearer {token('ada-api')}"}
    choose(app, "ada-api", {"torture": ("passage", "mention")})
    others = [label for label in LABELS if label.key != "torture"]

    pages = [f"/works/{work}"] + [f"/works/{work}/chapters/{n}" for n in range(1, 9)]
    seen_torture = False
    for path in pages:
        response = ada.get(path)
        assert response.status_code == 200
        keys, text = warning_markup(response.get_data(as_text=True))
        assert keys <= {"torture"}, (path, keys)
        for label in others:
            assert label.name.lower() not in text and label.key not in text, (path, label.key)
        seen_torture |= "torture" in keys
    assert seen_torture  # the scan looked at real warning markup

    for n in range(1, 9):
        data = ada.client.get(f"/api/v1/works/{work}/chapters/{n}", headers=api).get_json()
        assert {w["label"] for w in data["warnings"]} <= {"torture"}
        assert not any(w["name"] != "Torture" for w in data["warnings"])


def test_chapter_start_banner_names_label_severity_and_source(app, reader, work):
    ada = reader("ada")
    choose(app, "ada", {"torture": ("chapter", "mention")})
    html = ada.get(f"/works/{work}/chapters/2").get_data(as_text=True)
    banner = html[html.index('class="cw-banner"') : html.index("</aside>")]
    assert 'data-warning="torture"' in banner
    assert '<span class="cw-severity">moderate</span>' in banner
    assert "the author&#39;s notes say" in banner and "found in the text" in banner
    assert "can miss things" in banner
    # Chapter start includes the passage: it is collapsed too.
    assert 'class="cw-passage"' in html


def test_passage_is_collapsed_with_a_skip_link_to_the_next_clean_paragraph(app, reader, work):
    ada = reader("ada")
    choose(app, "ada", {"torture": ("passage", "mention")})
    html = ada.get(f"/works/{work}/chapters/2").get_data(as_text=True)
    assert "cw-banner" not in html  # passage mode only
    passages = re.findall(
        r'<div class="cw-passage"[^>]*>.*?href="#(p-[\w-]+|progress)".*?'
        r'<details class="cw-details">(.*?)</details>\s*</div>\s*'
        r'(?:<div class="para" id="([\w-]+)")?',
        html,
        re.DOTALL,
    )
    assert passages
    for skip, inside, following in passages:
        assert 'class="para"' in inside
        assert skip == (following or "progress")


def test_up_front_labels_on_the_work_page_only_for_up_front(app, reader, work):
    ada = reader("ada")
    choose(app, "ada", {"torture": ("upfront", "mention"), "blood": ("chapter", "mention")})
    keys, _ = warning_markup(ada.get(f"/works/{work}").get_data(as_text=True))
    assert keys == {"torture"}


def test_circle_chapter_pages_apply_the_same_gate(app, reader, work):
    ada = reader("ada")
    choose(app, "ada", {"torture": ("passage", "mention")})
    response = ada.post("/circles", {"name": "Tuesday club", "work_id": str(work)})
    slug = response.headers["Location"].rstrip("/").split("/")[-1]
    keys, _ = warning_markup(ada.get(f"/c/{slug}/chapters/2").get_data(as_text=True))
    assert keys == {"torture"}


# --- member flags -----------------------------------------------------------------------


def test_a_member_flag_shows_once_a_moderator_confirms_it(app, reader, work):
    olive = reader("olive")
    response = olive.post("/circles", {"name": "Tuesday club", "work_id": str(work)})
    slug = response.headers["Location"].rstrip("/").split("/")[-1]
    mel = reader("mel")
    with app.app_context():
        circle = Circle.by_slug(slug)
        circle.memberships.append(Membership(user_id=user_id(app, "mel"), role="member"))
        db.session.commit()
    choose(app, "olive", {"animal-cruelty": ("chapter", "mention")})
    page = mel.get(f"/c/{slug}/chapters/1/flag").get_data(as_text=True)
    assert 'name="label"' in page
    response = mel.post(
        f"/c/{slug}/chapters/1/flag",
        {
            "label": "animal-cruelty",
            "severity": "minor",
            "first": "3",
            "last": "4",
            "note": "the dog scene",
        },
    )
    assert response.status_code == 302
    # Pending: nobody is warned yet, and members cannot decide.
    assert "cw-banner" not in olive.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    with app.app_context():
        flag_id = db.session.scalar(
            select(ContentWarning.id).where(ContentWarning.state == "pending")
        )
    assert mel.post(f"/c/{slug}/flags/{flag_id}/confirm").status_code == 403
    moderation = olive.get(f"/c/{slug}/moderation").get_data(as_text=True)
    assert "Confirm flag" in moderation
    assert olive.post(f"/c/{slug}/flags/{flag_id}/confirm").status_code == 302
    html = olive.get(f"/works/{work}/chapters/1").get_data(as_text=True)
    banner = html[html.index('class="cw-banner"') : html.index("</aside>")]
    assert 'data-warning="animal-cruelty"' in banner and "flagged by a member" in banner
    assert "dog scene" not in html  # the note stays with the moderators
    assert "dog scene" in moderation


@pytest.mark.parametrize(
    "form",
    [
        {"label": "ghosts", "first": "1"},
        {"label": "violence", "first": "0"},
        {"label": "violence", "first": "5", "last": "2"},
        {"label": "violence", "first": "100000"},
    ],
)
def test_a_bad_flag_is_a_friendly_400(app, reader, work, form):
    olive = reader("olive")
    response = olive.post("/circles", {"name": "Tuesday club", "work_id": str(work)})
    slug = response.headers["Location"].rstrip("/").split("/")[-1]
    assert olive.post(f"/c/{slug}/chapters/1/flag", form).status_code == 400
