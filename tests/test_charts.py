"""Progress charts: position arithmetic, schedule standing, pace and the SVG itself.

Pure functions only: no database, no app. The work below has 100 paragraphs in four
chapters of 10, 30, 20 and 40, so chapter ends fall at 0.1, 0.4, 0.6 and 1.0 and the
expected numbers can be checked by hand.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest
from markupsafe import Markup

from companion.charts import (
    ChapterInfo,
    MemberProgress,
    ScheduleEntry,
    Standing,
    chapter_boundaries,
    chapters_finished,
    fraction,
    pace,
    pace_sparkline,
    progress_chart,
    scheduled_chapter,
    standing,
    standing_detail,
    weekly_progress,
)

SVG = "{http://www.w3.org/2000/svg}"

CHAPTERS = [
    ChapterInfo(1, "One", 10),
    ChapterInfo(2, "Two", 30),
    ChapterInfo(3, "Three", 20),
    ChapterInfo(4, "Four", 40),
]

# Chapter n is finished by the end of (n * 7 - 4) December: 3, 10, 17, 24.
SCHEDULE = [
    ScheduleEntry(1, date(2024, 12, 3)),
    ScheduleEntry(2, date(2024, 12, 10)),
    ScheduleEntry(3, date(2024, 12, 17)),
    ScheduleEntry(4, date(2024, 12, 24)),
]

HOSTILE = ["<script>alert(1)</script>", '"onload="x', "Tom & 'Jerry'", "'><svg onload=alert(1)>"]


def member(chapter: int, paragraph: int, name: str = "Ana", history=None) -> MemberProgress:
    return MemberProgress(name, chapter, paragraph, list(history or []))


def parse(markup: Markup) -> ET.Element:
    return ET.fromstring(str(markup))


def attrs(root: ET.Element, tag: str, cls: str) -> list[dict[str, str]]:
    return [e.attrib for e in root.iter(f"{SVG}{tag}") if cls in e.get("class", "").split()]


def lanes(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-lane"]


# --- fraction ------------------------------------------------------------------------


def test_boundaries_are_paragraph_weighted():
    assert chapter_boundaries(CHAPTERS) == pytest.approx([0.0, 0.1, 0.4, 0.6, 1.0])


def test_fraction_lands_on_boundaries_at_chapter_ends():
    boundaries = chapter_boundaries(CHAPTERS)
    for info in CHAPTERS:
        end = fraction(CHAPTERS, info.number, info.paragraphs - 1)
        assert end == pytest.approx(boundaries[info.number])
    assert fraction(CHAPTERS, 4, 39) == 1.0


def test_fraction_at_start_and_inside_chapters():
    assert fraction(CHAPTERS, 0, 0) == 0.0
    assert fraction(CHAPTERS, 0, 7) == 0.0  # not started, whatever the paragraph
    assert fraction(CHAPTERS, 1, 0) == pytest.approx(0.01)  # the paragraph you are at counts
    assert fraction(CHAPTERS, 2, 0) == pytest.approx(0.11)
    assert fraction(CHAPTERS, 3, 9) == pytest.approx(0.5)


def test_fraction_clamps_positions_outside_the_work():
    assert fraction(CHAPTERS, 1, 500) == pytest.approx(0.1)
    assert fraction(CHAPTERS, 2, -3) == pytest.approx(0.11)
    assert fraction(CHAPTERS, 9, 0) == 1.0
    assert fraction([], 3, 4) == 0.0


def test_fraction_is_strictly_increasing_through_the_work():
    positions = [(0, 0)] + [(c.number, p) for c in CHAPTERS for p in range(c.paragraphs)]
    values = [fraction(CHAPTERS, c, p) for c, p in positions]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(later > earlier for earlier, later in pairwise(values))


def test_empty_chapter_gets_a_sliver_not_a_division_by_zero():
    chapters = [ChapterInfo(1, "Epigraph", 0), ChapterInfo(2, "Body", 9)]
    assert chapter_boundaries(chapters) == pytest.approx([0.0, 0.1, 1.0])
    assert fraction(chapters, 1, 0) == pytest.approx(0.1)


def test_chapters_finished_needs_the_last_paragraph():
    assert chapters_finished(0, 0, CHAPTERS) == 0
    assert chapters_finished(2, 28, CHAPTERS) == 1
    assert chapters_finished(2, 29, CHAPTERS) == 2
    assert chapters_finished(9, 0, CHAPTERS) == 4  # past the end: the whole work
    # Without paragraph counts the end of a chapter is unknown: count conservatively.
    assert chapters_finished(2, 29) == 1


# --- schedule and standing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 11, 30), 0),
        (date(2024, 12, 2), 0),
        (date(2024, 12, 3), 1),  # due today counts
        (date(2024, 12, 9), 1),
        (date(2024, 12, 10), 2),
        (date(2024, 12, 24), 4),
        (date(2025, 3, 1), 4),
    ],
)
def test_scheduled_chapter(today, expected):
    assert scheduled_chapter(SCHEDULE, today) == expected
    assert scheduled_chapter(list(reversed(SCHEDULE)), today) == expected


def test_scheduled_chapter_without_schedule():
    assert scheduled_chapter([], date(2024, 12, 10)) == 0
    assert scheduled_chapter(None, date(2024, 12, 10)) == 0


@pytest.mark.parametrize(
    ("chapter", "paragraph", "expected"),
    [
        (2, 29, "on schedule"),  # exactly finished chapter 2, due 10 Dec
        (3, 5, "on schedule"),  # into chapter 3 but not through it
        (3, 19, "ahead by 1 chapter"),
        (4, 39, "ahead by 2 chapters"),
        (2, 28, "behind by 1 chapter"),  # one paragraph short of the end
        (1, 9, "behind by 1 chapter"),
        (0, 0, "behind by 2 chapters"),
    ],
)
def test_standing_on_the_tenth(chapter, paragraph, expected):
    today = date(2024, 12, 10)
    assert standing(member(chapter, paragraph), SCHEDULE, today, chapters=CHAPTERS) == expected


def test_standing_without_schedule():
    assert standing(member(3, 4), [], date(2024, 12, 10), chapters=CHAPTERS) == "no schedule"
    detail = standing_detail(member(3, 4), None, date(2024, 12, 10), chapters=CHAPTERS)
    assert detail == Standing("no schedule", 0, 2, 0)
    assert detail.css_class == "standing-none"


def test_standing_detail_carries_the_numbers_and_class():
    detail = standing_detail(member(1, 3), SCHEDULE, date(2024, 12, 17), chapters=CHAPTERS)
    assert detail == Standing("behind", 3, 0, 3)
    assert detail.label == "behind by 3 chapters"
    assert detail.css_class == "standing-behind"
    ahead = standing_detail(member(4, 0), SCHEDULE, date(2024, 12, 3), chapters=CHAPTERS)
    assert (ahead.status, ahead.chapters, ahead.css_class) == ("ahead", 2, "standing-ahead")
    on = standing_detail(member(1, 9), SCHEDULE, date(2024, 12, 3), chapters=CHAPTERS)
    assert on.css_class == "standing-on-schedule"


def test_standing_before_anything_is_due():
    today = date(2024, 12, 1)
    assert standing(member(0, 0), SCHEDULE, today, chapters=CHAPTERS) == "on schedule"
    assert standing(member(1, 9), SCHEDULE, today, chapters=CHAPTERS) == "ahead by 1 chapter"


def test_standing_caps_a_schedule_longer_than_the_work():
    schedule = [*SCHEDULE, ScheduleEntry(6, date(2024, 12, 31))]
    done = member(4, 39)
    assert standing(done, schedule, date(2025, 1, 5), chapters=CHAPTERS) == "on schedule"


def test_standing_without_chapters_counts_the_last_paragraph_conservatively():
    assert standing(member(2, 29), SCHEDULE, date(2024, 12, 10)) == "behind by 1 chapter"


# --- pace ----------------------------------------------------------------------------

# With CHAPTERS, chapters finished after each move: 1, 1, 2, 3, 0 (back to re-read), 3, 4.
HISTORY = [
    (datetime(2024, 11, 20, 9, 0), 1, 9),
    (datetime(2024, 11, 30, 23, 0), 2, 5),
    (datetime(2024, 12, 3, 8, 0), 2, 29),
    (datetime(2024, 12, 10, 21, 0), 3, 19),
    (datetime(2024, 12, 15, 10, 0), 1, 0),
    (datetime(2024, 12, 20, 19, 30), 4, 10),
    (datetime(2024, 12, 27, 22, 0), 4, 39),
]
READER = member(4, 39, "Ana", HISTORY)


def test_pace_is_net_chapters_over_the_window():
    # 28 days ending 28 Dec open on 1 Dec, with 1 chapter finished (the 30 Nov move is
    # before the window); by 28 Dec 4 are: (4 - 1) / 4 weeks.
    assert pace(READER, date(2024, 12, 28), chapters=CHAPTERS) == pytest.approx(0.75)
    assert pace(READER, date(2024, 12, 28), weeks=2, chapters=CHAPTERS) == pytest.approx(0.5)


def test_pace_counts_a_move_made_today():
    # The week 21..27 Dec opens with 3 finished and the 27 Dec move makes it 4.
    assert pace(READER, date(2024, 12, 27), weeks=1, chapters=CHAPTERS) == pytest.approx(1.0)


def test_moving_back_gives_zero_not_a_negative_pace():
    # 10..16 Dec: 2 finished at the start, back to chapter 1 on the 15th: 2 -> 0.
    assert pace(READER, date(2024, 12, 16), weeks=1, chapters=CHAPTERS) == 0.0


def test_going_back_and_returning_is_not_counted_twice():
    # 15..21 Dec: 3 -> 0 -> 3, so nothing new, although three boundaries were recrossed.
    assert pace(READER, date(2024, 12, 21), weeks=1, chapters=CHAPTERS) == 0.0


def test_pace_without_chapters_counts_chapters_left_behind():
    # Finished counts without paragraph counts: 0, 1, 1, 2, 0, 3, 3 -> (3 - 1) / 4 weeks.
    assert pace(READER, date(2024, 12, 28)) == pytest.approx(0.5)


def test_pace_edge_cases():
    assert pace(member(2, 3), date(2024, 12, 28), chapters=CHAPTERS) == 0.0  # no history
    aware = member(2, 29, history=[(datetime(2024, 12, 27, 23, 0, tzinfo=UTC), 2, 29)])
    assert pace(aware, date(2024, 12, 28), weeks=2, chapters=CHAPTERS) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        pace(READER, date(2024, 12, 28), weeks=0)


def test_weekly_progress_per_week_oldest_first():
    # Weeks ending 7, 14, 21, 28 Dec; finished 1 before, then 2, 3, 3, 4.
    weekly = weekly_progress(READER, date(2024, 12, 28), weeks=4, chapters=CHAPTERS)
    assert weekly == [1, 1, 0, 1]
    assert weekly_progress(READER, date(2024, 12, 21), weeks=2, chapters=CHAPTERS) == [1, 0]


def test_weekly_progress_clamps_a_week_that_moved_back():
    # Finished at the end of 2, 9, 16 Dec: 1, 2, 0 -- the last week went back two.
    assert weekly_progress(READER, date(2024, 12, 16), weeks=2, chapters=CHAPTERS) == [1, 0]


# --- the progress chart --------------------------------------------------------------

TODAY = date(2024, 12, 10)
MEMBERS = [
    member(3, 12, "Ana"),
    member(0, 0, "Ben"),
    member(2, 29, "Chloé"),
    member(4, 39, "Dev"),
]


def test_chart_is_accessible_svg_sized_by_viewbox():
    chart = progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY)
    assert isinstance(chart, Markup)
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("class") == "chart"
    assert "width" not in root.attrib and "height" not in root.attrib
    assert root.get("viewBox").startswith("0 0 720 ")
    assert [child.tag for child in root[:2]] == [f"{SVG}title", f"{SVG}desc"]
    desc = root[1].text
    assert desc.startswith("4 members; furthest: chapter 4; target today: chapter 2")
    assert desc.endswith("1 ahead, 2 on schedule, 1 behind.")


def test_chart_has_one_lane_per_member_with_tooltips():
    root = parse(progress_chart(CHAPTERS, MEMBERS, None, TODAY))
    lanes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-lane"]
    assert len(lanes) == len(MEMBERS)
    tooltips = [lane.find(f"{SVG}title").text for lane in lanes]
    assert tooltips == [
        "Ana: chapter 3, paragraph 13 of 20",
        "Ben: not started",
        "Chloé: chapter 2, paragraph 30 of 30",
        "Dev: chapter 4, paragraph 40 of 40",
    ]
    names = [lane.find(f"{SVG}text").text for lane in lanes]
    assert names == ["Ana", "Ben", "Chloé", "Dev"]


def test_chart_height_grows_with_members():
    def height(count: int) -> float:
        root = parse(progress_chart(CHAPTERS, MEMBERS[:count], SCHEDULE, TODAY))
        return float(root.get("viewBox").split()[3])

    assert height(2) - height(1) == 26
    assert height(4) - height(2) == 52


def test_bars_and_dots_end_at_the_position():
    root = parse(progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY))
    bars = attrs(root, "rect", "chart-bar")
    dots = attrs(root, "circle", "chart-dot")
    # The track runs from x=150 to x=700: Ana at 0.53, Ben at 0, Chloé at 0.4, Dev at 1.
    assert [b["width"] for b in bars] == ["291.5", "0", "220", "550"]
    assert [d["cx"] for d in dots] == ["441.5", "150", "370", "700"]
    assert len(attrs(root, "rect", "chart-track")) == 4


def test_bars_carry_the_standing_class_and_tooltips_say_it_in_words():
    root = parse(progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY))
    classes = [b["class"] for b in attrs(root, "rect", "chart-bar")]
    assert classes == [
        "chart-bar standing-on-schedule",  # Ana: 2 finished, inside chapter 3
        "chart-bar standing-behind",
        "chart-bar standing-on-schedule",
        "chart-bar standing-ahead",
    ]
    dots = [d["class"] for d in attrs(root, "circle", "chart-dot")]
    assert dots == [c.replace("chart-bar", "chart-dot") for c in classes]
    tooltips = [g.find(f"{SVG}title").text for g in lanes(root)]
    assert "Ben: not started (behind by 2 chapters)" in tooltips
    assert "Dev: chapter 4, paragraph 40 of 40 (ahead by 2 chapters)" in tooltips


def test_without_schedule_bars_are_standing_none():
    root = parse(progress_chart(CHAPTERS, MEMBERS, [], TODAY))
    classes = {b["class"] for b in attrs(root, "rect", "chart-bar")}
    assert classes == {"chart-bar standing-none"}


def test_ticks_and_chapter_numbers_at_boundaries():
    root = parse(progress_chart(CHAPTERS, MEMBERS, None, TODAY))
    ticks = attrs(root, "line", "chart-tick")
    assert [t["x1"] for t in ticks] == ["150", "205", "370", "480", "700"]
    labels = [e for e in root.iter(f"{SVG}text") if e.get("class") == "chart-label"]
    numbers = [(e.text, e.get("x")) for e in labels if e.text.isdigit()]
    assert numbers == [("1", "205"), ("2", "370"), ("3", "480"), ("4", "700")]


def test_chapter_numbers_are_thinned_but_the_last_is_kept():
    chapters = [ChapterInfo(n, f"Ch {n}", 1) for n in range(1, 101)]
    root = parse(progress_chart(chapters, MEMBERS, None, TODAY))
    assert len(attrs(root, "line", "chart-tick")) == 101
    numbers = [e for e in root.iter(f"{SVG}text") if (e.text or "").isdigit()]
    # 5.5 units per chapter: every 5th chapter keeps three-digit labels apart.
    assert [e.text for e in numbers] == [str(n) for n in range(5, 101, 5)]
    xs = [float(e.get("x")) for e in numbers]
    assert all(b - a >= 22 for a, b in pairwise(xs))


def test_the_last_chapter_number_is_kept_even_off_step():
    chapters = [ChapterInfo(n, f"Ch {n}", 1) for n in range(1, 98)]
    root = parse(progress_chart(chapters, MEMBERS, None, TODAY))
    numbers = [e.text for e in root.iter(f"{SVG}text") if (e.text or "").isdigit()]
    assert numbers[-2:] == ["90", "97"]  # 95 would collide with 97, so it gives way


def test_target_line_and_due_markers_only_with_a_schedule():
    with_schedule = parse(progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY))
    targets = [g for g in with_schedule.iter(f"{SVG}g") if g.get("class") == "chart-target"]
    assert len(targets) == 1
    line = targets[0].find(f"{SVG}line")
    assert line.get("x1") == line.get("x2") == "370"  # end of chapter 2, due 10 Dec
    assert targets[0].find(f"{SVG}text").text == "target today: end of ch 2"
    due = [g for g in with_schedule.iter(f"{SVG}g") if g.get("class") == "chart-due"]
    assert [g.find(f"{SVG}title").text for g in due] == [
        "ch 1 \u00b7 3 Dec",
        "ch 2 \u00b7 10 Dec",
        "ch 3 \u00b7 17 Dec",
        "ch 4 \u00b7 24 Dec",
    ]
    assert all(g.find(f"{SVG}polygon") is not None for g in due)

    for schedule in (None, []):
        root = parse(progress_chart(CHAPTERS, MEMBERS, schedule, TODAY))
        classes = {e.get("class") for e in root.iter()}
        assert "chart-target" not in classes
        assert "chart-due" not in classes
        assert "target today" not in root[1].text


def test_target_before_anything_is_due_sits_at_the_start():
    root = parse(progress_chart(CHAPTERS, MEMBERS, SCHEDULE, date(2024, 12, 1)))
    target = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-target")
    assert target.find(f"{SVG}line").get("x1") == "150"
    assert target.find(f"{SVG}text").text == "target today: nothing due yet"


def test_crowded_due_labels_are_thinned_but_every_marker_stays():
    chapters = [ChapterInfo(n, f"Ch {n}", 1) for n in range(1, 101)]
    schedule = [ScheduleEntry(n, date(2024, 12, n)) for n in range(1, 11)]
    root = parse(progress_chart(chapters, MEMBERS, schedule, TODAY))
    due = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-due"]
    assert len(due) == 10
    assert all(g.find(f"{SVG}polygon") is not None for g in due)
    shown = [g.find(f"{SVG}text") for g in due if g.find(f"{SVG}text") is not None]
    assert 1 <= len(shown) < 10
    assert shown[-1].text == "ch 10 \u00b7 10 Dec"  # the last one always stays
    # Labels are about 5.4 units a character; neighbours must not overlap.
    spans = [(float(t.get("x")), 2.7 * len(t.text)) for t in shown]
    assert all(a[0] + a[1] <= b[0] - b[1] for a, b in pairwise(spans))


def test_due_dates_in_another_year_show_the_year():
    schedule = [ScheduleEntry(1, date(2025, 1, 7))]
    root = parse(progress_chart(CHAPTERS, MEMBERS, schedule, TODAY))
    due = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-due")
    assert due.find(f"{SVG}title").text == "ch 1 \u00b7 7 Jan 2025"


def test_hostile_names_are_escaped_everywhere():
    members = [member(1, 2, name) for name in HOSTILE]
    chart = str(progress_chart(CHAPTERS, members, SCHEDULE, TODAY))
    spark = str(pace_sparkline(members[0], TODAY))
    for raw in (chart, spark):
        assert "<script" not in raw
        assert "<svg onload" not in raw
        assert '"onload="' not in raw
        root = ET.fromstring(raw)
        for element in root.iter():
            assert element.tag.removeprefix(SVG) not in {"script", "style", "foreignObject"}
            assert not any(name.startswith("on") or name == "style" for name in element.attrib)
            if element.tag != f"{SVG}svg":  # markup is only ever the SVG we wrote
                assert element.tag.removeprefix(SVG) in {
                    "title", "desc", "g", "line", "text", "rect", "circle", "polygon",
                }  # fmt: skip
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart
    # The parsed text round-trips to the original name, so escaping lost nothing.
    root = ET.fromstring(chart)
    tooltips = [g.find(f"{SVG}title").text for g in lanes(root)]
    for name in HOSTILE:
        assert f"{name}: chapter 1, paragraph 3 of 10 (behind by 2 chapters)" in tooltips
    assert ET.fromstring(spark)[0].text.startswith("<script>alert(1)</script>: ")


def test_long_names_are_shortened_in_the_label_but_not_the_tooltip():
    name = "Bartholomew Featherstonehaugh-Smythe"
    root = parse(progress_chart(CHAPTERS, [member(1, 0, name)], None, TODAY))
    lane = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-lane")
    assert lane.find(f"{SVG}title").text.startswith(name + ":")
    label = lane.find(f"{SVG}text").text
    assert len(label) == 20 and label.endswith("\u2026") and name.startswith(label[:-1])


def test_control_characters_cannot_break_the_xml():
    root = parse(progress_chart(CHAPTERS, [member(1, 0, "Eve\x00\x07\x1b")], None, TODAY))
    lane = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-lane")
    assert lane.find(f"{SVG}text").text == "Eve"


def test_no_styles_or_scripts_and_coordinates_are_short():
    chart = str(progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY))
    spark = str(pace_sparkline(READER, date(2024, 12, 28), 7, chapters=CHAPTERS))
    number = re.compile(r"^-?\d+(\.\d)?$")
    for raw in (chart, spark):
        assert "style" not in raw and "script" not in raw
        for element in ET.fromstring(raw).iter():
            for name in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"):
                if name in element.attrib:
                    assert number.match(element.get(name)), (element.tag, name)
            for point in element.get("points", "").replace(",", " ").split():
                assert number.match(point), point


def test_chart_is_deterministic():
    first = progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY)
    assert progress_chart(CHAPTERS, MEMBERS, SCHEDULE, TODAY) == first


def test_empty_circle_and_empty_work_still_draw():
    empty = parse(progress_chart(CHAPTERS, [], SCHEDULE, TODAY))
    assert empty[1].text.startswith("0 members;")
    assert not [g for g in empty.iter(f"{SVG}g") if g.get("class") == "chart-lane"]
    nothing = parse(progress_chart([], MEMBERS[:1], None, TODAY))
    assert len(attrs(nothing, "line", "chart-tick")) == 1
    assert attrs(nothing, "rect", "chart-bar")[0]["width"] == "0"


# --- the sparkline -------------------------------------------------------------------


@pytest.mark.parametrize("weeks", [1, 4, 6, 10])
def test_sparkline_has_one_bar_per_week(weeks):
    spark = pace_sparkline(READER, date(2024, 12, 28), weeks, chapters=CHAPTERS)
    assert isinstance(spark, Markup)
    root = parse(spark)
    assert root.get("class") == "spark" and root.get("role") == "img"
    bars = attrs(root, "rect", "spark-bar")
    assert len(bars) == weeks
    assert root.get("width") == str(weeks * 8 - 2)


def test_sparkline_bars_scale_to_the_busiest_week():
    root = parse(pace_sparkline(READER, date(2024, 12, 28), 4, chapters=CHAPTERS))
    bars = attrs(root, "rect", "spark-bar")
    # Weekly counts 1, 1, 0, 1: full height for a chapter, a 1-unit stub for none.
    assert [b["height"] for b in bars] == ["18", "18", "1", "18"]
    assert [b["y"] for b in bars] == ["2", "2", "19", "2"]
    assert root.find(f"{SVG}desc").text == "1, 1, 0, 1 (oldest first)"
    tips = [rect.find(f"{SVG}title").text for rect in root.iter(f"{SVG}rect")]
    assert tips[0] == "week to 7 Dec: 1 chapter"
    assert tips[2] == "week to 21 Dec: 0 chapters"
