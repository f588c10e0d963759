"""Offline (rule-based) extraction of stated values from a requirement or an answer.

General rules, no case texts: literal values first (S3 URIs, ARNs, SQL), then statements
introduced by a cue word (``label``, ``region``, ``bucket``, hyperparameter names, a metric
with a comparison). Where a value belongs is decided from the words around it and from the
topology (which job types have a data path, which framework the training step uses).

What it never does: invent a value (a field with no statement stays unknown), pick one of
two contradicting statements (both are kept as a conflict), or accept a value its field's
Pydantic type refuses (kept as rejected, with the validation message).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sagewright.agents import extract_settings as settings
from sagewright.agents.extract_fields import HYPERPARAMETER_CLASSES
from sagewright.agents.extract_result import Collector, Extraction
from sagewright.agents.llm import Usage
from sagewright.agents.questions import model_from_config_nodes, questions_for
from sagewright.agents.requirement_reader import (
    read_requirement,
    vocabulary,
)
from sagewright.agents.text.discourse import message_starts, told
from sagewright.agents.text.leftovers import unread_note
from sagewright.agents.text.literals import MASK, Mention, find_mentions, flatten_layout, mask
from sagewright.agents.text.metrics import (
    GATE_PATTERNS,
    INVERSE,
    THRESHOLD,
    comparison_of,
    normal_metric,
    states_failure,
)
from sagewright.agents.text.numbers import NUMBER, parse_number, words_to_digits
from sagewright.agents.text.windows import (
    after_window,
    before_window,
    cut_short,
    sentence_bounds,
)
from sagewright.facts import PipelineValues
from sagewright.registry import JOB_TYPES, Registry, default_registry
from sagewright.registry.fields import field_cues
from sagewright.registry.hyperparameters import ModelHyperparameters
from sagewright.registry.value_keys import rows
from sagewright.scaffold import infer_framework, topology_framework
from sagewright.topology import Topology, qualifier_of, step_type_of

# ---------------------------------------------------------------------------- vocabulary


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """a an and are as at be by column columns col data dataset each every field fields for
    from has have in into is it its name names no not of on or our per set should the their
    them then this that these those to use using value values was we which will with your
    encoding encoded smoothing noise leakage distribution imbalance quality drift leak
    auc accuracy f1 precision recall metric metrics score scores model models pipeline step
    training train test testing validation calibration inference job type split rows row
    yes none null true false here there when where what all any both named called
    binary multiclass multi categorical numeric numerical continuous imbalanced balanced noisy
    missing available present sparse known unknown clean stored kept given provided included
    derived computed defined based same different only also unique like such eg ie e g"""
)
FUNCTION_WORDS = _words(
    "a an and are as at be by for from in is it of on or should the to use with"
)
REGION_CODE = re.compile(
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov)?-"
    r"(?:east|west|north|south|central|northeast|southeast|northwest|southwest)-\d{1,2}\b",
    re.IGNORECASE,
)
REGION_STATED = re.compile(
    r"\bregion\b(?P<connect>\s*(?:\bis\b|\bshould be\b|=|:|\bof\b)\s*|\s+)[`'\"]?"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9-]*)",
    re.IGNORECASE,
)
IDENT = (  # starts where a word starts: a long run of letters is read once (linear)
    r"(?<![A-Za-z0-9_])[`'\"]?(?<![A-Za-z0-9_])(?P<name>[A-Za-z_][A-Za-z0-9_]*)[`'\"]?"
    r"(?![A-Za-z0-9_])"
)
CONNECT = (
    r"(?:\s*(?:[:=]|(?:\b(?:is|are)\s+)?(?:(?:stored|kept|found|given|lives?|sits?|resides?)\s+)?\bin\b"
    r"|\bis\b|\bwill be\b|\bshould be\b|\bnamed\b|\bcalled\b)\s*|\s+)"
    r"(?:the\s+)?(?:(?:column|field|col)\s+)?(?:(?:named|called)\s+)?"
)
LABEL_WORD, *TARGET_WORDS = field_cues(ModelHyperparameters, "label_name")
_TARGET = "|".join(TARGET_WORDS)
LABEL_PATTERNS = [
    re.compile(
        rf"\b(?:{LABEL_WORD})(?:\s*\([^)\n]{{0,20}}\))?(?:[ _](?:column|col|field|name|variable))?"
        + CONNECT
        + IDENT,
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:{_TARGET})\s*(?:[:=]|\bis\b)\s*(?:the\s+)?(?:column\s+)?" + IDENT,
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:{_TARGET})[ _](?:column|col|field|name|variable|label)" + CONNECT + IDENT,
        re.IGNORECASE,
    ),
    # "y = churned": the statistician's name for the label
    re.compile(r"(?<![A-Za-z0-9_.\-])y\s*(?:=|:=)\s*" + IDENT),
    re.compile(
        IDENT
        + rf"\s+(?:(?:which|that)\s+)?(?:is|as)\s+(?:the\s+|our\s+)?(?:{LABEL_WORD}|target)\b",
        re.IGNORECASE,
    ),
]
# Fallbacks when the direct forms found nothing: "the label is binary and called y".
CLAUSE_PATTERNS = {
    "label_name": re.compile(
        r"\b(?:labels?|target)\b[^.;\n]{0,40}?\b(?:column|called|named|field)\s+" + IDENT,
        re.IGNORECASE,
    ),
    "id_name": re.compile(
        r"\b(?:ids?|identifier)\b[^.;\n]{0,40}?\b(?:column|called|named|field)\s+" + IDENT,
        re.IGNORECASE,
    ),
}
PREDICT_PATTERN = re.compile(
    r"\bpredict(?:s|ing)?\s+(?:the\s+)?(?:(?:column|field|label)\s+)?"
    r"(?P<quoted>[`'\"])?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P=quoted)?(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
ID_WORDS = (
    r"\b(?:" + "|".join(field_cues(ModelHyperparameters, "id_name")) + ")"
    r"(?:[ _](?:column|col|field|name))?"
)
ID_PATTERNS = [
    re.compile(ID_WORDS + CONNECT + IDENT, re.IGNORECASE),
    re.compile(
        IDENT + r"\s+(?:(?:which|that)\s+)?(?:is|as)\s+(?:the\s+|our\s+|a\s+)?(?:row\s+)?"
        r"(?:id|identifier)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:keyed|identified|indexed)\s+(?:by|on)\s+(?:the\s+)?" + IDENT, re.IGNORECASE),
    # "key: shipment_id" (a snippet's key line)
    re.compile(r"^[ \t*\-]*(?:row[ _]|join[ _])?key\s*[:=]\s*" + IDENT, re.IGNORECASE | re.M),
]
BUCKET_STATED = re.compile(
    r"\b(?:s3\s+)?bucket\b(?:\s+(?:for|of)\s+(?:the\s+)?(?:pipeline\s+)?(?:artifacts|outputs?))?"
    r"(?:[ _](?:name|named|called))?(?P<connect>\s*(?:\bis\b|=|:)\s*|\s+)"
    r"[`'\"]?(?P<value>[a-z0-9][a-z0-9.\-]*[a-z0-9])(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
    re.IGNORECASE,
)
BUCKET_BEFORE = re.compile(
    r"(?<![A-Za-z0-9.\-])(?P<value>[a-z0-9][a-z0-9.\-]*[a-z0-9])[ \t]+(?:s3[ \t]+)?bucket\b"
)
PIPELINE_NAME_PATTERNS = [
    re.compile(
        r"\bpipeline[ _](?:name|named|called|id)\b\s*(?:\bis\b|=|:)?\s*"
        r"[`'\"]?(?P<value>[A-Za-z0-9](?:-*[A-Za-z0-9])*)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:call|name)\s+(?:the|this|it|our)\s+(?:pipeline\s+)?"
        r"[`'\"]?(?P<value>[A-Za-z0-9](?:-*[A-Za-z0-9])*)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bpipeline\b[^.\n]{0,24}?\b(?:named|called)\s+[`'\"]?"
        r"(?P<value>[A-Za-z0-9](?:-*[A-Za-z0-9])*)",
        re.IGNORECASE,
    ),
]
# "- name: rx-adherence-xgb" / "pipeline:\n  name: wafer-defect-pt" / "...; bucket b; name
# demand-weekly": a slug named on a line or in a list of settings
PIPELINE_NAME_LINE = re.compile(
    r"(?:^[ \t]*(?:[-*•][ \t]*)?|[;,][ \t]*)name(?:[ \t]*[:=][ \t]*|[ \t]+)[`'\"]?"
    r"(?P<value>[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+)[`'\"]?(?=[ \t]*(?:$|[;,]|\.(?:\s|$)))",
    re.IGNORECASE | re.MULTILINE,
)
PIPELINE_NAME_SHORT = re.compile(
    r"\bpipeline(?:[ \t]*[:=][ \t]*[`'\"]?|\s+[`'\"]|[ \t]+)"
    r"(?P<value>[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)+)(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
INSTANCE = re.compile(r"\bml\.[a-z0-9]+\.[a-z0-9]+\b", re.IGNORECASE)
TRAIN_CUE = r"train|training|trainer|tune|tuning|tuner"
PROCESS_CUE = r"process|processing|preprocess|preprocessing|processor|prep"
OTHER_CUE = (
    r"transform|inference|endpoint|host|hosting|serve|serving|deploy|deployment"
    r"|batch(?![ _-]?size)"  # "a batch size of 128" is a hyperparameter, not batch transform
)
ALL_CUE = r"all|every|everything|both"
INSTANCE_CUE = re.compile(  # "_" is a boundary too: training_instance_type: ml.m5.xlarge
    rf"(?<![A-Za-z0-9])(?:(?P<train>{TRAIN_CUE})|(?P<process>{PROCESS_CUE})"
    rf"|(?P<other>{OTHER_CUE})|(?P<all>{ALL_CUE}))(?![A-Za-z0-9])",
    re.IGNORECASE,
)
INSTANCE_DIRECT_AFTER = re.compile(
    r"^\s*(?:instances?\s+)?(?:\(\s*|(?:for|on)\s+(?:the\s+|all\s+)?)"
    rf"(?:(?P<train>{TRAIN_CUE})|(?P<process>{PROCESS_CUE})|(?P<other>{OTHER_CUE})"
    rf"|(?P<all>{ALL_CUE}))\b",
    re.IGNORECASE,
)
# Words that name a job type, so an artifacts location is not taken for data ("the
# training artifacts go to s3://..." is output; "test data at s3://..." is not).
JOB_KEYWORD = re.compile(
    r"\b(?:train|training|test|testing|holdout|validation|val|calibration|inference|scoring)\b",
    re.IGNORECASE,
)
MODEL_FILE = re.compile(r"\.(?:tar\.gz|tgz|tar|pt|pth|joblib|pkl|bst|onnx)$", re.IGNORECASE)
EXISTING_CUE = re.compile(
    r"\b(?:existing|already|pre-?trained|trained|current|production|prod|deployed|our)\b",
    re.IGNORECASE,
)
ARTIFACT_CUE = re.compile(
    r"\b(?:artifacts?|outputs?)\b[^.\n]{0,30}$",
    re.IGNORECASE,
)
ENGINE = re.compile(r"\b(?P<engine>athena|redshift)\b", re.IGNORECASE)
CLUSTER = re.compile(
    r"\b(?:redshift\s+)?cluster(?:[ _](?:id|identifier|name))?\b\s*(?:\bis\b|=|:|named|called)?"
    r"\s*[`'\"]?(?P<value>[A-Za-z][A-Za-z0-9-]*)",
    re.IGNORECASE,
)
FRAMEWORK_WORDS = {
    "pytorch": re.compile(r"\b(?:py-?torch|torch)\b", re.IGNORECASE),
    "xgboost": re.compile(
        r"\b(?:xgboost|xgb|gradient[- ]boost(?:ed|ing)?|boosted trees|gbdt)\b", re.IGNORECASE
    ),
}
FIELD_LISTS = {
    "cat_field_list": r"categorical",
    "tab_field_list": r"numeric(?:al)?|continuous",
}

# Hyperparameter names: (pattern, {framework: field}, strength). "weak" names need an
# explicit connector (=, :, of, set to) because the word also has everyday meanings.
HYPERPARAMETER_NAMES: list[tuple[str, dict[str, str], str]] = [
    (
        r"early[_ ]stopping[_ ]rounds|early[ _]stopping(?:[ _](?:patience|rounds|after|at))?",
        {"xgboost": "early_stopping_rounds", "pytorch": "early_stopping_patience"},
        "strong",
    ),
    (r"early[_ ]stopping[_ ]patience|patience", {"pytorch": "early_stopping_patience"}, "weak"),
    (
        r"max[_ ]?depth|max(?:imum)?[ _]tree[ _]depth|maximum[ _]depth|tree[ _]depth",
        {"xgboost": "max_depth"},
        "strong",
    ),
    (r"depth", {"xgboost": "max_depth"}, "strong"),
    (r"eta", {"xgboost": "eta"}, "strong"),
    (r"learning[_ -]?rate|lr|step[ _]size", {"xgboost": "eta", "pytorch": "lr"}, "strong"),
    (
        r"num[_ ]?rounds?|num[_ ]boost[_ ]rounds?|n[_ ]?rounds|number[ _]of[ _](?:boosting[ _])?"
        r"rounds|boosting[ _]rounds|n[_ ]estimators|number[ _]of[ _]trees|num[_ ]trees",
        {"xgboost": "num_round"},
        "strong",
    ),
    (r"rounds|trees|iterations", {"xgboost": "num_round"}, "weak"),
    (r"num[_ ]epochs|n[_ ]epochs|number[ _]of[ _]epochs|epochs?", {"pytorch": "epochs"}, "strong"),
    (r"batch[_ -]?size", {"pytorch": "batch_size"}, "strong"),
    (r"(?:mini[ -]?)?batch(?:es)?", {"pytorch": "batch_size"}, "weak"),
    (r"dropout(?:[ _](?:rate|prob(?:ability)?))?", {"pytorch": "dropout"}, "strong"),
    (r"weight[_ ]decay", {"pytorch": "weight_decay"}, "strong"),
    (
        r"subsample(?:[ _]ratio)?|row[ _]subsample(?:[ _]ratio)?",
        {"xgboost": "subsample"},
        "strong",
    ),
    (
        r"colsample[_ ]?by[_ ]?tree|column[ _]subsample(?:[ _]ratio)?",
        {"xgboost": "colsample_bytree"},
        "strong",
    ),
    (r"min[_ ]child[_ ]weight", {"xgboost": "min_child_weight"}, "strong"),
    (r"scale[_ ]pos[_ ]weight", {"xgboost": "scale_pos_weight"}, "strong"),
    (r"gamma|min[_ ]split[_ ]loss", {"xgboost": "gamma"}, "weak"),
    (r"reg[_ ]?lambda|lambda|l2(?:[ _]regulari[sz]ation)?", {"xgboost": "reg_lambda"}, "weak"),
    (r"reg[_ ]?alpha|alpha|l1(?:[ _]regulari[sz]ation)?", {"xgboost": "reg_alpha"}, "weak"),
    (r"random[ _]seed|seed", {"pytorch": "seed"}, "weak"),
]
CATEGORICAL_NAMES: list[tuple[str, dict[str, str], str]] = [
    (r"objective", {"xgboost": "objective"}, r"(?:binary|multi|reg|count|rank|survival):[a-z]+"),
    (r"eval[_ ]metric|evaluation[ _]metric", {"xgboost": "eval_metric"}, r"[a-z]+"),
    (r"optimi[sz]er", {"pytorch": "optimizer"}, r"[a-z]+"),
    (r"tree[_ ]method", {"xgboost": "tree_method"}, r"[a-z]+"),
]
STRONG_CONNECT = (
    r"\s*(?:=|:|->|→|\b(?:fixed|set|kept|held)(?:\s+(?:at|to))?\b|\bof\b|\bis\b|\bto\b|\bat\b"
    r"|\bequal to\b|\bto be\b)?\s*"
)
WEAK_CONNECT = r"\s*(?:=|:|->|→|\bof\b|\bset(?: to)?\b|\bequal to\b)\s*"
UNITS = {
    "rounds": "num_round",
    "boosting rounds": "num_round",
    "trees": "num_round",
    "estimators": "num_round",
    "iterations": "num_round",
    "epochs": "epochs",
    "epoch": "epochs",
}
VALUE_BEFORE_UNIT = re.compile(
    rf"(?P<value>{NUMBER})\s*(?:boosting\s+|training\s+|xgboost\s+)?"
    r"(?P<unit>boosting rounds|rounds|trees|estimators|iterations|epochs|epoch)\b",
    re.IGNORECASE,
)
BATCH_OF_SAMPLES = re.compile(
    r"\b(?P<value>\d+)[ -](?:samples?|examples?|rows?|records?|items?|images?|sequences?)"
    r"[ -](?:mini[ -]?)?batch(?:es)?\b",
    re.IGNORECASE,
)
RANGE_AFTER = re.compile(r"\s*(?:-|–|\bto\b|\.\.)\s*[-+]?\d")
RANGE_BEFORE = re.compile(r"\b(?:between|from|range|every|each|after|within|per)\s*$", re.I)
OBJECTIVE_LITERAL = re.compile(r"\b(?:binary|multi|reg|count|rank):[a-z]+\b")

# A value a statement rules out: a region code, an instance type, a masked literal (S3 URI,
# query), a number or a quoted name, optionally as ``name = value``.
OLD_VALUE = (
    rf"(?:[A-Za-z_][A-Za-z0-9_]*(?:[ _][A-Za-z0-9_]+)?\s*(?:[:=]|\bof\b)\s*(?!{NUMBER}\s+[a-z]))?"
    rf"(?:{REGION_CODE.pattern}|{INSTANCE.pattern}|{MASK}+|(?<![A-Za-z0-9_.]){NUMBER}(?![A-Za-z0-9_])"
    r"|[`'\"][A-Za-z0-9_:\-]+[`'\"])"
)
RULED_OUT = [
    # "not us-east-1", "don't use ml.p3", "instead of num_round=100", "e.g. us-east-1"
    re.compile(
        r"(?:\b(?:not|never|avoid(?:ing)?|except|instead\s+of|rather\s+than|other\s+than"
        r"|no\s+longer(?:\s+use)?|e\.g\.,?|for\s+(?:example|instance),?|such\s+as)"
        r"|n't(?:\s+(?:use|pick|choose|want))?)\s+"
        rf"(?:(?:use|using|pick|choose)\s+)?(?:the\s+|an?\s+)?{OLD_VALUE}",
        re.IGNORECASE,
    ),
    # "we used to train with max_depth=4", "previously ml.m5.xlarge"
    re.compile(
        r"(?:\b(?:we|i|they|you|it)\s+used\s+to|\bused\s+to\s+be|\bpreviously|\bformerly"
        r"|\boriginally|\bin\s+the\s+past)\b"
        rf"[^.;,\n]{{0,40}}?(?!{MASK}){OLD_VALUE}",
        re.IGNORECASE,
    ),
    # "max_depth changed from 8 to 5": the old value and its verb, the new one stays
    re.compile(
        r"\b(?:chang|mov|switch|bump|rais|lower|increas|decreas|reduc|go|went|drop|cut)"
        rf"[a-z]*\s+(?:it\s+)?from\s+{OLD_VALUE}\s+(?:to|->|→)(?=\s)",
        re.IGNORECASE,
    ),
]
UNLESS = re.compile(r"\bunless\b", re.IGNORECASE)
BARE_THRESHOLD = re.compile(
    rf"(?<![\w-])(?:threshold|gate|bar|cut-?off)\s*(?:(?:to|at|of|=|:|is|should be|becomes?)\s*)?"
    rf"(?=\.?\d){THRESHOLD}",
    re.IGNORECASE,
)
FAIL_CUE = re.compile(
    r"\b(?:fail|fails|stop|stops|block|blocks|reject|abort|halt)\b[^.\n]{0,40}$", re.IGNORECASE
)


# ---------------------------------------------------------------------------- the pass


@dataclass
class _Context:
    text: str
    masked: str
    mentions: list[Mention]
    topology: Topology
    framework: str
    collector: Collector
    registry: Registry
    notes: list[str] = field(default_factory=list)

    def snippet(self, start: int, end: int) -> str:
        self.collector.position = max(start, 0)  # the value about to be added was said here
        return " ".join(self.text[max(start, 0) : end].split())[:120]

    def whole(self, start: int, end: int) -> bool:
        """False (and a not-understood note) when the value read up to ``end`` goes on."""
        if not cut_short(self.text, end):
            return True
        stop = re.compile(r"[\s,;]|$").search(self.text, end, end + 80)
        said = self.snippet(start, stop.start() if stop else end + 80)
        self.notes.append(unread_note(said, "the value is not taken in part"))
        return False


def extract_offline(
    text: str, topology: Topology, *, registry: Registry | None = None
) -> Extraction:
    """Values stated in ``text`` for ``topology`` (offline backend, no model calls)."""
    reg = registry or default_registry()
    collector = _collect(text, topology, reg)
    return finish_extraction(collector, topology, reg, backend="offline", usage=Usage())


def finish_extraction(
    collector: Collector, topology: Topology, registry: Registry, *, backend: str, usage: Usage
) -> Extraction:
    """The collected values as an :class:`Extraction`, with the questions still open."""
    values, conflicts, rejected = collector.finish(topology)
    missing = [
        q.key
        for q in questions_for(
            topology, values, conflicts=conflicts, rejected=rejected, registry=registry
        )
    ]
    return Extraction(
        values=values,
        conflicts=conflicts,
        usage=usage,
        backend=backend,
        rejected=rejected,
        missing=missing,
        notes=collector.notes,
    )


def collect_offline(
    text: str, topology: Topology, *, registry: Registry | None = None
) -> Collector:
    """The candidates found in ``text``, before they are merged (used for answers too)."""
    return _collect(text, topology, registry or default_registry())


def _collect(text: str, topology: Topology, registry: Registry) -> Collector:
    text = words_to_digits(told(text))
    mentions = find_mentions(text)
    masked = flatten_layout(mask(text, [(m.start, m.end) for m in mentions]))
    masked, mentions = _rule_out(masked, mentions)
    framework = _framework(text, topology)
    collector = Collector(framework, registry)
    collector.message_starts = message_starts(text)
    ctx = _Context(text, masked, mentions, topology, framework, collector, registry)
    _framework_statement(ctx)
    _roles(ctx)
    _buckets(ctx)
    _regions(ctx)
    _pipeline_names(ctx)
    _instances(ctx)
    _labels_and_ids(ctx)
    _field_lists(ctx)
    _gate(ctx)
    _hyperparameters(ctx)
    _sources(ctx)
    _settings(ctx)
    _named_fields(ctx)
    collector.notes.extend(ctx.notes)
    return collector


# ---------------------------------------------------------------------------- rules


def _rule_out(masked: str, mentions: list[Mention]) -> tuple[str, list[Mention]]:
    """Blank the values a statement rules out, and the literals inside them.

    ``not us-east-1``, ``don't use ml.p3.2xlarge``, ``instead of num_round=100``, ``(e.g.
    us-east-1)``, ``we used to train with max_depth=4``, ``max_depth changed from 8 to 5``
    (the old value): the cue and the value become blanks, so no rule reads them and a
    ``NAME <blanks> NEW`` left behind reads as the new statement.
    """
    spans = [m.span() for pattern in RULED_OUT for m in pattern.finditer(masked)]
    if not spans:
        return masked, mentions
    chars = list(masked)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    kept = [m for m in mentions if not any(s <= m.start < e for s, e in spans)]
    return "".join(chars), kept


def _framework(text: str, topology: Topology) -> str:
    """The topology's framework when it names one, else the only framework the text names."""
    decided = topology_framework(topology)
    if decided:
        return decided
    named = [fw for fw, pattern in FRAMEWORK_WORDS.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else infer_framework(topology, PipelineValues())


def _framework_statement(ctx: _Context) -> None:
    if topology_framework(ctx.topology):
        return  # the topology decides; the text cannot contradict it
    for framework, pattern in FRAMEWORK_WORDS.items():
        match = pattern.search(ctx.masked)
        if match:
            ctx.collector.add("framework", framework, ctx.snippet(match.start(), match.end()))


def _roles(ctx: _Context) -> None:
    for mention in ctx.mentions:
        if mention.kind == "arn" and (":iam:" in mention.value or ":role/" in mention.value):
            ctx.collector.add("role_arn", mention.value, mention.value)


def _buckets(ctx: _Context) -> None:
    spans: list[tuple[int, int]] = []
    for match in BUCKET_STATED.finditer(ctx.masked):
        value = match["value"]
        connected = match["connect"].strip() != ""
        if value.lower() in STOPWORDS or not (connected or _name_like(value)):
            continue
        ctx.collector.add("bucket", value, ctx.snippet(match.start(), match.end()))
        spans.append((match.start("value"), match.end("value")))
    for match in BUCKET_BEFORE.finditer(ctx.masked):
        value = match["value"]
        if (
            _name_like(value)
            and value.lower() not in STOPWORDS
            and not REGION_CODE.fullmatch(value)
        ):
            ctx.collector.add("bucket", value, ctx.snippet(match.start(), match.end()))
            spans.append((match.start("value"), match.end("value")))
    # "bucket: s3://name/" names the bucket by URI
    for mention in ctx.mentions:
        if mention.kind == "s3" and re.search(
            r"\bbucket\b\s*(?:\bis\b|=|:)?\s*[`'\"]?$",
            ctx.masked[max(0, mention.start - 40) : mention.start],
            re.I,
        ):
            host = mention.value[5:].split("/", 1)[0]
            ctx.collector.add("bucket", host, mention.value)
    ctx.masked = mask(ctx.masked, spans)


def _name_like(value: str) -> bool:
    return bool(re.search(r"[-.0-9]", value))


def _regions(ctx: _Context) -> None:
    """Region codes anywhere; after the word 'region', also what is not a code (to re-ask)."""
    for match in REGION_STATED.finditer(ctx.masked):
        value = match["value"]
        if value.lower() in STOPWORDS or REGION_CODE.fullmatch(value):
            continue  # a code is picked up below; "the region" states nothing
        if match["connect"].strip() or _name_like(value):  # "region: Frankfurt", "region eu-1"
            ctx.collector.add("region", value, ctx.snippet(match.start(), match.end()))
    for match in REGION_CODE.finditer(ctx.masked):
        ctx.collector.add("region", match.group().lower(), ctx.snippet(match.start(), match.end()))


def _pipeline_names(ctx: _Context) -> None:
    for pattern in [*PIPELINE_NAME_PATTERNS, PIPELINE_NAME_SHORT, PIPELINE_NAME_LINE]:
        if pattern is PIPELINE_NAME_LINE and ctx.collector.has("pipeline_name"):
            break
        for match in pattern.finditer(ctx.masked):
            value = match["value"]
            if value.lower() in STOPWORDS or not ctx.whole(match.start(), match.end("value")):
                continue
            ctx.collector.add("pipeline_name", value, ctx.snippet(match.start(), match.end()))


EXCEPT = re.compile(
    r"^[^.;\n]{0,12}?\b(?:except|but not|other than|apart from|besides)\b(?P<rest>[^.;\n]*)", re.I
)


def _instances(ctx: _Context) -> None:
    previous_end = 0
    matches = list(INSTANCE.finditer(ctx.masked))
    for i, match in enumerate(matches):
        before = before_window(ctx.masked, match.start(), previous_end)
        ceiling = matches[i + 1].start() if i + 1 < len(matches) else len(ctx.masked)
        after = after_window(ctx.masked, match.end(), ceiling)
        cues = list(INSTANCE_CUE.finditer(before))
        direct = INSTANCE_DIRECT_AFTER.match(after)
        cue = direct or (cues[-1] if cues else INSTANCE_CUE.search(after))
        previous_end = match.end()
        value = match.group().lower()
        evidence = ctx.snippet(match.start() - 40, match.end())
        nodes = _step_named_last(ctx, before, cues[-1].end() if cues and not direct else 0)
        if nodes:  # "run the packaging job on ml.c5.xlarge": that step's own instances
            for node in nodes:
                ctx.collector.add(f"{node}.processing_instance_type", value, evidence)
            continue
        if cue is None:
            ctx.notes.append(f"instance type {value} is not said to be for training or processing")
            continue
        # "every step on ml.m5.xlarge except training": the excepted group keeps its own
        excepted = EXCEPT.match(after) if cue["all"] else None
        left_out = INSTANCE_CUE.search(excepted["rest"]) if excepted else None
        if cue["train"] or (cue["all"] and not (left_out and left_out["train"])):
            ctx.collector.add("training.instance_type", value, evidence)
        if cue["process"] or (cue["all"] and not (left_out and left_out["process"])):
            ctx.collector.add("processing.instance_type", value, evidence)
        if cue["other"]:
            for node in ctx.topology.nodes:
                if step_type_of(node) == "BatchTransform" and re.search(
                    r"transform|batch", cue.group(), re.I
                ):
                    ctx.collector.add(f"{node}.transform_instance_type", value, evidence)


def _step_named_last(ctx: _Context, window: str, after: int) -> list[str]:
    """Nodes of the processing stage the window names last (after position ``after``)."""
    lowered = window.lower()
    patterns = vocabulary(ctx.registry).patterns
    found = [
        (m.start(), spec.name)
        for spec in ctx.registry
        if spec.cues and spec.sagemaker_step == "ProcessingStep"  # a step with its own instances
        for m in patterns[spec.asked_as].finditer(lowered)
        if m.start() >= after
    ]
    if not found:
        return []
    step = max(found)[1]
    return [n for n in ctx.topology.nodes if step_type_of(n) == step]


def _labels_and_ids(ctx: _Context) -> None:
    for key, patterns in (("label_name", LABEL_PATTERNS), ("id_name", ID_PATTERNS)):
        seen: set[tuple[int, int]] = set()
        for pattern in patterns:
            for match in pattern.finditer(ctx.masked):
                span = (match.start("name"), match.end("name"))
                name = match["name"]
                if span in seen or name.lower() in STOPWORDS:
                    continue
                seen.add(span)
                if not ctx.whole(match.start(), match.end("name")):
                    continue
                ctx.collector.add(key, name, ctx.snippet(match.start(), match.end()))
        if not seen:
            for match in CLAUSE_PATTERNS[key].finditer(ctx.masked):
                if match["name"].lower() not in STOPWORDS:
                    evidence = ctx.snippet(match.start(), match.end())
                    ctx.collector.add(key, match["name"], evidence)
    if ctx.collector.has("label_name"):
        return
    for match in PREDICT_PATTERN.finditer(ctx.masked):
        name = match["name"]
        # "predict churn" is a task, "predict is_churned" / "predict `churn`" names a column
        if (match["quoted"] or "_" in name) and name.lower() not in STOPWORDS:
            ctx.collector.add("label_name", name, ctx.snippet(match.start(), match.end()))


def _field_lists(ctx: _Context) -> None:
    for key, adjective in FIELD_LISTS.items():
        pattern = re.compile(
            rf"\b(?:{adjective})\s+(?:features?|columns?|fields?|variables?)\s*(?:\bare\b|[:=])"
            r"\s*\[?(?P<names>[`'\"]?[A-Za-z_][A-Za-z0-9_]*[`'\"]?"
            r"(?:\s*(?:,|\band\b|,\s*and\b)\s*[`'\"]?[A-Za-z_][A-Za-z0-9_]*[`'\"]?)*)",
            re.IGNORECASE,
        )
        for match in pattern.finditer(ctx.masked):
            names = [n.strip("`'\" ") for n in re.split(r",|\band\b", match["names"])]
            names = [n for n in names if n]
            ctx.collector.add(key, names, ctx.snippet(match.start(), match.end()))


def _gate(ctx: _Context) -> None:
    if not any(step_type_of(n) == "QualityGate" for n in ctx.topology.nodes):
        return
    taken: list[tuple[int, int]] = []
    for pattern in GATE_PATTERNS:
        for match in pattern.finditer(ctx.masked):
            if any(s <= match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            metric = normal_metric(match["metric"])
            threshold = _number_text(match["value"], percent=bool(match["percent"]))
            groups = match.groupdict()
            comparison = _comparison(groups.get("comp"), groups.get("orwhat"), metric)
            if (groups.get("bound") or "").lower().startswith("max"):
                comparison = "<="
            start, _ = sentence_bounds(ctx.masked, match.start())
            cue = FAIL_CUE.search(ctx.masked[start : match.start()])
            # "fail if AUC < 0.8" passes on AUC >= 0.8; "block it unless MAE <= 9" on MAE <= 9
            if (cue and not UNLESS.search(cue.group())) or states_failure(ctx.masked, match.end()):
                comparison = INVERSE[comparison]
            evidence = ctx.snippet(match.start(), match.end())
            ctx.collector.add("gate.metric", metric, evidence)
            ctx.collector.add("gate.threshold", threshold, evidence)
            ctx.collector.add("gate.comparison", comparison, evidence)
    for match in BARE_THRESHOLD.finditer(ctx.masked):  # "make the threshold 0.82", "the gate 0.85"
        if not any(s <= match.start() < e for s, e in taken):
            value = _number_text(match["value"], percent=bool(match["percent"]))
            ctx.collector.add("gate.threshold", value, ctx.snippet(match.start(), match.end()))


def _comparison(comp: str | None, orwhat: str | None, metric: str) -> str:
    return comparison_of(comp or (orwhat and " ".join(orwhat.split())), metric)


def _number_text(raw: str, *, percent: bool = False) -> str:
    text = parse_number(raw)
    if not percent:
        return text
    try:
        return str(Decimal(text) / 100)
    except InvalidOperation:
        return text


def _hyperparameter_regexes() -> list[tuple[dict[str, str], str, re.Pattern[str], Any]]:
    """``NAME = VALUE`` (and, for strong names, ``a VALUE NAME``) per name, compiled once."""
    out: list[tuple[dict[str, str], str, re.Pattern[str], Any]] = []
    for written, fields, strength in HYPERPARAMETER_NAMES:
        pattern = written.replace("[_ ]", "[_ -]").replace("[ _]", "[ _-]")  # --num-round 200
        connect = WEAK_CONNECT if strength == "weak" else STRONG_CONNECT
        regex = re.compile(
            rf"(?<![A-Za-z0-9_])(?P<name>{pattern})(?![A-Za-z0-9_])[\"']?(?:\s*\([^)\n]{{0,30}}\))?"
            rf"{connect}"
            rf"(?P<value>{NUMBER})(?P<percent>%)?(?![A-Za-z0-9_]|\.\d)(?:[ \t]*(?:rounds|epochs))?",
            re.IGNORECASE,
        )
        before = None
        if strength == "strong":
            before = re.compile(
                rf"\b(?:an?|with)\s+(?P<value>{NUMBER})\s+(?P<name>{pattern})(?![A-Za-z0-9_])",
                re.IGNORECASE,
            )
        out.append((fields, strength, regex, before))
    return out


HYPERPARAMETER_REGEXES = _hyperparameter_regexes()


def _hyperparameters(ctx: _Context) -> None:
    masked = ctx.masked
    spans: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in spans)

    for fields, _strength, regex, before in HYPERPARAMETER_REGEXES:
        for match in regex.finditer(masked):
            if not free(match.start(), match.end()) or _is_range(masked, match, match.start()):
                continue
            spans.append((match.start(), match.end()))
            if not ctx.whole(match.start(), match.end("percent" if match["percent"] else "value")):
                continue
            raw = match["value"]
            if raw.startswith("-") and match.start("value") == match.end("name"):
                raw = raw[1:]  # "depth-6": a hyphenated compound, not a negative value
            value = _number_text(raw, percent=bool(match["percent"]))
            _add_hyperparameter(ctx, fields, match["name"], value, match)
        if before is not None:  # "a 3e-5 learning rate", "a 0.2 dropout"
            for match in before.finditer(masked):
                if free(match.start(), match.end()):
                    spans.append((match.start(), match.end()))
                    value = parse_number(match["value"])
                    _add_hyperparameter(ctx, fields, match["name"], value, match)
    for match in BATCH_OF_SAMPLES.finditer(masked):
        if free(match.start(), match.end()):
            spans.append((match.start(), match.end()))
            _add_hyperparameter(ctx, {"pytorch": "batch_size"}, "batch", match["value"], match)
    for match in VALUE_BEFORE_UNIT.finditer(masked):
        if not free(match.start(), match.end()) or _is_range(masked, match, match.start()):
            continue
        spans.append((match.start(), match.end()))
        unit = " ".join(match["unit"].lower().split())
        name = UNITS[unit]
        fields = {"xgboost": name} if name == "num_round" else {"pytorch": name}
        _add_hyperparameter(ctx, fields, unit, parse_number(match["value"]), match)
    for pattern, fields, value_pattern in CATEGORICAL_NAMES:
        regex = re.compile(
            rf"(?<![A-Za-z0-9_])(?:{pattern})(?![A-Za-z0-9_]){STRONG_CONNECT}"
            rf"[`'\"]?(?P<value>{value_pattern})",
            re.IGNORECASE,
        )
        for match in regex.finditer(masked):
            if match["value"].lower() in FUNCTION_WORDS:
                continue
            spans.append((match.start(), match.end()))
            _add_hyperparameter(ctx, fields, pattern, match["value"].lower(), match)
    for match in OBJECTIVE_LITERAL.finditer(masked):
        if free(match.start(), match.end()):
            _add_hyperparameter(ctx, {"xgboost": "objective"}, "objective", match.group(), match)
    for match in re.finditer(
        r"\b(?:use|using|with)\s+(?:the\s+)?(?P<value>adamw|adam|sgd)\b"
        r"|\b(?P<value2>adamw|adam|sgd)\s+optimi[sz]er\b",
        masked,
        re.IGNORECASE,
    ):
        value = (match["value"] or match["value2"]).lower()
        _add_hyperparameter(ctx, {"pytorch": "optimizer"}, "optimizer", value, match)
    for match in re.finditer(
        r"\bhidden[_ ](?:dims?|layers?(?:[ _]sizes?)?)\s*(?:=|:|of|\bare\b)?\s*\[?"
        r"(?P<dims>\d+(?:\s*(?:,|and|x)\s*\d+)*)\]?",
        masked,
        re.IGNORECASE,
    ):
        dims = [int(d) for d in re.findall(r"\d+", match["dims"])]
        _add_hyperparameter(ctx, {"pytorch": "hidden_dims"}, "hidden_dims", dims, match)


def _settings(ctx: _Context) -> None:
    """Step settings in words (:mod:`sagewright.agents.extract_settings`)."""
    nodes = list(ctx.topology.nodes)

    def add(key: str, value: Any, start: int, end: int) -> None:
        ctx.collector.add(key, value, ctx.snippet(start, end))

    def field_named(said: str) -> str | None:
        for written, fields, _ in HYPERPARAMETER_NAMES:
            if re.fullmatch(written, said, re.IGNORECASE):
                return fields.get(ctx.framework)
        return None

    def counted(start: int, end: int) -> list[str]:
        """The count fields an instance cue in the span names (training, batch transform)."""
        cues = list(INSTANCE_CUE.finditer(ctx.masked, start, end))
        if not cues:
            return []
        if cues[-1]["train"]:
            return ["training.instance_count"]
        if re.search(r"transform|batch", cues[-1].group(), re.I):
            return [
                f"{n}.transform_instance_count" for n in nodes if n.startswith("BatchTransform")
            ]
        return []

    settings.tuning_settings(ctx.masked, nodes, add, field_named)
    settings.registration_settings(ctx.masked, nodes, add)
    athena = [j for j in JOB_TYPES if ctx.collector.has(f"data.{j}.athena_query")]
    settings.athena_settings(ctx.masked, athena, add)
    settings.calibration_method(ctx.masked, nodes, add)
    settings.instance_counts(ctx.masked, add, counted)


@functools.lru_cache(maxsize=256)
def _field_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(f"(?:{cue})" for cue in cues)
    return re.compile(
        rf"(?<![A-Za-z0-9_])(?:{names})(?![A-Za-z0-9_])\s*(?:[:=]|\bis\b|\bof\b|\bset to\b|\bto\b)?"
        rf"\s*[`'\"]?(?P<value>{NUMBER}|[A-Za-z_][A-Za-z0-9_]*)",
        re.IGNORECASE,
    )


def _named_fields(ctx: _Context) -> None:
    """Values named by their words: a value-key row's ``cues`` (stated under its key) and a
    field's registry ``cues`` (``NODE.FIELD``). Rows, step modules and plugins declare the
    words; no rule here knows the value.
    """
    named = [(row.key, row.cues) for row in rows("pipeline", "gate", "step") if row.cues]
    for node in ctx.topology.nodes:
        config = ctx.registry.get(step_type_of(node)).config_class
        named += [(f"{node}.{name}", field_cues(config, name)) for name in config.model_fields]
    for key, cues in named:
        for match in _field_pattern(cues).finditer(ctx.masked) if cues else ():
            if ctx.whole(match.start(), match.end("value")):
                value = parse_number(match["value"])
                ctx.collector.add(key, value, ctx.snippet(*match.span()))


def _is_range(text: str, match: re.Match[str], start: int) -> bool:
    """``max_depth 3-10``, ``between 3 and 10``, ``every 10 rounds``: not a single value."""
    return bool(
        RANGE_AFTER.match(text, match.end("value"))
        or RANGE_BEFORE.search(text[max(0, start - 12) : start])
    )


def _add_hyperparameter(
    ctx: _Context, fields: dict[str, str], said: str, value: Any, match: re.Match[str]
) -> None:
    name = fields.get(ctx.framework)
    if name is None:
        ctx.notes.append(
            f"'{said}' is not a hyperparameter of {ctx.framework} "
            f"(known: {', '.join(sorted(HYPERPARAMETER_CLASSES[ctx.framework].model_fields))})"
        )
        return
    ctx.collector.add(f"hyperparameters.{name}", value, ctx.snippet(match.start(), match.end()))


# ---------------------------------------------------------------------------- data sources


def _sources(ctx: _Context) -> None:
    jobs = [qualifier_of(n) for n in ctx.topology.nodes if step_type_of(n) == "DataLoading"]
    job_types = [j for j in jobs if j]
    needs_model = bool(model_from_config_nodes(ctx.topology, ctx.registry))
    has_model_field = any(
        "existing_model_uri" in ctx.registry.get(step_type_of(n)).config_class.model_fields
        for n in ctx.topology.nodes
    )
    data: list[Mention] = []

    def stated_existing(mention: Mention) -> bool:
        start, end = sentence_bounds(ctx.masked, mention.start)
        return bool(EXISTING_CUE.search(ctx.masked[start:end]))

    models = [m for m in ctx.mentions if m.kind == "s3" and MODEL_FILE.search(m.value)]
    # "use the existing model s3://.../v2/model.tar.gz ... roll back to .../v1/model.tar.gz":
    # when some model files are said to be the existing model, the others are not
    existing = [m for m in models if stated_existing(m)]
    for mention in ctx.mentions:
        if mention.kind in ("arn", "url"):
            continue
        if not ctx.whole(mention.start, mention.end):
            continue
        if mention.kind == "s3" and _is_model(ctx, mention, needs_model, bool(job_types)):
            if existing and mention not in existing:
                ctx.notes.append(f"model file {mention.value} is not the existing model named")
                continue
            if has_model_field and (needs_model or stated_existing(mention)):
                ctx.collector.add("existing_model_uri", mention.value, mention.value)
            else:
                ctx.notes.append(f"model file {mention.value} is not used by this topology")
            continue
        if mention.kind == "s3" and _is_output_location(ctx, mention):
            if not ctx.collector.has("bucket"):
                ctx.collector.add("bucket", mention.value[5:].split("/", 1)[0], mention.value)
            continue
        data.append(mention)
    assigned = _assign_job_types(ctx, data, job_types)
    for mention, job_type in zip(data, assigned, strict=True):
        ctx.collector.position = mention.start
        if job_type is None:
            ctx.notes.append(f"could not tell which data {mention.value[:60]!r} is for")
            continue
        if mention.kind == "s3":
            ctx.collector.add(f"data.{job_type}.s3_uri", mention.value, mention.value)
            continue
        engine = _engine(ctx, mention)
        if engine is None:
            ctx.notes.append(
                f"the {job_type} SQL query does not say whether it runs on Athena or Redshift"
            )
            continue
        ctx.collector.add(f"data.{job_type}.{engine}_query", mention.value, mention.value[:120])
    _clusters(ctx, [j for j, m in zip(assigned, data, strict=True) if j and m.kind == "sql"])


def _is_model(ctx: _Context, mention: Mention, needs_model: bool, has_data: bool) -> bool:
    if MODEL_FILE.search(mention.value):
        return True
    if any(MODEL_FILE.search(m.value) for m in ctx.mentions if m.kind == "s3"):
        return False  # a model file is named: a folder is not the model
    path = mention.value[5:].split("/", 1)[-1].lower()
    return needs_model and (not has_data or bool(re.search(r"\bmodels?\b", path)))


def _is_output_location(ctx: _Context, mention: Mention) -> bool:
    before = before_window(ctx.masked, mention.start, 0)
    cue = ARTIFACT_CUE.search(before)
    return bool(cue and not JOB_KEYWORD.search(before[cue.start() :]))


def _assign_job_types(ctx: _Context, data: list[Mention], job_types: list[str]) -> list[str | None]:
    """Which job type each data mention is for: the planner's reading of the same text.

    A value whose job type the topology lacks goes to the one job type left without data.
    """
    if len(data) == 1 and len(job_types) == 1:
        return [job_types[0]]
    read = {
        s.value: s.job_type
        for s in read_requirement(ctx.text, ctx.registry).sources
        if s.kind != "model"
    }
    out = [job if (job := read.get(m.value)) in job_types else None for m in data]
    loose = [i for i, job in enumerate(out) if job is None]
    open_jobs = [j for j in job_types if j not in out]
    if len(loose) == 1 and len(open_jobs) == 1:
        out[loose[0]] = open_jobs[0]
    return out


def _engine(ctx: _Context, mention: Mention) -> str | None:
    start, end = sentence_bounds(ctx.masked, mention.start)
    before = list(ENGINE.finditer(ctx.masked, start, mention.start))
    if before:
        return before[-1]["engine"].lower()
    after = ENGINE.search(ctx.masked, mention.end, end)
    if after:
        return after["engine"].lower()
    earlier = list(ENGINE.finditer(ctx.masked, 0, mention.start))
    if earlier:
        return earlier[-1]["engine"].lower()
    later = ENGINE.search(ctx.masked, mention.end)
    return later["engine"].lower() if later else None


def _clusters(ctx: _Context, sql_jobs: list[str | None]) -> None:
    redshift_jobs = [j for j in sql_jobs if j and ctx.collector.has(f"data.{j}.redshift_query")]
    for match in CLUSTER.finditer(ctx.masked):
        value = match["value"]
        if value.lower() in STOPWORDS:
            continue
        for job in redshift_jobs:
            ctx.collector.add(
                f"data.{job}.redshift_cluster_id", value, ctx.snippet(match.start(), match.end())
            )
