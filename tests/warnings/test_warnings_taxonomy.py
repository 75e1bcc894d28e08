"""The warning vocabulary and how archive tags map onto it."""

from __future__ import annotations

import pytest

from companion.importers.base import WorkData
from companion.warnings.detect import from_tags
from companion.warnings.taxonomy import (
    LABELS,
    LABELS_BY_KEY,
    PAN23_KEYS,
    SEVERITIES,
    labels_for_tag,
    max_severity,
    normalize_tag,
    severity_rank,
)


def test_there_are_34_unique_labels_each_described_for_readers():
    keys = [label.key for label in LABELS]
    assert len(keys) == 34
    assert len(set(keys)) == 34
    assert len(PAN23_KEYS) == 32
    assert {"medical", "torture"} <= set(keys)
    for label in LABELS:
        assert label.name.strip()
        assert len(label.description) > 20, label.key
        assert label.description.endswith("."), label.key


def test_severities_are_ordered_from_mention_to_graphic():
    assert SEVERITIES == ("mention", "minor", "moderate", "graphic")
    assert severity_rank("mention") < severity_rank("graphic")
    assert max_severity("minor", "graphic", "mention") == "graphic"
    with pytest.raises(ValueError):
        severity_rank("extreme")


@pytest.mark.parametrize(
    ("tag", "label", "severity"),
    [
        ("Graphic Depictions Of Violence", "violence", "graphic"),
        ("Major Character Death", "death", "moderate"),
        ("Rape/Non-Con", "sexual-assault", "moderate"),
        ("Underage", "underage", "moderate"),
        ("Torture", "torture", "moderate"),
        ("Blood and Injury", "blood", "moderate"),
        ("Self-Harm", "self-harm", "moderate"),
        ("Suicidal Thoughts", "suicide", "minor"),
        ("Canon-Typical Violence", "violence", "moderate"),
        ("Explicit Sexual Content", "pornographic-content", "graphic"),
        ("Medical Procedures", "medical", "moderate"),
        ("Hospitalization", "medical", "moderate"),
        ("Seizures", "medical", "moderate"),
        ("Grief/Mourning", "death", "minor"),
        ("Character Death", "death", "moderate"),
        ("Implied/Referenced Suicide", "suicide", "mention"),
        ("Past Child Abuse", "child-abuse", "mention"),
        ("Kidnapping", "kidnapping", "moderate"),
        ("Pregnancy", "pregnancy", "moderate"),
        ("Anal Sex", "pornographic-content", "moderate"),
        ("Gore", "violence", "graphic"),
        ("Mild Blood", "blood", "minor"),
        ("Depression", "mental-illness", "moderate"),
    ],
)
def test_common_tags_map_to_a_label_and_default_severity(tag, label, severity):
    matches = {match.label: match for match in labels_for_tag(tag)}
    assert label in matches, matches
    assert matches[label].severity == severity


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("self harm", "Self-Harm"),
        ("SELF-HARM!!", "Self-Harm"),
        ("rape - non con", "Rape/Non-Con"),
        ("Rape & Non-Con", "Rape/Non-Con"),
        ("graphic depictions of violence", "Graphic Depictions Of Violence"),
        ("grief & mourning", "Grief/Mourning"),
    ],
)
def test_tag_matching_ignores_case_and_punctuation(spelling, canonical):
    def labels(tag):
        return {(match.label, match.severity) for match in labels_for_tag(tag)}

    assert labels(spelling) == labels(canonical)
    assert labels(spelling)


def test_normalized_tags_keep_only_words():
    assert normalize_tag("  Rape/Non-Con ") == "rape non con"
    assert normalize_tag("Blood & Injury") == "blood and injury"


@pytest.mark.parametrize(
    ("tag", "labels"),
    [
        # substring rules catch variants nobody listed
        ("Graphic Torture", {"torture"}),
        ("Minor Character Death", {"death"}),
        ("Temporary Character Death", {"death"}),
        ("Brief Suicide Attempt", {"suicide"}),
        ("Domestic Violence", {"abuse", "violence"}),
        ("Child Sexual Abuse", {"child-abuse", "sexual-assault"}),
        # the specific rule wins over the generic one
        ("Child Abuse", {"child-abuse"}),
        ("Animal Abuse", {"animal-cruelty"}),
    ],
)
def test_substring_rules_cover_variants(tag, labels):
    assert {match.label for match in labels_for_tag(tag)} == labels


@pytest.mark.parametrize(
    "tag",
    [
        "Creator Chose Not To Use Archive Warnings",
        "No Archive Warnings Apply",
        "Death Eaters",
        "Unresolved Sexual Tension",
        "Dead Dove: Do Not Eat",
        "Suicide Mission",
        "Fluff",
        "Slow Burn",
        "Alcohol",
        "",
    ],
)
def test_tags_that_name_no_warning_map_to_nothing(tag):
    assert labels_for_tag(tag) == []


def test_hurt_comfort_alone_is_too_weak_to_count():
    (match,) = labels_for_tag("Hurt/Comfort")
    assert match.label == "violence"
    assert match.confidence < 0.5


def test_from_tags_gives_work_level_detections_with_the_tags_as_evidence():
    work = WorkData(
        title="t",
        chapters=[],
        source_format="ao3-text",
        archive_warnings=["Graphic Depictions Of Violence", "Major Character Death"],
        tags=["Blood and Injury", "Torture", "Fluff", "Implied/Referenced Self-Harm"],
        rating="Explicit",
    )
    found = {d.label: d for d in from_tags(work)}
    assert set(found) == {
        "violence",
        "death",
        "blood",
        "torture",
        "self-harm",
        "pornographic-content",
    }
    assert found["violence"].severity == "graphic"
    assert "Graphic Depictions Of Violence" in found["violence"].evidence
    assert found["self-harm"].severity == "mention"
    # An Explicit rating alone is a weak hint: it is also given for violence.
    assert found["pornographic-content"].confidence <= 0.5
    for detection in found.values():
        assert detection.source == "tags"
        assert detection.chapter is None
        assert detection.paragraph_start is None
        assert detection.label in LABELS_BY_KEY
