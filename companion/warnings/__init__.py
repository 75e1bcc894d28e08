"""Content warnings: what a reader may want to be warned about, and where it happens.

This package owns the warning vocabulary (`taxonomy`: the 32 PAN23 trigger labels plus
`medical` and `torture`, the ordered severities, and the mapping from archive tags to
labels), the pure detectors that read a work's tags, its authors' summaries and notes, and
its chapter text (`detect`, with the word lists `lexicon` and `lexicon_general`), the
sentence similarity to each label (`semantic`), the trained model that decides per chapter
from both (`model`, parameters in model.json), its training and leave-one-work-out
measurement (`training`), and the scoring of detections against hand-made gold files
(`evaluate`). Nothing here touches the database or Flask: the detectors take the plain
`WorkData` / `ChapterData` an importer returns and give back `Detection` values, which the
data layer stores as Warning rows (`library.redetect` re-reads stored works).
"""
