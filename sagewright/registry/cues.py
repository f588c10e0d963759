"""Word pieces that step cues share (regular expressions on lower-cased, literal-masked text).

A step's own cue words live on its ``StepSpec.cues`` in ``registry/steps/``; this module holds
only what several steps' cues, or the reader's job-type words, are built from.
"""

from __future__ import annotations

# nouns that make "training" / "calibration" a kind of data, not an ask ("the training set")
DATA_NOUNS = (
    r"(?:data|dataset|datasets|set|sets|split|sample|samples|rows|table|tables|file|files|query|"
    r"queries|source|extract|export|partition|snapshot|records|shards|prefix|folder|path|features)"
)
NOT_DATA = r"(?!\s*[- ]?" + DATA_NOUNS + r"\b)"
_OTHER_JOB = r"(?:test|testing|validation|val|calibration|holdout|inference|scoring)"
# "training happened last week", "training was done in a notebook": past work, not an ask
_PAST_WORK = (
    r"(?!\s+(?:happened|ran|finished|completed|took place|is (?:done|complete|finished|over)|"
    r"was (?:done|run|completed|finished)|has (?:been done|finished|completed|happened)))"
)

# Asked of a training step whatever its framework (each framework's step adds its own words).
TRAINING_CUES = (
    r"\b(?:re-?)?train(?:s|ing)?\b"
    + NOT_DATA
    + r"(?!\s*(?:instance|instances|image|container|code|column|split)\b)"
    + _PAST_WORK
    + r"(?!\s*(?:and|or|,|/|&)\s*(?:the\s+)?"
    + _OTHER_JOB
    + r"\b)",
    r"\bfit(?:s|ting)?\s+(?:an?\s+|the\s+)?(?:new\s+)?(?:xgboost|pytorch|gradient|neural|"
    r"model|classifier|regressor|mlp)\b",
)
# Asked of a model-creation step whatever its framework.
MODEL_CUES = (
    r"\bsagemaker\s+(?:\w+\s+)?model\b(?!\s+(?:registry|package|group|monitor\w*|cards?))",
    r"\bmodel entity\b|\bmodel object\b",
    r"\b(?:create|creates|creating|make|build|define)\s+(?:an?|the)\s+"
    r"(?:xgboost|pytorch)\s+model\b(?!\s+(?:registry|package))"
    r"(?!\s+(?:on|over|using|from|against)\s+(?:the\s+|our\s+)?(?:§data|(?:[\w-]+\s+){0,2}"
    r"(?:data|dataset|table|query|extract)\b))",
    r"\bcreate\s+(?:an?|the)\s+model\s+(?:from|out of|with)\b|\bmodel (?:creation )?step\b",
    # "..., then create the model." / "model created": the model of the training said before
    r"\bcreate\s+the\s+model(?=\s*(?:[.;!),]|$))|\bmodel created\b",
)
