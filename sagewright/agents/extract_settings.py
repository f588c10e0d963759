"""Step settings stated in words: tuning, registration, Athena, calibration, instance counts.

Each rule reads the masked text of the offline extractor and proposes values under the
catalogue's fact keys (``tuning.max_jobs``, ``registration.approval_status`` ...); a rule runs
only when the topology holds the step its values belong to, so nothing is invented for a
step that is not planned. Values the rule cannot take whole are left to the not-understood
list by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sagewright.agents.text.numbers import NUMBER, parse_number
from sagewright.agents.text.windows import sentence_bounds
from sagewright.topology import step_type_of

Add = Callable[[str, Any, int, int], None]  # key, value, start, end (for the evidence)

NAME = r"[`'\"]?(?P<name>[A-Za-z0-9](?:[-_]*[A-Za-z0-9])*)[`'\"]?"
LINK = r"\s*(?:[:=]|\bis\b|\bnamed\b|\bcalled\b|\bof\b|\bset to\b)?\s*"
NUM = rf"(?<![\w.]){NUMBER}"

RANGE = re.compile(
    rf"\b(?:between|from|in(?:\s+the)?\s+range(?:\s+of)?)?\s*\[?\s*(?P<low>{NUM})\s*"
    rf"(?:and|to|-|–|\.\.|,)\s*(?P<high>{NUM})\s*\]?",
    re.IGNORECASE,
)
MAX_JOBS = re.compile(
    rf"\bmax(?:imum)?[_ ]jobs{LINK}(?P<n>{NUM})"
    rf"|(?P<n2>{NUM})\s+(?:(?:total|training|tuning)\s+)*(?:jobs|trials|runs)\b"
    rf"(?!\s+(?:in|at)\s+(?:parallel|a time|once))",
    re.IGNORECASE,
)
MAX_PARALLEL = re.compile(
    rf"\bmax(?:imum)?[_ ]parallel[_ ]jobs{LINK}(?P<n>{NUM})"
    rf"|(?P<n2>{NUM})\s+(?:(?:jobs|trials|runs)\s+)?(?:(?:running|run|going)\s+)?"
    r"(?:in parallel|at a time|at once|concurrent\w*|parallel)\b"
    r"|\bparallel(?:ism)?\s*(?:[:=]|of)\s*(?P<n3>\d+)",
    re.IGNORECASE,
)
STRATEGY = re.compile(
    r"\b(?P<s>bayesian|hyperband|grid)\b|\b(?P<r>random)[ -](?:search|strategy|sampling)\b", re.I
)
STRATEGY_NAMED = re.compile(r"\bstrategy\s*(?:[:=]|\bis\b)\s*(?P<s>\w+)", re.IGNORECASE)
OBJECTIVE_METRIC = re.compile(
    r"\b(?:objective[_ ]metric|tuning[_ ]metric"
    r"|(?:optimi|maximi|minimi)[sz](?:es|e|ing)(?:\s+for)?)"
    r"\s*(?:[:=]|\bis\b|\bon\b)?\s*`?(?P<m>[a-z]+:[a-z0-9_@-]+)"
    r"|\bobjective\s*(?:[:=]|\bis\b)?\s*`?(?P<channel>(?:validation|train|val|test):[a-z0-9_@-]+)",
    re.IGNORECASE,
)
OBJECTIVE_TYPE = re.compile(
    r"\b(?P<min>minimi[sz](?:e|ing)|lower is better|as low as possible)"
    r"|\b(?P<max>maximi[sz](?:e|ing)|higher is better|as high as possible)"
    r"|\bobjective[_ ]type\s*(?:[:=]|\bis\b)\s*(?P<named>\w+)",
    re.IGNORECASE,
)
GROUP = re.compile(
    r"\b(?:model[_ ])?package[_ ]group(?:[_ ]name)?"
    + LINK
    + NAME
    + r"|(?:\bgroup"
    + LINK
    + r"|\bregist\w*\s+(?:(?:it|them|the\s+\w+)\s+)?(?:again\s+)?(?:in|into|to|under)\s+"
    + r"(?:the\s+)?)"
    # a name, not a word: hyphenated, snake_case or CamelCase ("churn-models", "CardFraud");
    # "the SageMaker Model Registry" is the registry itself
    + r"(?P<quoted>[`'\"]?(?:[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+"
    + r"|(?-i:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+))[`'\"]?)(?![\w-])(?!\s+(?:model\s+)?registry)",
    re.IGNORECASE,
)
APPROVAL = re.compile(
    r"\bapproval[_ ]status\s*(?:[:=]|\bis\b|\bof\b|\bset to\b|\bas\b)?\s*(?:`|'|\")?"
    r"(?P<status>approved|rejected|pendingmanualapproval|pending(?:[_ ]manual)?(?:[_ ]approval)?)"
    r"|\bapproval\s*[:=]\s*(?P<said>approved|rejected|pending)"
    r"|\b(?P<auto>auto-?approv\w*|approved automatically|automatically approved"
    r"|(?:go|goes|mark\w*|register\w*|set|put)\s+(?:in\s+)?(?:it\s+|them\s+|the\s+\w+\s+)?"
    r"as\s+approved)"
    r"|\b(?P<pending>pending[ _]manual[ _]approval|pending approval|pendingmanualapproval)",
    re.IGNORECASE,
)
STATUS = {"approved": "Approved", "rejected": "Rejected"}
APPROVAL_TOPIC = re.compile(r"\b(?:approv\w*|regist(?:er|ered|ering|ration|ry))\b", re.I)
# a status said of the registration, not a word describing a thing ("the approved package")
STATUS_WORD = re.compile(
    r"(?<!\bthe )(?<!\ban )(?<!\ba )(?<!\bour )(?<!\bits )\b(?:approved|rejected|pending)\b", re.I
)
ATHENA_SETTING = re.compile(
    r"\b(?P<field>database|db|workgroup|work group)\b" + LINK + NAME, re.IGNORECASE
)
CALIBRATION_METHOD = re.compile(
    r"\b(?P<isotonic>isotonic)\b|\b(?P<platt>platt|sigmoid)\b", re.IGNORECASE
)
INSTANCE_COUNT = re.compile(
    rf"(?P<n>{NUM})[ \t]*(?:x|×)?[ \t]*(?:(?:training|processing|gpu|cpu)[ \t]+)?"
    r"(?:instances?\b(?:[ \t]+of)?|(?=ml\.))"
    rf"|(?<![A-Za-z0-9])instance[_ ]count{LINK}(?P<n2>{NUM})"
    # "ml.g5.xlarge x 2", a table row's "ml.g5.xlarge; 2"
    rf"|\bml\.[a-z0-9]+\.[a-z0-9]+[ \t]*(?:x|×|\*|;)[ \t]*(?P<n3>{NUM})\b(?![.\d])",
    re.IGNORECASE,
)


def tuning_settings(
    masked: str, nodes: list[str], add: Add, names: Callable[[str], str | None]
) -> None:
    """Ranges, job limits, strategy and objective of a HyperparameterTuning node."""
    if "HyperparameterTuning" not in {step_type_of(n) for n in nodes}:
        return
    for match in RANGE.finditer(masked):
        lo = max(0, match.start() - 40)
        head = masked[lo : match.start()].rstrip(" \t[")
        named = re.search(r"([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:[:=]|\bfrom\b|\bin\b)?\s*$", head)
        words = list(re.finditer(r"\S+", named.group(1))) if named else []
        for first in reversed(words[-4:]):  # the name: the last word, or last two, three, four
            field = names(named.group(1)[first.start() :].strip()) if named else None
            if field and named:
                low, high = (_int_or_float(match[g]) for g in ("low", "high"))
                start = lo + named.start(1) + first.start()
                add(f"tuning.ranges.{field}", [low, high], start, match.end())
                break
    for pattern, key in ((MAX_JOBS, "tuning.max_jobs"), (MAX_PARALLEL, "tuning.max_parallel_jobs")):
        for match in pattern.finditer(masked):
            raw = next(g for g in (match["n"], match["n2"], match.groupdict().get("n3")) if g)
            add(key, _int_or_float(raw), match.start(), match.end())
    for match in STRATEGY.finditer(masked):
        add("tuning.strategy", (match["s"] or match["r"]).capitalize(), *match.span())
    for match in STRATEGY_NAMED.finditer(masked):
        add("tuning.strategy", match["s"].capitalize(), *match.span())
    for match in OBJECTIVE_METRIC.finditer(masked):
        add("tuning.objective_metric", match["m"] or match["channel"], *match.span())
    for found in OBJECTIVE_TYPE.finditer(masked):
        said = (found["named"] or "").lower()
        direction = "Minimize" if found["min"] or said.startswith("min") else "Maximize"
        add("tuning.objective_type", direction, found.start(), found.end())


def registration_settings(masked: str, nodes: list[str], add: Add) -> None:
    """Model package group and approval status of a ModelRegistration node."""
    if "ModelRegistration" not in {step_type_of(n) for n in nodes}:
        return
    for match in GROUP.finditer(masked):
        name = (match["name"] or match["quoted"] or "").strip("`'\"")
        if name and name.lower() not in ("name", "is", "the", "a", "an"):
            add("registration.model_package_group", name, match.start(), match.end())
    found = False
    for match in APPROVAL.finditer(masked):
        said = match["status"] or match["said"] or ("pending" if match["pending"] else "approved")
        word = re.sub(r"[_ ]", "", said.lower())
        status = STATUS.get(word, "PendingManualApproval")
        add("registration.approval_status", status, match.start(), match.end())
        found = True
    if found:
        return
    # in words: a sentence about approval or registration naming one status ("registration
    # should go straight to approved", "leave the approval pending")
    for sentence in re.finditer(r"[^.;!?\n]+", masked):
        if not APPROVAL_TOPIC.search(sentence.group()):
            continue
        said = {m.group().lower() for m in STATUS_WORD.finditer(sentence.group())}
        if len(said) == 1:
            status = STATUS.get(said.pop(), "PendingManualApproval")
            add("registration.approval_status", status, *sentence.span())


def athena_settings(masked: str, athena_jobs: list[str], add: Add) -> None:
    """Database and workgroup of the job types whose data comes from an Athena query."""
    if not athena_jobs:
        return
    for match in ATHENA_SETTING.finditer(masked):
        field = "athena_workgroup" if "work" in match["field"].lower() else "athena_database"
        if match["name"].lower() in ("is", "the", "a", "an", "and", "name"):
            continue
        for job in athena_jobs:
            add(f"data.{job}.{field}", match["name"], match.start(), match.end())


def calibration_method(masked: str, nodes: list[str], add: Add) -> None:
    if "ModelCalibration" not in {step_type_of(n) for n in nodes}:
        return
    for match in CALIBRATION_METHOD.finditer(masked):
        method = "isotonic" if match["isotonic"] else "platt"
        add("calibration.method", method, match.start(), match.end())


def instance_counts(masked: str, add: Add, counted: Callable[[int, int], list[str]]) -> None:
    """``2 instances of ml.g5.12xlarge`` for training (or batch transform): the count of the
    instances the cue before it, else after it in the sentence, names."""
    for match in INSTANCE_COUNT.finditer(masked):
        start, end = sentence_bounds(masked, match.start())
        named = counted(start, match.end()) or counted(match.start(), end)
        if not named and match["n2"]:  # "training instance: X" then "instance count: 2"
            named = counted(sentence_bounds(masked, max(start - 1, 0))[0], start)
        for key in named:
            add(key, _int_or_float(match["n"] or match["n2"] or match["n3"]), *match.span())


def _int_or_float(raw: str) -> int | float:
    text = parse_number(raw)
    value = float(text)
    return int(value) if value.is_integer() and not re.search(r"[.eE]", text) else value
