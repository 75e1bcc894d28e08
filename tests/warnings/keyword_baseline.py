"""The yardstick the trained detector must beat: a plain keyword list with no context.

Twenty-five regexes, one or two per common label, matched anywhere in a chapter's text:
a chapter holds a label when any of its keywords occurs. No negation, no idioms, no
weights, no training. This is the "25-regex keyword list" of issue 14, written from the
label names alone.
"""

from __future__ import annotations

import re

KEYWORDS: dict[str, str] = {
    "violence": r"\b(?:stab\w*|punch\w*|beat(?:en|ing)|murder\w*|kill(?:ed|ing)?)\b",
    "death": r"\b(?:died|dead|death|funeral|corpse)\b",
    "dying": r"\b(?:dying|deathbed)\b",
    "blood": r"\b(?:blood\w*|bleed\w*|bled)\b",
    "suicide": r"\b(?:suicid\w*|kill(?:ed)? (?:him|her|my)self)\b",
    "self-harm": r"\bself[- ]harm\w*\b",
    "sexual-assault": r"\b(?:rape[ds]?|raping|molest\w*)\b",
    "pornographic-content": r"\b(?:orgasm\w*|naked)\b",
    "abuse": r"\babus\w*\b",
    "child-abuse": r"\bchild abuse\b",
    "medical": r"\b(?:doctor\w*|hospital\w*|surgeon\w*)\b",
    "mental-illness": r"\b(?:mad(?:ness)?|insan\w*|depress\w*|panic)\b",
    "racism": r"\b(?:slaves?|slavery|racis\w*|nigg\w*)\b",
    "pregnancy": r"\bpregnan\w*\b",
    "childbirth": r"\b(?:labou?r pains|gave birth|giving birth)\b",
    "torture": r"\btortur\w*\b",
    "kidnapping": r"\bkidnap\w*\b",
    "abduction": r"\babduct\w*\b",
    "animal-death": r"\b(?:horse|dog) (?:died|was killed)\b",
    "animal-cruelty": r"\b(?:whip(?:ped)?|lash(?:ed)?)\b",
    "eating-disorders": r"\b(?:anorex\w*|bulimi\w*)\b",
    "homophobia": r"\b(?:homophob\w*|fag\w*)\b",
    "dissection": r"\b(?:dissect\w*|autops\w*)\b",
    "miscarriages": r"\bmiscarr\w*\b",
    "classism": r"\b(?:pauper|beggar)s?\b",
}
_COMPILED = {label: re.compile(pattern, re.IGNORECASE) for label, pattern in KEYWORDS.items()}


def chapter_labels(paragraphs) -> dict[str, str]:
    text = "\n".join(paragraphs)
    return {label: "mention" for label, regex in _COMPILED.items() if regex.search(text)}


def predict(work_data, chapter_numbers) -> dict:
    """A gold-format prediction for the given chapters (notes: nothing; keywords do not
    read notes)."""
    wanted = set(chapter_numbers)
    chapters = [
        {"n": c.number, "body": chapter_labels(c.paragraphs), "notes": []}
        for c in work_data.chapters
        if c.number in wanted
    ]
    return {"work": "", "chapters": chapters}
