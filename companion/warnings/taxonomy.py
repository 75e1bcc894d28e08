"""The warning vocabulary: labels, severities, and how archive tags map onto labels.

The labels are the 32 of the PAN23 trigger-detection task (Wiegmann et al. 2023), plus
`medical` and `torture`, which readers of long fan works ask for often enough to be worth
their own switch. Keys are stable identifiers stored in the database and in gold files;
names and descriptions are what a reader sees when choosing what to be warned about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    key: str
    name: str
    description: str


# In the order the PAN23 task lists them (roughly, most to least frequent on the archive).
PAN23_KEYS: tuple[str, ...] = (
    "pornographic-content",
    "violence",
    "death",
    "sexual-assault",
    "abuse",
    "blood",
    "suicide",
    "pregnancy",
    "child-abuse",
    "incest",
    "underage",
    "homophobia",
    "self-harm",
    "dying",
    "kidnapping",
    "mental-illness",
    "dissection",
    "eating-disorders",
    "abduction",
    "body-hatred",
    "childbirth",
    "racism",
    "sexism",
    "miscarriages",
    "transphobia",
    "abortion",
    "fat-phobia",
    "animal-death",
    "ableism",
    "classism",
    "misogyny",
    "animal-cruelty",
)
EXTRA_KEYS: tuple[str, ...] = ("medical", "torture")

_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "pornographic-content": (
        "Sexual content",
        "Sex shown on the page in explicit detail, not just mentioned or implied.",
    ),
    "violence": (
        "Violence",
        "People hurting each other on purpose: fights, attacks, wounds, killings.",
    ),
    "death": (
        "Death",
        "A character dies or is found dead, or a death and its aftermath (funerals, "
        "graves, mourning) are part of the story.",
    ),
    "sexual-assault": (
        "Sexual assault",
        "Sexual contact without consent, including rape and molestation.",
    ),
    "abuse": (
        "Abuse",
        "Someone repeatedly mistreated by a person with power over them: physical, "
        "emotional or domestic abuse.",
    ),
    "blood": ("Blood", "Blood or bleeding described on the page, beyond a passing word."),
    "suicide": (
        "Suicide",
        "Suicide, suicide attempts, or a character thinking about ending their life.",
    ),
    "pregnancy": ("Pregnancy", "A character is pregnant or the story dwells on pregnancy."),
    "child-abuse": ("Child abuse", "A child hurt, neglected or exploited by an adult."),
    "incest": ("Incest", "Sexual or romantic relationships between close relatives."),
    "underage": (
        "Underage sexual content",
        "Sexual content that involves someone under eighteen.",
    ),
    "homophobia": (
        "Homophobia",
        "Hostility, slurs or discrimination against gay, lesbian or bisexual people.",
    ),
    "self-harm": (
        "Self-harm",
        "A character deliberately hurting themselves, such as cutting or burning.",
    ),
    "dying": (
        "Dying",
        "A character close to death or in the process of dying: fatal wounds, last "
        "moments, a deathbed.",
    ),
    "kidnapping": (
        "Kidnapping",
        "Someone seized and held against their will, as a captive or hostage.",
    ),
    "mental-illness": (
        "Mental illness",
        "Depression, anxiety disorders, PTSD, psychosis and other mental illness.",
    ),
    "dissection": (
        "Dissection",
        "Bodies cut open and examined: autopsies, dissections, organ removal.",
    ),
    "eating-disorders": (
        "Eating disorders",
        "Anorexia, bulimia, binge eating, or a character starving themselves.",
    ),
    "abduction": (
        "Abduction",
        "Someone taken away by force or deceit, including children snatched away.",
    ),
    "body-hatred": (
        "Body hatred",
        "A character hating or being disgusted by their own body or appearance.",
    ),
    "childbirth": ("Childbirth", "Labour and giving birth, shown or described."),
    "racism": (
        "Racism",
        "Prejudice, slurs or discrimination because of race or ethnicity.",
    ),
    "sexism": ("Sexism", "Treating people as lesser because of their sex or gender."),
    "miscarriages": ("Miscarriage", "The loss of a pregnancy, including stillbirth."),
    "transphobia": (
        "Transphobia",
        "Hostility towards trans people: slurs, misgendering, deadnaming.",
    ),
    "abortion": ("Abortion", "Ending a pregnancy on purpose."),
    "fat-phobia": ("Fat-phobia", "Mocking, shaming or hating people for being fat."),
    "animal-death": ("Animal death", "An animal dies or is killed."),
    "ableism": (
        "Ableism",
        "Contempt or slurs aimed at disabled people, or treating disability as shameful.",
    ),
    "classism": (
        "Classism",
        "Looking down on people because they are poor or of a lower social class.",
    ),
    "misogyny": (
        "Misogyny",
        "Hatred or contempt for women, including gendered slurs and slut-shaming.",
    ),
    "animal-cruelty": (
        "Animal cruelty",
        "Animals deliberately hurt, tormented or neglected.",
    ),
    "medical": (
        "Medical content",
        "Hospitals, surgery, stitches, seizures, serious illness or injury and its treatment.",
    ),
    "torture": (
        "Torture",
        "Pain inflicted on purpose to punish, interrogate or break someone.",
    ),
}

LABELS: tuple[Label, ...] = tuple(
    Label(key, *_DESCRIPTIONS[key]) for key in (*PAN23_KEYS, *EXTRA_KEYS)
)
LABELS_BY_KEY: dict[str, Label] = {label.key: label for label in LABELS}
LABEL_KEYS: tuple[str, ...] = tuple(label.key for label in LABELS)

# Ordered from least to most intense; compare with `severity_rank`, never with strings.
SEVERITIES: tuple[str, ...] = ("mention", "minor", "moderate", "graphic")


def severity_rank(severity: str) -> int:
    """Position of a severity in SEVERITIES; ValueError for an unknown one."""
    return SEVERITIES.index(severity)


def max_severity(*severities: str) -> str:
    return max(severities, key=severity_rank)


# --- Archive tags -----------------------------------------------------------------------


@dataclass(frozen=True)
class TagMatch:
    """One label a tag points to, with how strongly the tag alone supports it."""

    label: str
    severity: str
    confidence: float


def normalize_tag(tag: str) -> str:
    """Tags are typed by hand: "Rape/Non-Con", "rape - non con" and "Rape & Non-con" are one
    tag. Lowercase, "&" as "and", everything else that is not a letter or digit a space."""
    text = tag.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _m(label: str, severity: str, confidence: float = 0.9) -> TagMatch:
    return TagMatch(label, severity, confidence)


# Archive warnings are a closed list; they are matched exactly.
ARCHIVE_WARNINGS: dict[str, tuple[TagMatch, ...]] = {
    "graphic depictions of violence": (_m("violence", "graphic", 0.95),),
    "major character death": (_m("death", "moderate", 0.95),),
    "rape non con": (_m("sexual-assault", "moderate", 0.95),),
    "underage": (_m("underage", "moderate", 0.95),),
    "underage sex": (_m("underage", "moderate", 0.95),),
    # These two say nothing about content: the first is a deliberate refusal, the second
    # only rules out the four warnings above, not every label.
    "creator chose not to use archive warnings": (),
    "choose not to use archive warnings": (),
    "no archive warnings apply": (),
}

# Freeform tags are open-ended, so they go through ordered substring rules. A rule that
# matches consumes its words, which lets "child abuse" win over the later plain "abuse",
# and lets an exception ("death eaters") swallow a phrase before a generic rule sees it.
_TAG_RULES_SOURCE: tuple[tuple[str, tuple[TagMatch, ...]], ...] = (
    # Phrases that look like warnings but are not.
    (r"death eaters?|death note|death stranding|sexual tension|sexual identity", ()),
    # "Dead Dove: Do Not Eat" means "the tags mean what they say"; it names nothing.
    (r"dead dove do not eat|walking dead|red dead \w+|dead by daylight", ()),
    (r"sexual awakening|sexuality|asexual\w*|sex pollen free", ()),
    (r"substance abuse|drug abuse|alcohol abuse|alcohol", ()),
    (r"suicide (?:mission|squad)s?", ()),
    (r"hurt no comfort", (_m("violence", "minor", 0.6),)),
    (r"hurt comfort|whump", (_m("violence", "mention", 0.4),)),
    # Specific before generic.
    (
        r"explicit sex(?:ual content)?|smut|porn with(?:out)? plot|pwp|porn",
        (_m("pornographic-content", "graphic"),),
    ),
    (
        r"(?:anal|oral|rough|shower|first time|phone|public|angry|hate|makeup) sex|"
        r"blow ?jobs?|hand ?jobs?|fingering|rimming|bdsm|dom sub|bondage|masturbation|"
        r"sex toys?|orgasm denial|edging|overstimulation|sexual content|sex",
        (_m("pornographic-content", "moderate", 0.85),),
    ),
    (r"statutory rape|underage sex|underage|minor sexualization", (_m("underage", "moderate"),)),
    (
        r"child sexual abuse|csa|childhood sexual abuse",
        (
            _m("child-abuse", "moderate"),
            _m("sexual-assault", "moderate"),
        ),
    ),
    (
        r"rape non con|non con|noncon|rape|sexual assault|sexual abuse|molestation|"
        r"sexual violence",
        (_m("sexual-assault", "moderate"),),
    ),
    (r"dub con|dubcon|dubious consent", (_m("sexual-assault", "minor", 0.7),)),
    (
        r"child abuse|child neglect|abusive parents?|parental abuse|child soldiers?",
        (_m("child-abuse", "moderate"),),
    ),
    (r"animal abuse|animal cruelty", (_m("animal-cruelty", "moderate"),)),
    (r"animal deaths?|dead animals?|pet death", (_m("animal-death", "moderate"),)),
    (
        r"domestic (?:violence|abuse)|physical abuse",
        (
            _m("abuse", "moderate"),
            _m("violence", "moderate", 0.7),
        ),
    ),
    (
        r"emotional abuse|psychological abuse|verbal abuse|gaslighting|abusive "
        r"relationships?|abuse",
        (_m("abuse", "moderate"),),
    ),
    (r"incest\w*", (_m("incest", "moderate"),)),
    (r"torture", (_m("torture", "moderate"),)),
    (r"suicidal thoughts|suicidal ideation|suicidal", (_m("suicide", "minor"),)),
    (r"suicide attempts?|attempted suicide|suicide", (_m("suicide", "moderate"),)),
    (r"self harm\w*|self injur\w+|cutting|self mutilation", (_m("self-harm", "moderate"),)),
    (r"eating disorders?|anorexi\w*|bulimi\w*|binge eating", (_m("eating-disorders", "moderate"),)),
    (
        r"body dysmorphi\w*|body image issues|body hatred|self hatred of body",
        (_m("body-hatred", "moderate"),),
    ),
    (r"fat ?phobi\w*|fat shaming", (_m("fat-phobia", "moderate"),)),
    (r"homophobi\w*|homophobic language|internalized homophobia", (_m("homophobia", "moderate"),)),
    (r"transphobi\w*|deadnaming|misgendering", (_m("transphobia", "moderate"),)),
    (r"racis\w*|racial slurs?|xenophobi\w*", (_m("racism", "moderate"),)),
    (r"misogyn\w*|slut shaming", (_m("misogyny", "moderate"),)),
    (r"sexis\w*", (_m("sexism", "moderate"),)),
    (r"ableis\w*|ableist language", (_m("ableism", "moderate"),)),
    (r"classis\w*", (_m("classism", "moderate"),)),
    (r"miscarriages?|stillbirth|stillborn", (_m("miscarriages", "moderate"),)),
    (r"abortions?", (_m("abortion", "moderate"),)),
    (
        r"childbirth|giving birth|birth|labou?r and delivery|in labou?r",
        (_m("childbirth", "moderate"),),
    ),
    (r"pregnan\w*|mpreg", (_m("pregnancy", "moderate"),)),
    (
        r"kidnapp\w*|hostages?|hostage situations?|captivity|held captive|prisoner",
        (_m("kidnapping", "moderate"),),
    ),
    (r"abduct\w*", (_m("abduction", "moderate"),)),
    (
        r"autops(?:y|ies)|dissection|vivisection|human experimentation",
        (_m("dissection", "moderate"),),
    ),
    (
        r"blood and (?:injury|gore)|blood and violence",
        (
            _m("blood", "moderate"),
            _m("violence", "minor", 0.7),
        ),
    ),
    (r"gore", (_m("violence", "graphic"), _m("blood", "graphic", 0.8))),
    (r"graphic violence", (_m("violence", "graphic"),)),
    (r"blood(?:play|loss|y)?|bleeding", (_m("blood", "moderate"),)),
    (
        r"murders?|murdered|assassination",
        (
            _m("death", "moderate"),
            _m("violence", "moderate", 0.8),
        ),
    ),
    (r"canon typical violence|violence|violent|fighting|war|battle", (_m("violence", "moderate"),)),
    (r"near death experiences?|dying|deathbed|terminal illness", (_m("dying", "moderate"),)),
    (r"grief|mourning|funerals?|afterlife|ghosts?", (_m("death", "minor", 0.75),)),
    (
        r"(?:major|minor|main|temporary|past|offscreen|background)? ?character deaths?|"
        r"death|dead|deaths",
        (_m("death", "moderate"),),
    ),
    (
        r"medical procedures?|surgery|hospitali[sz]ation|hospitals?|medical|seizures?|"
        r"epilep\w*|brain (?:damage|injury)|traumatic brain injury|amputation|amputee|"
        r"injur\w+|illness|sick|disability",
        (_m("medical", "moderate", 0.8),),
    ),
    (
        r"ptsd|post traumatic stress disorder|depression|depressed|anxiety|panic attacks?|"
        r"mental illness|mental health issues|mental health|psychosis|hallucinations|"
        r"dissociation|trauma",
        (_m("mental-illness", "moderate", 0.85),),
    ),
)

_TAG_RULES: tuple[tuple[re.Pattern[str], tuple[TagMatch, ...]], ...] = tuple(
    (re.compile(rf"\b(?:{source})\b"), matches) for source, matches in _TAG_RULES_SOURCE
)

# Words in a tag that say how much of the thing there is, whatever the thing is.
_MENTION_WORDS = re.compile(
    r"\b(?:implied|referenced|mentioned|past|background|offscreen|off screen|alluded|"
    r"brief mentions?|discussion of|talk of|canon compliant)\b"
)
_GRAPHIC_WORDS = re.compile(r"\b(?:graphic|explicit|detailed|gory|brutal)\b")
_MINOR_WORDS = re.compile(r"\b(?:mild|light|brief|non graphic|nongraphic)\b")


def labels_for_tag(tag: str) -> list[TagMatch]:
    """The labels one archive warning or freeform tag points to (empty when it names none).

    Severity comes from the rule, then words like "Implied", "Graphic" or "Mild" in the
    tag override it, because they are the tagger telling us exactly that.
    """
    text = normalize_tag(tag)
    if not text:
        return []
    if text in ARCHIVE_WARNINGS:
        return list(ARCHIVE_WARNINGS[text])

    found: dict[str, TagMatch] = {}
    remaining = text
    for pattern, matches in _TAG_RULES:
        if not pattern.search(remaining):
            continue
        remaining = pattern.sub(" ", remaining)
        for match in matches:
            if match.label not in found:
                found[match.label] = match
    if not found:
        return []

    override = None
    if _MENTION_WORDS.search(text):
        override = "mention"
    elif _GRAPHIC_WORDS.search(text):
        override = "graphic"
    elif _MINOR_WORDS.search(text):
        override = "minor"
    results = []
    for match in found.values():
        if override:
            match = TagMatch(match.label, override, match.confidence)
        results.append(match)
    return results
