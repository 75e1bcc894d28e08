"""How close a chapter's sentences come, in meaning, to what each label describes.

Word lists miss paraphrase ("she never woke", "the lash fell again"); a sentence embedding
catches some of it. The embedding is WordLlama's 16 MB model, which ships inside the
`wordllama` wheel: it is loaded from the package folder with downloads disabled, so the
detector never reaches for a hub and runs the same on a machine with no network.

Each label has a prototype: the mean embedding of a few plain sentences written from the
label's definition (not from any work we measure on). A chapter's score for a label is how
similar its closest sentences are to that prototype, against how similar the chapter is on
average, so a long, gloomy chapter does not look like every label at once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np

from .taxonomy import LABEL_KEYS

# Sentences written from the label definitions in ../shared/warnings-guidelines.md.
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "pornographic-content": (
        "They undressed each other and had sex, kissing and touching in bed.",
        "He moved inside her and she moaned as they made love explicitly.",
        "Naked bodies, arousal and orgasm described in detail.",
    ),
    "violence": (
        "He punched him in the face and kicked him while he lay on the ground.",
        "The soldier stabbed the man with a knife and he fell bleeding.",
        "They fought and beat each other brutally; blows rained down.",
        "The mob attacked and murdered him in the street.",
    ),
    "death": (
        "She was dead; they buried her in the churchyard and mourned at the funeral.",
        "His body lay cold and lifeless on the floor.",
        "The news came that her father had died.",
    ),
    "dying": (
        "On her deathbed she whispered her last words and her breathing grew faint.",
        "He was dying of a fatal illness and had only hours to live.",
        "The wounded man's life was slipping away as they held him.",
    ),
    "sexual-assault": (
        "He forced himself on her against her will and raped her.",
        "She was assaulted and groped without her consent.",
        "He seized her and violated her though she begged him to stop.",
    ),
    "abuse": (
        "Her husband beat her, shouted at her and controlled everything she did.",
        "He tormented and bullied the servant cruelly, day after day.",
        "She lived in fear of his temper and his cruel words.",
    ),
    "child-abuse": (
        "The cruel master beat the little boy and starved him.",
        "The children were neglected, hungry and beaten by the adults in charge.",
        "She struck the child and locked her in a dark room as punishment.",
    ),
    "blood": (
        "Blood poured from the wound and soaked his shirt.",
        "There was blood everywhere, a red pool spreading on the floor.",
        "She was bleeding heavily from a cut on her head.",
    ),
    "suicide": (
        "She decided to end her own life and drowned herself in the river.",
        "He killed himself with poison, unable to bear living any longer.",
        "She thought of taking her own life and wished she were dead.",
    ),
    "self-harm": (
        "She cut her arms with a razor to feel something, hiding the scars.",
        "He hurt himself on purpose, burning his skin.",
    ),
    "pregnancy": (
        "She was pregnant and expecting a baby in a few months.",
        "Her belly grew round as the pregnancy went on.",
    ),
    "childbirth": (
        "She was in labour for hours, screaming, until the baby was born.",
        "The midwife delivered the child as the mother gave birth.",
    ),
    "miscarriages": (
        "She lost the baby; the pregnancy ended in a miscarriage.",
        "The child was stillborn and never breathed.",
    ),
    "abortion": ("She decided to have an abortion and end the pregnancy.",),
    "incest": ("He fell in love with his own sister and they became lovers.",),
    "underage": ("The grown man had sexual contact with a young child.",),
    "homophobia": (
        "They called him a disgusting queer and hated him for loving men.",
        "Her family rejected her because she was gay.",
    ),
    "transphobia": ("They mocked her for being transgender and called her by her dead name.",),
    "racism": (
        "The slaves were bought and sold like cattle by the white master.",
        "They despised him because of his race and called him slurs.",
        "The black people were treated as inferior and kept in slavery.",
    ),
    "sexism": (
        "Women were told they were too weak and foolish to think for themselves.",
        "She was refused because she was only a woman.",
    ),
    "misogyny": (
        "He spoke of women with contempt, as shallow creatures fit only for use.",
        "He despised and degraded women, calling them whores.",
    ),
    "classism": (
        "The rich despised the poor and treated beggars as worthless.",
        "They looked down on her because she was of low birth and penniless.",
        "The starving workers lived in squalor while the masters grew rich.",
    ),
    "ableism": ("They mocked the cripple and called him an idiot for his disability.",),
    "fat-phobia": ("They sneered at her for being fat and called her a pig.",),
    "body-hatred": (
        "She hated her own body and could not bear to look in the mirror.",
        "He was disgusted by his own ugly face.",
    ),
    "eating-disorders": (
        "She starved herself, skipping every meal and counting calories.",
        "He binged and then made himself vomit in secret.",
    ),
    "mental-illness": (
        "He went mad and raved wildly; they locked him in an asylum.",
        "She sank into a deep depression and despair, unable to leave her bed.",
        "He suffered panic attacks and hallucinations, losing his mind.",
    ),
    "kidnapping": (
        "They seized her and held her captive in a locked room for ransom.",
        "He was kidnapped and kept prisoner against his will.",
    ),
    "abduction": (
        "The child was snatched away and carried off by strangers.",
        "They lured her away and took her by force.",
    ),
    "dissection": (
        "The anatomist cut open the corpse on the dissecting table.",
        "The doctor performed an autopsy, examining the organs.",
    ),
    "animal-death": (
        "The horse fell dead in the road and they dragged its body away.",
        "The dog was shot and killed.",
        "The cattle were slaughtered and butchered.",
    ),
    "animal-cruelty": (
        "The driver whipped the poor horse savagely until it bled.",
        "They beat and starved the dog and kicked it cruelly.",
        "The overloaded horse strained, its mouth torn by the bit.",
    ),
    "medical": (
        "The doctor examined the patient and gave him medicine for the fever.",
        "She lay ill in the hospital while the surgeon operated.",
        "The nurse dressed his wounds and bandaged his arm.",
    ),
    "torture": (
        "They tortured the prisoner, burning him and breaking his fingers to make him talk.",
        "He was tied up and whipped for hours in agony.",
    ),
}

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
MIN_WINDOW_WORDS = 8
MAX_WINDOWS = 4000  # a chapter longer than this is scored on its first windows only


def _package_folder() -> Path:
    import wordllama

    return Path(wordllama.__file__).parent


@cache
def embedder():
    """WordLlama from inside its wheel; never downloads (raises if the files are absent)."""
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=_package_folder(), disable_download=True)


@cache
def prototype_matrix() -> np.ndarray:
    """One unit vector per label, in LABEL_KEYS order."""
    model = embedder()
    rows = []
    for key in LABEL_KEYS:
        vectors = model.embed(list(PROTOTYPES[key]), norm=True)
        mean = vectors.mean(axis=0)
        rows.append(mean / (np.linalg.norm(mean) or 1.0))
    return np.vstack(rows).astype(np.float32)


def windows(paragraphs) -> list[tuple[int, str]]:
    """(paragraph index, text): sentences, short ones joined to the next, so that each
    window says something."""
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for index, paragraph in enumerate(paragraphs):
        for sentence in _SENTENCE.split(paragraph):
            sentence = sentence.strip()
            if not sentence:
                continue
            if not pending:
                start = index
            pending = f"{pending} {sentence}" if pending else sentence
            if len(pending.split()) >= MIN_WINDOW_WORDS:
                out.append((start, pending))
                pending = ""
        if len(out) >= MAX_WINDOWS:
            break
    if pending:
        out.append((start, pending))
    return out[:MAX_WINDOWS]


def _similarities(paragraphs) -> tuple[list[int], np.ndarray]:
    found = windows(paragraphs)
    if not found:
        return [], np.zeros((0, len(LABEL_KEYS)), dtype=np.float32)
    vectors = embedder().embed([text for _, text in found], norm=True).astype(np.float32)
    return [index for index, _ in found], vectors @ prototype_matrix().T


SEMANTIC_FEATURES = ("sem_max", "sem_top5", "sem_contrast", "sem_at_words", "sem_high")
HIGH_SIMILARITY = 0.35  # a window this close to a label's prototype reads like it


def chapter_scores(
    paragraphs, hit_paragraphs: dict[str, set[int]] | None = None
) -> tuple[dict[str, tuple[float, ...]], dict[str, int | None]]:
    """({label: (best window similarity, mean of the best five, best five minus the
    chapter's mean, best similarity among windows in paragraphs where the label's words
    were found, log of how many windows read like the label)}, {label: the paragraph that
    reads most like it}) for every label, from one pass of the embedding over the chapter.

    The fourth tells a word used about the thing ("the dead man lay...") from the same word
    in another sense ("dead tired"): the sentence around it reads like the label or not."""
    hit_paragraphs = hit_paragraphs or {}
    indexes, sims = _similarities(paragraphs)
    if not len(sims):
        return {key: (0.0,) * len(SEMANTIC_FEATURES) for key in LABEL_KEYS}, dict.fromkeys(
            LABEL_KEYS
        )
    k = min(5, sims.shape[0])
    top = np.sort(sims, axis=0)[-k:, :]
    best = top[-1]
    top_mean = top.mean(axis=0)
    contrast = top_mean - sims.mean(axis=0)
    high = np.log1p((sims >= HIGH_SIMILARITY).sum(axis=0))
    window_paragraph = np.asarray(indexes)
    nearest = np.argmax(sims, axis=0)
    closest = {key: indexes[int(nearest[i])] for i, key in enumerate(LABEL_KEYS)}
    out = {}
    for i, key in enumerate(LABEL_KEYS):
        found = hit_paragraphs.get(key)
        at_words = 0.0
        if found:
            mask = np.isin(window_paragraph, list(found))
            if mask.any():
                at_words = float(sims[mask, i].max())
        out[key] = (
            float(best[i]),
            float(top_mean[i]),
            float(contrast[i]),
            at_words,
            float(high[i]),
        )
    return out, closest
