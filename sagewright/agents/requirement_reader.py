"""Read what a requirement asks for: framework, data sources and their job types, stages,
negations, gates. Deterministic, no network; the offline planner turns the result into a
topology through the registry's ports.

How it reads (paraphrase-robust by design, never keyed to particular texts):

1. **Sources** (S3 URIs, SQL queries) are found first and masked with tokens
   (``§data_testing§``, ``§model_uri§``) so their paths never trigger keywords; a source's job
   type comes from the nearest job word around it ("test set at", "(calibration)", "to score"),
   then from its path or query ("/val/", ``churn_val``), then from defaults.
2. **Concepts** (train, tune, evaluate, calibrate, batch-score, create a Model, package,
   payloads, register, gate) are matched with synonym patterns on the lowercased masked text.
3. **Negation** is scoped to a clause: a cue ("no", "don't", "skip", "without", "instead of",
   "no need to") negates the concepts after it up to the clause end or a contrast word ("but",
   "then", "only"); postfix cues ("... not needed", "by hand") negate the clause before them.
   A cue whose scope holds "unless" / "if" is a condition (a gate), not a negation.
4. **Job types** of evaluation / batch transform come from the job mentions following the
   verb in its sentence (then preceding it), defaulting to the data the requirement names.
5. **Gates**: a metric compared with a threshold under a condition ("only if", "unless",
   "gate"); the guarded steps are those named in the conditional clause.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

from sagewright.agents.text.asks import framework_outside
from sagewright.agents.text.discourse import told
from sagewright.agents.text.literals import find_mentions
from sagewright.agents.text.metrics import (
    FRACTIONS,
    GATE_PATTERNS,
    comparison_of,
    normal_metric,
    states_failure,
)
from sagewright.agents.text.numbers import parse_number, words_to_digits
from sagewright.agents.text.spelling import correct_typos
from sagewright.agents.text.windows import MAX_SENTENCE, SENTENCE_BREAK, sentence_bounds
from sagewright.registry import Registry, default_registry
from sagewright.registry.cues import DATA_NOUNS

JOB_ORDER = ("training", "calibration", "validation", "testing", "inference")

# Concepts the planner acts on.
TRAIN, TUNE, PREPROCESS, EVALUATE, CALIBRATE = (
    "train",
    "tune",
    "preprocess",
    "evaluate",
    "calibrate",
)
BATCH, MODEL, PACKAGE, PAYLOAD, REGISTER, GATE = (
    "batch",
    "model",
    "package",
    "payload",
    "register",
    "gate",
)


@dataclass(frozen=True)
class Vocabulary:
    """The registry's cue words by what they ask for (``StepSpec.asked_as``)."""

    patterns: dict[str, re.Pattern[str]]
    guardable: frozenset[str]
    cues: tuple[str, ...]  # every cue, for typo-tolerant reading


def vocabulary(registry: Registry | None = None) -> Vocabulary:
    """Cue patterns of every step with ``cues`` (built-in and plugin steps alike)."""
    cues: dict[str, list[str]] = {}
    guardable: set[str] = set()
    for spec in registry or default_registry():
        if not spec.cues:
            continue
        words = cues.setdefault(spec.asked_as, [])
        words.extend(c for c in spec.cues if c not in words)
        if spec.guardable:
            guardable.add(spec.asked_as)
    return _compiled(tuple((k, tuple(v)) for k, v in cues.items()), frozenset(guardable))


@functools.lru_cache(maxsize=16)
def _compiled(
    table: tuple[tuple[str, tuple[str, ...]], ...], guardable: frozenset[str]
) -> Vocabulary:
    every = tuple(cue for _, cues in table for cue in cues)
    return Vocabulary({ask: _cue_pattern(cues) for ask, cues in table}, guardable, every)


# Creating payloads (as opposed to attaching them to a registration), for gate guards.
PAYLOAD_ACTION = re.compile(
    r"\b(?:generat|creat|produc|build|mak|writ)\w*\s+(?:\w+\s+){0,3}"
    r"(?:payloads?|requests?|inputs?)\b"
    r"|\bpayload generation\b"
)

