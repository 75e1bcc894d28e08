"""Detection in chapter text: what a reader would be warned about, and what only looks like
it. Every sentence here is written for this test, not taken from a work."""

from __future__ import annotations

import pytest

from companion.importers.base import ChapterData
from companion.warnings.detect import chapter_labels, from_text
from companion.warnings.taxonomy import severity_rank


def labels_in(*paragraphs: str) -> dict[str, str]:
    chapter = ChapterData(number=1, paragraphs=list(paragraphs))
    return chapter_labels(from_text(chapter), 1, "body")


# (sentence, label): the label must be found.
HAPPENING = [
    ("He looked down and realised he was bleeding through his shirt.", "blood"),
    ("There was blood on the blade when she pulled it free.", "blood"),
    ("Two of the guards died before sunrise.", "death"),
    ("Three soldiers were killed in the raid.", "death"),
    ("By morning the old man was dead.", "death"),
    ("They tortured him for hours in the cellar.", "torture"),
    ("He punched the stranger square in the jaw.", "violence"),
    ("She stabbed him twice before he could raise his hands.", "violence"),
    ("The soldier was dying in the mud, his breath coming in wet gasps.", "dying"),
    ("The child was abducted from the park on a Tuesday.", "abduction"),
    ("They kept her as a hostage in the basement for a week.", "kidnapping"),
    ("They rushed her into surgery before midnight.", "medical"),
    ("The seizures came every few hours now.", "medical"),
    ("His depression had kept him in bed for most of the winter.", "mental-illness"),
    ("She was six months pregnant and exhausted.", "pregnancy"),
    ("Old scars from years of self-harm striped her forearms.", "self-harm"),
    ("She had tried to kill herself the winter before.", "suicide"),
    ("He had been raped at the party, and told no one.", "sexual-assault"),
    ("She lost the baby in the spring; the miscarriage left her hollow.", "miscarriages"),
    ("At sixteen she was hospitalised for anorexia.", "eating-disorders"),
    ("The coroner began the autopsy at noon.", "dissection"),
    ("Someone had poisoned the dog, and it died on the porch.", "animal-death"),
    ("He pressed her down and slid his cock inside her, slow and deep.", "pornographic-content"),
    (
        "The landlord called them a slur and said he didn't rent to their kind; pure racism.",
        "racism",
    ),
    # Older English (lexicon_general), as a nineteenth-century novel says it.
    ("The driver lashed the poor horse until it stumbled.", "animal-cruelty"),
    ("They confined him in the asylum as a raving lunatic.", "mental-illness"),
    ("The overseer had the slaves flogged in the yard.", "racism"),
    ("The surgeon came at dawn and bled her twice.", "medical"),
    ("She was with child, and could hide it no longer.", "pregnancy"),
]


@pytest.mark.parametrize(("sentence", "label"), HAPPENING)
def test_what_happens_on_the_page_is_found(sentence, label):
    assert label in labels_in(sentence)


# (sentence, label): the label must NOT be found.
NEGATED = [
    ("He checked himself over, but he isn't bleeding.", "blood"),
    ("There was no blood on the blade when she pulled it free.", "blood"),
    ("No one died that night, thanks to the rain.", "death"),
    ("Nobody was killed in the raid, though the barn burned down.", "death"),
    ("He wasn't dead, just sleeping off the whiskey.", "death"),
    ("She never tortured anyone, whatever the stories said.", "torture"),
    ("He didn't punch him, in the end.", "violence"),
]


@pytest.mark.parametrize(("sentence", "label"), NEGATED)
def test_negated_events_are_not_warnings(sentence, label):
    assert label not in labels_in(sentence)


JOKES_AND_IDIOMS = [
    ('"Try not to die out there," she said with a grin.', "death"),
    ("Wear the sweater, it won't kill you.", "death"),
    ('"Wear the coat. It might kill you," he deadpanned, "but I doubt it."', "death"),
    ("I'm dying to know what happened at the party.", "dying"),
    ("I'm dying to know what happened at the party.", "death"),
    ("We're just killing time until the train comes.", "death"),
    ('"I\'m going to kill you," he laughed, tossing a pillow at her head.', "death"),
    ("If he makes one more pun I'll murder him, she joked.", "death"),
    ("Dinner was so good it was to die for.", "death"),
    ("The heat is killing me today.", "death"),
    ("She was bored to death in the meeting.", "death"),
    ("That boy is going to be the death of me.", "death"),
    ("I'd kill for a coffee right now.", "death"),
    ("Don't be such a dick about it.", "pornographic-content"),
    ("There was a pregnant pause before anyone answered.", "pregnancy"),
    ("They had to abort the mission when the storm hit.", "abortion"),
    ("It was a suicide mission and everyone knew it.", "suicide"),
    ("The story had the whole table in stitches.", "medical"),
    ("The singer captured the audience's attention at once.", "kidnapping"),
    ("The girl captured his heart on the first day.", "kidnapping"),
    ("His grandmother had a heart attack last spring.", "violence"),
    ("There was a shallow depression in the mattress where he had slept.", "mental-illness"),
    ("He shot her a look across the table.", "violence"),
    ("She shot the idea down before he finished the sentence.", "violence"),
    ("I'd never be caught dead in that shirt.", "death"),
    ("The battery was dead again.", "death"),
    ("He cut himself shaving and swore at the mirror.", "self-harm"),
]


@pytest.mark.parametrize(("sentence", "label"), JOKES_AND_IDIOMS)
def test_jokes_and_idioms_are_not_warnings(sentence, label):
    assert label not in labels_in(sentence)


METAPHORS = [
    ("The money was burning a hole in his pocket.", "violence"),
    ("He has such a bleeding heart for strays.", "blood"),
    ("A blood-curdling scream echoed down the hall.", "blood"),
    ("His blood ran cold at the sound.", "blood"),
    ("Blood rushed to her cheeks when he smiled.", "blood"),
    ("Waiting for the results was pure torture.", "torture"),
    ("It was a torturous wait for the bus.", "torture"),
    ("The news hit him like a punch to the gut.", "violence"),
    ("She stabbed at her salad with a fork.", "violence"),
    ("Her heart shattered when she read the letter.", "violence"),
    ("Her words were a knife to his heart.", "violence"),
    ("He was dead tired after the double shift.", "death"),
    ("The room went dead silent.", "death"),
]


@pytest.mark.parametrize(("sentence", "label"), METAPHORS)
def test_metaphors_are_not_warnings(sentence, label):
    assert label not in labels_in(sentence)


# Only talked about: feared, threatened, asked about. Either not counted at all, or counted
# as a mention.
HYPOTHETICAL = [
    ("If you go out there, you could die.", "death"),
    ("He was afraid she might die before they reached the village.", "death"),
    ("One wrong step and you'll be dead.", "death"),
    ("They threatened to kidnap his daughter.", "kidnapping"),
    ("He would rather be tortured than give them the name.", "torture"),
    # Asked, not told.
    ("Is he dead?", "death"),
    ("Did she really try to kill herself, that winter?", "suicide"),
    ("Was the boy kidnapped, or did he run?", "kidnapping"),
]


@pytest.mark.parametrize(("sentence", "label"), HYPOTHETICAL)
def test_what_is_only_feared_or_threatened_is_at_most_a_mention(sentence, label):
    found = labels_in(sentence)
    assert found.get(label, "mention") == "mention"


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Years ago, before any of this, he had watched his father die in the snow.", "death"),
        ("He still remembers the blood on the kitchen floor, the night his mother died.", "blood"),
        ("She remembered the war, the men killed in the trenches beside her.", "death"),
    ],
)
def test_memories_are_warned_about_but_less_intensely(sentence, label):
    found = labels_in(sentence)
    assert label in found
    assert severity_rank(found[label]) <= severity_rank("minor")


def test_the_same_event_on_the_page_is_more_severe_than_remembered():
    remembered = labels_in(
        "He remembered how the stranger stabbed his mother again and again, years ago."
    )
    present = labels_in(
        "The blade sank into her belly again and again, and blood gushed over his hands; "
        "she screamed in agony."
    )
    assert severity_rank(present["violence"]) > severity_rank(remembered["violence"])
    assert present["violence"] == "graphic"
    assert present["blood"] == "graphic"


@pytest.mark.parametrize(
    ("paragraphs", "label", "severity"),
    [
        (["She had heard of a murder in the next village."], "death", "mention"),
        (["A funeral was held for the captain on Sunday."], "death", "mention"),
        (["The guard was killed before he could shout."], "death", "minor"),
        (
            [
                "The blade slid between his ribs. He screamed, and blood poured over her "
                "fingers as she twisted it.",
                "He fell, gurgling, and she drove the knife into his throat.",
                "Blood soaked the floorboards beneath them both.",
            ],
            "violence",
            "graphic",
        ),
    ],
)
def test_severity_follows_how_much_is_shown(paragraphs, label, severity):
    assert labels_in(*paragraphs)[label] == severity


def test_consecutive_paragraphs_become_one_passage():
    chapter = ChapterData(
        number=3,
        paragraphs=[
            "The morning was quiet.",
            "The first blow split his lip and the second broke his nose.",
            '"Stop," he said.',
            "They kicked him until he curled up on the floor, bruised and bleeding.",
            "Later they had tea.",
            "The tea was cold.",
            "Much later, on the road home, a bandit punched the driver.",
        ],
    )
    violence = [d for d in from_text(chapter) if d.label == "violence"]
    # One quiet paragraph inside a scene does not split it; two do.
    assert [(d.paragraph_start, d.paragraph_end) for d in violence] == [(1, 3), (6, 6)]
    for detection in violence:
        assert detection.chapter == 3
        assert detection.source == "text"
        assert 0.0 <= detection.confidence <= 1.0
        assert detection.evidence
        assert len(detection.evidence) < 140


def test_rough_words_inside_a_consensual_sex_scene_are_not_violence():
    found = labels_in(
        "He pinned her wrists above her head and she moaned, arching into him as he "
        "thrust into her, her nipples hard against his chest. She'd have bruises on her hips "
        "tomorrow and she wanted every one of them."
    )
    assert "pornographic-content" in found
    assert "violence" not in found


def test_talk_about_sex_is_not_pornographic_content():
    found = labels_in("They had slept together once, years ago, and never spoke of it.")
    assert "pornographic-content" not in found


def test_an_empty_chapter_has_no_warnings():
    assert from_text(ChapterData(number=1, paragraphs=[])) == []
    assert labels_in("") == {}