NEG_PREFIX = re.compile(  # not inside a hyphenated name ("the onboarding-drop model")
    r"(?<!-)\b(?:no need (?:to|for)|no(?!-)|nobody|no-one|not|don't|dont|do not|does not|doesn't|"
    r"never|without|skip|skipping|skipped|exclude|excluding|omit|omitting|leave out|drop|"
    r"neither|nor|"
    r"nothing(?!\s+(?:beyond|but|except|other than|more than|besides|apart from|else but))|"
    r"avoid|instead of|rather than|no longer|won't|will not|shouldn't|should not|"
    r"kein|keine|keinen|keiner|nicht|ohne|"  # German: "keine Registrierung", "kein Training"
    r"hold(?:ing)? off(?: on)?|put(?:ting)? off|defer\w*|postpon\w*|scratch|forget|cancel|"
    r"replac(?:e|es|ed|ing)|swap(?:s|ped|ping)?|substitut\w*)\b|\bw/o\b"
)
NEG_POSTFIX = re.compile(
    r"\b(?:comes?|will come) (?:next|later)\b|\bnext (?:sprint|week|month|quarter|release|phase)\b"
    r"|\b(?:erst )?(?:nächste|naechste)[nrs]? (?:woche|monat|sprint|quartal)\b"
    r"|\b(?:handled|done) (?:in|by) (?:a |another )?separate\b|\bin a separate pipeline\b|"
    r"\b(?:(?:is|are)\s+)?(?:not|n't)\s+(?:needed|required|necessary|wanted)\b|\bisn't needed\b"
    r"|\baren't needed\b|\bby hand\b|\bmanually\b|\bourselves\b|\bout of scope\b"
    r"|\bnot (?:part of|in) (?:this|the) pipeline\b|\b(?:can|will|should|must) wait\b"
    r"|\b(?:later|another time|in a follow-?up)\b(?!\s+(?:step|steps|stage|stages|on in)\b)"
    r"|\belsewhere\b|\boutside (?:of )?(?:this|the) pipeline\b|\bleave (?:it|that|this|them) out\b"
    # "calibration: s3://... (optional, skip for now)", "tune nothing.": said after the ask
    r"|\((?:[^()\n]{0,20}[,;]\s*)?(?:skip\w*|not needed|removed|dropped|omit\w*)\b[^()\n]{0,20}\)"
    r"|\b(?:nothing|none)\b(?=\s*(?:[.;!\n]|$))"
    r"|\b(?:can|could|should|may|will)\s+be\s+(?:left out|skipped|dropped|omitted|excluded)\b"
    r"|\b(?:is|are)(?:n't|\s+not)\s+(?:really\s+)?(?:something|anything|what)\s+(?:we|i)\s+"
    r"(?:really\s+)?(?:need|want)"
    r"|[:?=]\s*(?:no|nope|none|n/a|skip|skipped|false|off)\b(?=\s*(?:[.;,!)\n]|$))"  # "x: no"
    # the object said first: "payloads we do not need."
    r"|\b(?:we|i)\s+(?:do not|don't|dont|won't|will not)\s+(?:really\s+)?(?:need|want)\b"
    r"(?=\s*(?:[.;!\n]|$))"
)
# "We'll handle packaging elsewhere, and registration too": a verbless tail shares the
# negation ("..., and register it too" is an ask of its own).
NEG_ELLIPSIS = re.compile(
    r"\s*,?\s*(?:and|or|nor)\s+(?:the\s+|any\s+)?(?!(?:it|them)\b)[\w-]+"
    r"(?:\s+(?!(?:it|them)\b)[\w-]+)?\s+(?:too|as well|either)\b"
)
# A retraction takes back what its sentence asked for ("payloads: forget that", "nvm the
# batch transform"), on either side of the cue.
RETRACT = re.compile(
    r"\b(?:forget (?:that|it|about (?:that|it|them))|scratch (?:that|it)|never ?mind|nvm|"
    r"ignore (?:that|it)|cancel (?:that|it)|drop (?:that|it)|take (?:that|it) back|belay that|"
    r"(?:isn't|aren't|is not|are not|no longer) needed(?: any ?more)?|"
    r"(?:don't|do not|doesn't|does not) need (?:it|them|that) any ?more)\b"
)
CONDITION = re.compile(r"\b(?:unless|if|until|when|once|provided|as long as)\b")
PAYLOADS_APART = re.compile(
    r"\bpayloads?\b[^.;\n]{0,40}\b(?:not|n't|never|without)\s+(?:be\s+|being\s+)?"
    r"(?:attach|add|includ|bundl|link)\w*\s+(?:to|in|into|with)\s+(?:the\s+)?(?:model\s+)?regist"
)
# "X should not be attached to Y": the negation is of attaching X, Y is only the place
PASSIVE_PLACE = re.compile(r"\s+(?:be\s+|get\s+)?(?P<verb>\w+ed)\s+(?:to|into|in|on|with)\b")
SCOPE_STOP = re.compile(
    r"[.!?](?=\s|$)|[;\n—–:()]|,\s*(?:and|then|please)\b"
    # a comma that opens a clause of its own ("scratch the gate, the owner wants ...")
    r"|,\s*(?:the|a|an|our|this|that|it|they|he|she|you)\s+(?:\w+\s+){0,2}?"
    r"(?:wants?|needs?|is|are|was|were|should|will|would|can|must|has|have|asked)\b"
    r"|\b(?:but|however|although|though|then|just|only|except|since|"
    r"because|so|we|we'll|i|which|while|instead(?!\s+of)|whereas)\b"
)
CLAUSE_START = re.compile(r"[.!?](?=\s|$)|[;\n—–:,()]|\b(?:so|then|but|and then)\b")

# Job-type words near a source, nearest wins (order of the list does not matter).
RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
SOURCE_JOB_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:train|training|trains|tune|tuning|fit)\b"), "training"),
    (
        re.compile(r"\b(?:test|testing|holdout|hold-out|held-out|heldout|out-of-time|oot)\b"),
        "testing",
    ),
    (re.compile(r"\b(?:validation|validate|val|valid|dev set)\b"), "validation"),
    (re.compile(r"\b(?:calibration|calib|calibrate|calibrating)\b"), "calibration"),
    (
        re.compile(
            r"\b(?:inference|unlabell?ed|to score|scoring|score|batch[- ]?transform\w*|"
            r"batch[- ]?scor\w*|production data|predict on|to predict on|incoming|"
            r"(?:this|next) (?:week|month|quarter|year|day)'s|today's|tonight's|"
            r"(?:new|current|upcoming) (?:customers|data|records|applications|applicants|accounts|"
            r"users|orders|claims|transactions|leads|events|policies|loans|signups|rows))\b"
        ),
        "inference",
    ),
]
PATH_JOB_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:^|[/_.\-])(?:train|training|trn)(?:$|[/_.\-\d'])"), "training"),
    (re.compile(r"(?:^|[/_.\-])(?:test|testing|holdout|tst|oot)(?:$|[/_.\-\d'])"), "testing"),
    (re.compile(r"(?:^|[/_.\-])(?:val|valid|validation|dev)(?:$|[/_.\-\d'])"), "validation"),
    (re.compile(r"(?:^|[/_.\-])(?:calib|calibration|cal)(?:$|[/_.\-\d'])"), "calibration"),
    (
        re.compile(r"(?:^|[/_.\-])(?:inference|infer|score|scoring|batch|predict)(?:$|[/_.\-\d'])"),
        "inference",
    ),
]
# Job mentions in running text (for evaluation / batch transform / gate job types).
JOB_MENTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"§data_(training|calibration|validation|testing|inference)§"), ""),
    (
        re.compile(r"\b(?:test|testing|holdout|hold-out|held-out|heldout|out-of-time)\b(?!s\b)"),
        "testing",
    ),
    (re.compile(r"\b(?:validation|val)\b"), "validation"),
    (re.compile(r"\b(?:calibration|calib)\s*[- ]?" + DATA_NOUNS + r"\b"), "calibration"),
    (re.compile(r"\b(?:training|train)\s*[- ]?" + DATA_NOUNS + r"\b"), "training"),
    (
        re.compile(
            r"\b(?:inference|scoring)\s*[- ]?" + DATA_NOUNS + r"\b|\bunlabell?ed\b|\bto score\b"
        ),
        "inference",
    ),
]
LOAD_JOB = re.compile(
    r"\b(?:load|loads|loading|pull|pulls|pulling|ingest\w*|read|fetch\w*|preprocess\w*|"
    r"pre-process\w*|prep)\b[^.;\n]{0,40}?\b(training|calibration|validation|test|testing|"
    r"holdout|inference)\s+" + DATA_NOUNS + r"\b"
)
LOAD_ONLY = re.compile(
    r"\b(?:only|just)\b[^.;\n]{0,40}\b(?:data\s+)?load(?:ing)?\b(?![^.;\n]{0,30}\bpre-?process)"
    r"|\bdata loading step\b[^.;\n]{0,20}\bonly\b"
)
GATE_CONDITION = re.compile(  # German too: "nur wenn", "falls"
    r"(?<![a-z])gate|\b(?:only if|only when|unless|if|when|provided(?: that)?|as long as|once|"
    r"wenn|falls|sofern|"
    r"condition\w*|passes|pass|meets|clears|threshold|fail\w*|must|require\w*|ensur\w*|"
    r"verif\w*|after checking|make sure|block\w*|stop\w*|only after|after it|before)\b"
)
GATE_MARKERS = re.compile(
    r"\b(?:only if|only when|only after|unless|if|when|provided(?: that)?|as long as|once|"
    r"nur wenn|wenn|falls|sofern)\b"
)
FRAMEWORK_WORDS = {
    "pytorch": re.compile(
        r"\b(?:pytorch|torch|neural(?:[- ]net\w*)?|mlp|deep[- ]learning|transformers?|bert|"
        r"roberta|distilbert|cnn|lstm|rnn|embeddings?)\b(?![-_]\d)"  # MLP-482 is a ticket
    ),
    "xgboost": re.compile(
        r"\b(?:xgboost|xgb|gradient[- ]boost\w*|boosted trees?|gbdt|gbm|gbt)\b(?![-_]\d)"
    ),
}
FRAMEWORK_PARAMS = {
    "pytorch": re.compile(r"\b(?:epochs?|lr|learning rate|batch_size|batch size|dropout)\b"),
    "xgboost": re.compile(
        r"\b(?:max_depth|eta|num_round|num_rounds|subsample|colsample_bytree|min_child_weight|"
        r"gamma|reg_lambda|reg_alpha|scale_pos_weight)\b"
    ),
}
EXISTING_MODEL = re.compile(
    r"\balready[- ](?:have\s+(?:an?\s+|the\s+|our\s+)?)?trained\b|\bis already trained\b"
    r"|\bexisting\s+(?:[\w-]+\s+){0,4}model\b|\bpre-?trained\s+(?:[\w-]+\s+){0,3}model\b"
    r"|\bpreviously trained\b|\bno (?:re-?)?training\b|\bwithout (?:re-?)?training\b"
    r"|\bmodel (?:we|you|i) (?:already )?(?:have|trained)\b|§model_uri§"
)
MODEL_FILE = re.compile(r"\.(?:tar\.gz|tgz|pt|pth|pkl|joblib|bst|onnx|bin)/?$|/model/?$")
MODEL_CONTEXT = re.compile(
    r"\b(?:model|artifacts?|checkpoint|weights)\s*(?:files?\s*)?"
    r"(?:is\s+|are\s+|lives\s+|live\s+|sits\s+)?"
    r"(?:at|in|from|under|:|\(|=)\s*$"
)


@dataclass(frozen=True)
class Source:
    """A data source or model file found in the requirement."""

    kind: str  # "s3" | "query" | "model"
    value: str
    start: int
    end: int
    job_type: str | None = None
    guessed: bool = False  # no word named its job type; the first free one was taken


@dataclass(frozen=True)
class Gate:
    metric: str
    threshold: float
    comparison: str
    job_type: str | None  # job type the gated metric is measured on, when stated
    guards: tuple[str, ...]  # concepts named in the conditional clause
    at: tuple[int, int] | None = None  # the metric comparison's span in ``Intent.text``


@dataclass
class Intent:
    """What the requirement asks for, before any wiring."""

    text: str
    framework: str | None = None
    sources: list[Source] = field(default_factory=list)
    data_job_types: list[str] = field(default_factory=list)
    existing_model: bool = False
    model_uri: str | None = None
    asked: set[str] = field(default_factory=set)
    negated: set[str] = field(default_factory=set)
    load_only: bool = False
    evaluate: list[str] = field(default_factory=list)
    batch: list[str] = field(default_factory=list)
    calibration_scorer: str | None = None  # "evaluate" | "batch"
    attach_metrics: list[str] = field(default_factory=list)
    payloads_apart: bool = False  # "payloads should not be attached to the registration"
    gate: Gate | None = None
    unsupported_model: str | None = None  # the framework asked for, when the catalogue lacks it
    mentions: list[Mention] = field(default_factory=list)  # concept words, spans in ``text``

    def wants(self, concept: str) -> bool:
        return concept in self.asked and concept not in self.negated

    def jobs_for(self, concept: str) -> list[str]:
        """Job types the text names for a job-typed ask (evaluation, batch transform)."""
        if concept == EVALUATE:
            return list(dict.fromkeys([*self.evaluate, *self.attach_metrics]))
        return list(self.batch) if concept == BATCH else []


# ---------------------------------------------------------------------------------------------
# text preparation


def _join_wrapped_lines(text: str) -> str:
    """Keep bullets / numbered items / blank-line paragraphs apart; join wrapped lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not out:
            out.append(stripped)
            continue
        prev = out[-1]
        if stripped.startswith("```") or prev.startswith("```"):
            out.append(stripped)  # a code fence line stays on its own
            continue
        starts_item = bool(  # an item, a heading, a key, or a chat message ("[09:14] raj: ...")
            re.match(
                r"^(?:[-*•+#]|\d+[.)]|[a-z][.)]\s|[A-Z]|\[[^\]\n]{1,20}\]|"
                r"[\w ]{1,30}(?::|->|=>|=)\s)",
                stripped,
            )
        )
        if not stripped or not prev or starts_item or prev[-1:] in ".:!?;":
            out.append(stripped)
        else:
            out[-1] = prev + " " + stripped
    return "\n".join(out)


@dataclass
class _Masked:
    text: str  # lowercase, sources replaced by tokens
    sources: list[Source]  # positions in ``text``


def _find_sources(text: str) -> list[tuple[int, int, str, str]]:
    """The shared literal reading: SQL is a query, ARNs and URLs are references."""
    kinds = {"sql": "query", "s3": "s3"}
    return [(m.start, m.end, kinds.get(m.kind, "other"), m.value) for m in find_mentions(text)]


def _mask(text: str) -> _Masked:
    """Lowercase text with sources as tokens; model files told apart from data."""
    spans = _find_sources(text)
    pieces: list[str] = []
    sources: list[Source] = []
    cursor = 0
    length = 0
    for start, end, kind, value in spans:
        before = text[cursor:start]
        pieces.append(before.lower())
        length += len(before)
        if kind == "other":
            token = " §ref§ "
        elif kind == "s3" and _is_model_file(value, text[max(0, start - MAX_SENTENCE) : start]):
            kind, token = "model", " §model_uri§ "
        else:
            token = " §data§ "
        if kind != "other":
            sources.append(Source(kind, value, length + 1, length + len(token) - 1))
        pieces.append(token)
        length += len(token)
        cursor = end
    pieces.append(text[cursor:].lower())
    return _Masked("".join(pieces), sources)


def _is_model_file(uri: str, before: str) -> bool:
    if MODEL_FILE.search(uri):
        return True
    window = before[-40:].lower()
    return bool(MODEL_CONTEXT.search(window)) and bool(
        re.search(r"already|existing|trained|pre-?trained|current|production|our", before.lower())
    )


# ---------------------------------------------------------------------------------------------
# source job types


def _nearest_job(window: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    best: tuple[int, str] | None = None
    for pattern, job in table:
        for match in pattern.finditer(window):
            if best is None or match.end() > best[0]:
                best = (match.end(), job)
    return best[1] if best else None


def _first_job(window: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    best: tuple[int, str] | None = None
    for pattern, job in table:
        match = pattern.search(window)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), job)
    return best[1] if best else None


def _respective_jobs(text: str, data: list[Source]) -> dict[int, str]:
    """'Training and holdout data are at A and B, respectively': job words pair up in order."""
    by_sentence: dict[tuple[int, int], list[int]] = {}
    for index, source in enumerate(data):
        by_sentence.setdefault(sentence_bounds(text, source.start), []).append(index)
    found: dict[int, str] = {}
    for (start, end), indices in by_sentence.items():
        if len(indices) < 2 or not RESPECTIVELY.search(text, data[indices[-1]].end, end):
            continue
        window = text[start : data[indices[0]].start]
        hits = sorted(
            (m.start(), job) for pattern, job in SOURCE_JOB_WORDS for m in pattern.finditer(window)
        )
        jobs = list(dict.fromkeys(job for _, job in hits))
        if len(jobs) == len(indices):
            found.update(zip(indices, jobs, strict=True))
    return found


def _assign_job_types(masked: _Masked, vocab: Vocabulary) -> list[Source]:
    text = masked.text
    data = [s for s in masked.sources if s.kind != "model"]
    respective = _respective_jobs(text, data)
    assigned: list[Source] = []
    previous_end = 0
    for index, source in enumerate(data):
        if index in respective:
            assigned.append(
                Source(source.kind, source.value, source.start, source.end, respective[index])
            )
            previous_end = source.end
            continue
        sent_start, sent_end = sentence_bounds(text, source.start)
        next_start = data[index + 1].start if index + 1 < len(data) else len(text)
        after = text[source.end : min(sent_end, next_start)]
        after = re.split(r",|\band\b|\bthen\b|—|;", after, maxsplit=1)[0]
        job = None
        follow = re.match(
            r"^\s*(?:\(|as|for|is|are|—|-)\s*(?:the|our|a)?\s*(?:(?:is|are)\s+)?(?:the\s+)?"
            r"(\w+(?:[- ]\w+)?)",
            after,
        )
        if follow:
            job = _first_job(follow.group(0), SOURCE_JOB_WORDS)
        if job is None:
            before = text[max(sent_start, previous_end) : source.start]
            job = _nearest_job(before, SOURCE_JOB_WORDS)
        if job is None:
            job = _first_job(source.value.lower(), PATH_JOB_WORDS)
        if job is None and sent_start > 0:  # a heading line: "Validation data:\n- s3://..."
            prev_start, _ = sentence_bounds(text, max(sent_start - 1, 0))
            heading = text[prev_start:sent_start]
            if heading.rstrip().endswith(":"):
                job = _nearest_job(heading, SOURCE_JOB_WORDS)
        assigned.append(Source(source.kind, source.value, source.start, source.end, job))
        previous_end = source.end
    used = {s.job_type for s in assigned if s.job_type}
    # an existing model and nothing trained: a source with no job word is not training data
    untrained = bool(EXISTING_MODEL.search(text)) and not any(
        m.concept in (TRAIN, TUNE) and not m.negated for m in _mentions(text, vocab)
    )
    final: list[Source] = []
    for source in assigned:
        job = source.job_type
        if job is None:
            if "training" not in used and not untrained:
                job = "training"
            elif "inference" not in used and vocab.patterns[BATCH].search(text):
                job = "inference"
            else:
                job = next((j for j in ("testing", "validation") if j not in used), "testing")
            used.add(job)
        guessed = source.job_type is None
        final.append(Source(source.kind, source.value, source.start, source.end, job, guessed))
    return final


def _retokenize(masked: _Masked, sources: list[Source]) -> str:
    """Rewrite ``§data§`` tokens as ``§data_JOB§`` (same length is not needed from here on)."""
    text = masked.text
    out: list[str] = []
    cursor = 0
    by_start = {s.start: s for s in sources}
    for source in masked.sources:
        out.append(text[cursor : source.start])
        resolved = by_start.get(source.start)
        if source.kind == "model":
            out.append("§model_uri§")
        else:
            out.append(f"§data_{resolved.job_type if resolved else 'training'}§")
        cursor = source.end
    out.append(text[cursor:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# concepts, negation, conditions


@dataclass(frozen=True)
class Mention:
    concept: str
    start: int
    end: int
    negated: bool
    guardable: bool = False  # a quality gate may hold its step back


def _negated_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for cue in NEG_PREFIX.finditer(text):
        stop = SCOPE_STOP.search(text, cue.end())
        end = stop.start() if stop else len(text)
        passive = PASSIVE_PLACE.match(text, cue.end(), end)
        if passive:  # "payloads should not be attached to the registration": not the place
            end = passive.end("verb")
        if cue.group() in ("instead of", "rather than"):  # the replaced thing only, not what
            comma = text.find(",", cue.end(), end)  # follows it ("..., the team wants an MLP")
            end = comma if comma >= 0 else end
        if SUBSTITUTE.match(cue.group()):  # "replace the batch transform with an evaluation"
            new = re.compile(r"\b(?:with|for|by)\b").search(text, cue.end(), end)
            end = new.start() if new else end
        if CONDITION.search(text[cue.end() : _hard_end(text, cue.end())]):
            continue  # "don't register unless AUC >= 0.9" is a gate, not a negation
        if _conditioned(text, cue.start()):
            continue  # "unless AUC reaches 0.8, nothing is registered": a gate as well
        spans.append((cue.start(), end))
        spans.extend(_ellipsis(text, end))
    for cue in NEG_POSTFIX.finditer(text):
        start = max(0, cue.start() - MAX_SENTENCE)
        clause = SENTENCE_BREAK if cue.group().startswith("(") else CLAUSE_START  # the whole item
        for match in clause.finditer(text, start, cue.start()):
            start = match.end()
        spans.append((start, cue.start()))
        spans.extend(_ellipsis(text, cue.end()))
    spans.extend(_negative_lists(text))
    for cue in RETRACT.finditer(text):  # "earlier I asked for payloads, forget that"
        start, end = sentence_bounds(text, cue.start())
        stop = SCOPE_STOP.search(text, cue.end(), end)
        spans.append((start, stop.start() if stop else end))
    return spans


HEADING = re.compile(
    r"^[ \t]*(?:(?P<hashes>#+|h\d\.)[ \t]*)?(?P<head>[^\n:]{1,40}?)[ \t]*"
    r"(?::|(?(hashes)|:))[ \t]*$",
    re.MULTILINE,
)
LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+]|\d+[.)])[ \t]")
NEGATIVE_HEAD = re.compile(r"\bnon-?goals?\b|\bremoved\b|\bdropped\b")


# a label, not a sentence, before the colon: "Out of scope: retraining, registration."
INLINE_HEAD = re.compile(
    r"^[ \t]*(?:[-*•][ \t]*)?(?P<head>[A-Za-z][\w /-]{0,30}?)[ \t]*:[ \t]*(?P<items>\S[^\n]*)$",
    re.M,
)


def _negative_head(head: str) -> bool:
    return bool(NEG_PREFIX.search(head) or NEG_POSTFIX.search(head) or NEGATIVE_HEAD.search(head))


def _negative_lists(text: str) -> list[tuple[int, int]]:
    """A list under a negative heading ("Out of scope:", "Not needed:") is negated, item by
    item, up to the first line that is not a list item."""
    spans: list[tuple[int, int]] = []
    for inline in INLINE_HEAD.finditer(text):  # "Out of scope: retraining, registration."
        if _negative_head(inline["head"]):
            spans.append(inline.span("items"))
    for heading in HEADING.finditer(text):
        if not _negative_head(heading["head"]):
            continue
        end = heading.end()
        for line in re.finditer(r"\n([^\n]*)", text[end:]):
            # a "## Removed" section runs to the next heading, a "Not needed:" list to its end
            if (
                HEADING.match(line.group(1))
                if heading["hashes"]
                else not LIST_ITEM.match(line.group(1))
            ):
                break
            spans.append((end + line.start(1), end + line.end(1)))
    return spans


@functools.lru_cache(maxsize=256)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{cue})" for cue in cues))


SUBSTITUTE = re.compile(r"replac|swap|substitut")
STAGE_ORDER = (
    PREPROCESS,
    TRAIN,
    TUNE,
    EVALUATE,
    CALIBRATE,
    BATCH,
    MODEL,
    PACKAGE,
    PAYLOAD,
    REGISTER,
)
SCOPE_END = re.compile(
    r"\b(?:stop(?:s|ping)? (?:once|after|when|at)|as far as|up to and including|no further than|"
    r"only up to|go (?:only )?(?:up )?to)\b(?P<clause>[^.;,:(\n]{0,60})"
)
STAGE_WORDS = ((TRAIN, re.compile(r"\btrain\w*")), (PREPROCESS, re.compile(r"pre-?process|prepar")))


def _scope_end(text: str, mentions: list[Mention]) -> tuple[set[str], set[str]]:
    """The stage a scope phrase stops at, which is asked ("stop once the model is trained"
    asks for training), and the stages after it, which are not."""
    last_stages: set[str] = set()
    later: set[str] = set()
    for match in SCOPE_END.finditer(text):
        # a stage verb names the stop ("the model is trained"); else the stages mentioned
        named = [c for c, word in STAGE_WORDS if word.search(match["clause"])] or [
            m.concept
            for m in mentions
            if match.start("clause") <= m.start < match.end("clause") and m.concept in STAGE_ORDER
        ]
        if named:
            last = max(STAGE_ORDER.index(c) for c in named)
            last_stages.add(STAGE_ORDER[last])
            later.update(c for c in STAGE_ORDER[last + 1 :] if c != TUNE or TRAIN not in named)
    return last_stages, later


def _conditioned(text: str, pos: int) -> bool:
    """A metric condition opens the sentence before ``pos`` ("unless AUC >= 0.8, no ...")."""
    start, _ = sentence_bounds(text, pos)
    before = text[start:pos]
    return bool(re.match(r"\s*(?:only\s+)?(?:unless|if|until|provided|as long as)\b", before)) and (
        any(pattern.search(before) for pattern in GATE_PATTERNS)
    )


def _ellipsis(text: str, pos: int) -> list[tuple[int, int]]:
    match = NEG_ELLIPSIS.match(text, pos)
    return [(match.start(), match.end())] if match else []


def _hard_end(text: str, pos: int) -> int:
    match = re.compile(r"[.!?](?=\s|$)|[;\n—–]").search(text, pos)
    return match.start() if match else len(text)


# A sentence about earlier work ("last time there was no evaluation", "until now we registered
# by hand"): what it says was not done does not veto what the requirement asks now.
PAST_MARKER = re.compile(
    r"\b(?:last (?:time|year|quarter|month|week|round|release|version)|until now|up to now|"
    r"in the past|used to|historically|the (?:old|previous|current manual) (?:pipeline|process))\b"
)


def _in_past(text: str, mention: Mention) -> bool:
    start, end = sentence_bounds(text, mention.start)
    return bool(PAST_MARKER.search(text, start, end))


def _mentions(text: str, vocab: Vocabulary) -> list[Mention]:
    negated = _negated_spans(text)
    found: list[Mention] = []
    for concept, pattern in vocab.patterns.items():
        guardable = concept in vocab.guardable
        for match in pattern.finditer(text):
            neg = any(s <= match.start() < e for s, e in negated)
            found.append(Mention(concept, match.start(), match.end(), neg, guardable))
    return sorted(found, key=lambda m: m.start)


def _job_mentions(window: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for pattern, job in JOB_MENTIONS:
        for match in pattern.finditer(window):
            found.append((match.start(), job or match.group(1)))
    return sorted(found)


MODIFIER = re.compile(r"\s+(?:model|models|artifacts?|weights|version|candidate|one)\b")
STOP_CONCEPTS = (TRAIN, TUNE, EVALUATE, CALIBRATE, BATCH, MODEL, PACKAGE, REGISTER)


def _jobs_for(text: str, mention: Mention, mentions: list[Mention]) -> list[str]:
    """Job types named after a verb in its sentence (up to the next stage), else before it."""
    sent_start, sent_end = sentence_bounds(text, mention.start)
    later = [
        m.start
        for m in mentions
        if m.start >= mention.end
        and m.concept in STOP_CONCEPTS
        and m.concept != mention.concept
        and not MODIFIER.match(text, m.end)  # "evaluate the tuned model on ..."
    ]
    forward_end = min([sent_end, *later])
    forward = [job for _, job in _job_mentions(text[mention.end : forward_end])]
    if forward:
        return list(dict.fromkeys(forward))
    earlier = [
        m.end
        for m in mentions
        if m.end <= mention.start and m.concept in STOP_CONCEPTS and m.concept != mention.concept
    ]
    back_start = max([sent_start, *earlier])
    # the data a model was trained on, named earlier, is not what it is scored on
    backward = [j for j in _job_mentions(text[back_start : mention.start]) if j[1] != "training"]
    return [backward[-1][1]] if backward else []


def _default_job(text: str, mention: Mention, mentions: list[Mention]) -> str:
    """No job named: scoring in a sentence about calibration scores calibration data."""
    start, end = sentence_bounds(text, mention.start)
    if any(m.concept == CALIBRATE and start <= m.start < end for m in mentions):
        return "calibration"
    return ""


def _framework(text: str) -> str | None:
    """The framework said most, among those whose last mention is not negated ("xgboost ...
    later: use PyTorch instead of XGBoost" is PyTorch; "let's not do pytorch" drops it)."""
    negated = _negated_spans(text)
    hits = [
        (m.start(), name, _inside(m.start(), negated))
        for name, pattern in FRAMEWORK_WORDS.items()
        for m in pattern.finditer(text)
    ]
    last = {name: neg for _, name, neg in sorted(hits)}
    live = [name for name in FRAMEWORK_WORDS if not last.get(name, False)]

    def said(pattern: re.Pattern[str]) -> int:
        return sum(1 for m in pattern.finditer(text) if not _inside(m.start(), negated))

    scores = {name: said(FRAMEWORK_WORDS[name]) * 3 + said(FRAMEWORK_PARAMS[name]) for name in live}
    if not any(scores.values()):
        return None
    best = max(scores.values())
    tied = [name for name in live if scores[name] == best]
    if len(tied) > 1:
        return min((pos, name) for pos, name, neg in hits if not neg and name in tied)[1]
    return tied[0]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _gate(text: str, mentions: list[Mention], negated: set[str]) -> Gate | None:
    if GATE in negated:
        return None
    for pattern in GATE_PATTERNS:
        for match in pattern.finditer(text):
            sent_start, sent_end = sentence_bounds(text, match.start())
            sentence = text[sent_start:sent_end]
            if not GATE_CONDITION.search(sentence):
                continue
            if re.search(r"\bregardless\b", sentence):
                continue
            gate = _gate_from(text, match, sent_start, sent_end, mentions)
            if gate is not None:
                return gate
    return None


def _gate_from(
    text: str, match: re.Match[str], sent_start: int, sent_end: int, mentions: list[Mention]
) -> Gate | None:
    metric = normal_metric(match.group("metric"))
    threshold = float(parse_number(match["value"]))
    if match["percent"] or (threshold > 1 and metric in FRACTIONS):
        threshold /= 100
    said = match.groupdict()
    comparison = comparison_of((said.get("comp") or "").strip() or said.get("orwhat"), metric)
    before_metric = text[max(sent_start, match.start() - 30) : match.start()]
    jobs = _job_mentions(before_metric)
    job = jobs[-1][1] if jobs else None
    guards = _guards(text, match.start(), match.end(), sent_start, sent_end, mentions)
    later = PASSES.search(text, sent_end, min(len(text), sent_end + 300))
    if not guards and later:  # "rmse must be at most 18.5. If it passes: package + register"
        lo, hi = sentence_bounds(text, later.start())
        guards = _guardable_in(text, lo, hi, mentions)
    stops = states_failure(text, match.end()) or OTHERWISE_STOP.match(text, match.end())
    if not guards and stops:  # "..., stop here" / "..., otherwise stop": what follows
        guards = tuple(m.concept for m in mentions if m.start >= sent_end and m.guardable)[:1]
    return Gate(metric, threshold, comparison, job, guards, (match.start(), match.end()))


OTHERWISE_STOP = re.compile(
    r"[^.;\n]{0,30}?\b(?:otherwise|else)\b[^.;\n]{0,20}?\b(?:stop|fail|abort|halt)"
)
# a later condition that points back at the gate: the stages it names are the guarded ones
PASSES = re.compile(
    r"\b(?:if|when|once|after)\s+(?:it|that|this|the\s+(?:gate|check|model|evaluation|metric))"
    r"\s+(?:passes|pass|succeeds|is ok|holds)\b|\bif so\b|\bon (?:success|pass)\b"
)
# a condition dropped into a coordination: the stage it guards comes after it
INTERJECTED = re.compile(r"\b(?:and|or|then|but)\s*[,—–]\s*$")
ATTRIBUTIVE_PACKAGED = re.compile(r"packaged\s+(?:\w+\s+)?(?:model|artifacts?|bundle|archive)\b")


def _guards(
    text: str, start: int, end: int, sent_start: int, sent_end: int, mentions: list[Mention]
) -> tuple[str, ...]:
    """Concepts named in the conditional clause ("only register if ...", "don't X unless")."""
    markers = [m for m in GATE_MARKERS.finditer(text, sent_start, start)]
    cut = markers[-1].start() if markers else start
    pre = text[sent_start:cut]
    if INTERJECTED.search(pre):  # "packaged and, provided that AUC >= 0.9, registered"
        after = _guardable_in(text, end, sent_end, mentions)
        if after:
            return after
    clauses = [(m.end()) for m in re.finditer(r"[,;:—–]", pre)]
    bounds = [0, *clauses, len(pre)]
    for lo, hi in reversed(list(itertools.pairwise(bounds))):
        named = _guardable_in(text, sent_start + lo, sent_start + hi, mentions)
        if named:
            return named
    return _guardable_in(text, end, sent_end, mentions)


def _guardable_in(text: str, lo: int, hi: int, mentions: list[Mention]) -> tuple[str, ...]:
    named: list[str] = []
    asides: list[str] = []  # "register it (after packaging) only if ...": an ordering note
    spans = [(m.start() + lo, m.end() + lo) for m in re.finditer(r"\([^()]*\)", text[lo:hi])]
    for mention in mentions:
        if not (lo <= mention.start < hi) or not mention.guardable:
            continue
        if mention.concept == PAYLOAD and not _payload_action_at(text, mention, lo):
            continue
        if mention.concept == PACKAGE and ATTRIBUTIVE_PACKAGED.match(text, mention.start):
            continue  # "register the packaged model only if ...": an object, not a stage
        inside = any(a <= mention.start < b for a, b in spans)
        (asides if inside else named).append(mention.concept)
    return tuple(dict.fromkeys(named or asides))


def _payload_action_at(text: str, mention: Mention, lo: int) -> bool:
    window = text[max(lo, mention.start - 40) : mention.end + 12]
    return bool(PAYLOAD_ACTION.search(window))


# ---------------------------------------------------------------------------------------------
# the reader


def read_requirement(requirement: str, registry: Registry | None = None) -> Intent:
    """Read a requirement into an :class:`Intent` (no wiring; cue words from the registry)."""
    vocab = vocabulary(registry)
    joined = _join_wrapped_lines(words_to_digits(told(requirement)))
    masked = _mask(joined)
    sources = _assign_job_types(masked, vocab)
    text = correct_typos(_retokenize(masked, sources), vocab.cues)
    models = [s for s in masked.sources if s.kind == "model"]
    mentions = _mentions(text, vocab)
    intent = Intent(text=text, sources=[*sources, *models], mentions=mentions)
    intent.framework = _framework(text)
    intent.asked = {m.concept for m in mentions if not m.negated}
    intent.negated = {m.concept for m in mentions if m.negated and not _in_past(text, m)}
    stops_at, after_stop = _scope_end(text, mentions)
    intent.negated |= after_stop
    intent.asked |= stops_at - intent.negated
    intent.model_uri = models[0].value if models else None
    intent.unsupported_model = framework_outside(joined)
    if intent.unsupported_model:
        # a model in a framework the catalogue lacks: not replaced by XGBoost; no model stages
        intent.asked -= set(MODEL_STAGES)
    # "retrain our existing model (s3://.../model.tar.gz)": training wins
    intent.existing_model = bool(EXISTING_MODEL.search(text)) and not intent.wants(TRAIN)
    if _implies_training(text, intent) and not intent.unsupported_model:
        intent.asked.add(TRAIN)
    intent.load_only = bool(LOAD_ONLY.search(text)) and PREPROCESS not in intent.asked
    if intent.load_only:
        intent.negated.add(PREPROCESS)

    jobs = [s.job_type for s in sources if s.job_type]
    loaded = {
        {"test": "testing", "holdout": "testing"}.get(m.group(1), m.group(1))
        for m in LOAD_JOB.finditer(text)
    }
    jobs.extend(loaded)
    intent.data_job_types = [j for j in JOB_ORDER if j in jobs]

    active = [m for m in mentions if not m.negated]
    for mention in active:
        if mention.concept == EVALUATE:
            intent.evaluate.extend(
                _jobs_for(text, mention, mentions) or [_default_job(text, mention, active)]
            )
        elif mention.concept == BATCH:
            intent.batch.extend(
                _jobs_for(text, mention, mentions) or [_default_job(text, mention, active)]
            )
    intent.evaluate = _resolve_jobs(
        intent.evaluate, intent, default_first=("testing", "validation")
    )
    intent.batch = _resolve_jobs(intent.batch, intent, default_first=("inference", "testing"))
    replaced = _replaced_jobs(text)  # "on the validation set instead of the test set"
    intent.evaluate = [j for j in intent.evaluate if j not in replaced] or intent.evaluate
    intent.batch = [j for j in intent.batch if j not in replaced] or intent.batch
    if not intent.wants(EVALUATE):
        intent.evaluate = []
    if not intent.wants(BATCH):
        intent.batch = []
    named = {src.job_type for src in sources if not src.guessed} | loaded
    held_out: list[str] = [
        j for j in ("testing", "validation") if j in named and j not in intent.batch
    ]
    trains = intent.wants(TRAIN) or intent.wants(TUNE)
    if held_out and trains and not intent.evaluate and EVALUATE not in intent.negated:
        # a test or validation set given with a model to train is there to score the model
        intent.asked.add(EVALUATE)
        intent.evaluate = held_out[:1]

    if intent.wants(CALIBRATE):
        if "calibration" in intent.batch:
            intent.calibration_scorer = "batch"
        else:
            intent.calibration_scorer = "evaluate"
            if "calibration" not in intent.evaluate:
                intent.evaluate.append("calibration")
            if "calibration" not in intent.data_job_types:
                intent.data_job_types.append("calibration")
    intent.gate = _gate(text, mentions, intent.negated)
    intent.attach_metrics = _attached_metrics(text, mentions, intent)
    intent.payloads_apart = bool(PAYLOADS_APART.search(text))
    _drop_unused_data(intent, loaded)
    return intent


SUBSTITUTED = re.compile(r"\b(?:instead of|rather than|in place of)\s+(?:on\s+|using\s+)?")


def _replaced_jobs(text: str) -> set[str]:
    """Job types a substitution takes back, wherever said ("... instead of the test set")."""
    replaced: set[str] = set()
    for cue in SUBSTITUTED.finditer(text):
        found = _job_mentions(text[cue.end() : cue.end() + 30])
        if found and found[0][0] <= 4:
            replaced.add(found[0][1])
    return replaced


def _drop_unused_data(intent: Intent, loaded: set[str]) -> None:
    """Data named for a stage that is not planned is not loaded ("the test set is at X, but
    skip the evaluation"), unless the text asks to load it or asks for data work only."""
    if not any(intent.wants(c) for c in MODEL_STAGES):
        return
    used = {"training", *intent.evaluate, *intent.batch, *intent.attach_metrics, *loaded}
    if intent.gate:  # the gate's evaluation reads the held-out data the text names
        used.update({intent.gate.job_type or "testing", "validation"})
    if intent.wants(CALIBRATE):
        used.add("calibration")
    intent.data_job_types = [j for j in intent.data_job_types if j in used]


MODEL_NOUN = re.compile(
    r"\b(?:classifier|regressor|forecaster|ranker|model|predictor|estimator|network|mlp)\b"
)
DATA_ONLY = re.compile(
    r"\b(?:only|just)\b[^.;\n]{0,40}\b(?:data|load\w*|prep\w*|pre-?process\w*|ingest\w*)\b"
)
MODEL_STAGES = (TRAIN, TUNE, EVALUATE, CALIBRATE, BATCH, MODEL, PACKAGE, PAYLOAD, REGISTER)


def _implies_training(text: str, intent: Intent) -> bool:
    """ "an xgb classifier on s3://..." with no stage named still means: train one."""
    if any(c in intent.asked or c in intent.negated for c in MODEL_STAGES):
        return False
    if intent.existing_model or DATA_ONLY.search(text):
        return False
    framework = any(p.search(text) for p in FRAMEWORK_WORDS.values())
    # a model noun, the framework's hyperparameters ("an xgb pipeline ... eta 0.05, depth 8"),
    # or training data ("XGBoost on s3://.../train/")
    hyperparameters = any(p.search(text) for p in FRAMEWORK_PARAMS.values())
    training_data = any(
        s.job_type in (None, "training") for s in intent.sources if s.kind != "model"
    )
    return framework and bool(MODEL_NOUN.search(text) or hyperparameters or training_data)


def _resolve_jobs(raw: list[str], intent: Intent, *, default_first: tuple[str, ...]) -> list[str]:
    named = [j for j in intent.data_job_types if j != "training"]
    out: list[str] = []
    for job in raw:
        if not job:
            job = next((j for j in default_first if j in named), "")
            if not job:
                job = next((j for j in named if j not in ("calibration",)), default_first[0])
        if job not in out:
            out.append(job)
    # an unqualified mention next to a qualified one adds nothing ("evaluate ... the evaluation")
    return out


ATTACH = re.compile(
    r"\b(?:with|attach\w*|includ\w*|along with|together with|plus)\s+"
    r"(?:[\w§+&/-]+[\s+&/-]+){0,6}?"
    r"(?:metrics|evaluation report|eval report|evaluation results|scores? report)\b"
    r"|\b(?:metrics|report|evaluation results)\s+(?:attached|included)\b"
    r"|\battach\w*\s+(?:the\s+)?(?:evaluation|eval)\b"
)


def _attached_metrics(text: str, mentions: list[Mention], intent: Intent) -> list[str]:
    if not intent.wants(REGISTER):
        return []
    jobs: list[str] = []
    for mention in mentions:
        if mention.concept != REGISTER or mention.negated:
            continue
        start, end = sentence_bounds(text, mention.start)
        sentence = text[start:end]
        for match in ATTACH.finditer(sentence):
            near = _job_mentions(sentence[max(0, match.end() - 45) : match.end()])
            jobs.append(near[-1][1] if near else "")
    if not jobs:
        return []
    evaluated = [j for j in intent.evaluate if j != "calibration"]
    resolved = [j or (evaluated[0] if evaluated else "") for j in jobs]
    return _resolve_jobs(resolved, intent, default_first=("testing", "validation"))
