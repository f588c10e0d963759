"""The question-answering session: ask what is missing, validate answers, build configs.

A UI-agnostic contract, so a terminal prompt, a chat and tests drive it the same way::

    session = QuestionSession.from_extraction(topology, extract(requirement, topology))
    while (question := session.next_question()) is not None:
        result = session.answer(question.key, input(question.text + " "))
        if result.reask:                      # not accepted: say why, ask again
            print(result.message)
    configs = session.configs()

Every answer is validated by the Pydantic type of the field it fills, then by building the
configs (rules spanning fields, e.g. a gate threshold in 0..1 for AUC). A rejected answer
comes back as ``AnswerResult.reask``: the same question carrying the validation message.
Contradictions found in the requirement are asked first and are only resolved by an answer.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sagewright.agents.extract_fields import (
    KeyRejected,
    apply_key,
    clear_key,
    is_known_key,
    read_key,
    validate_key,
)
from sagewright.agents.extract_result import Conflict, Extraction, Rejected
from sagewright.agents.offline_extractor import ENGINE, collect_offline
from sagewright.agents.questions import (
    SOURCE_KEY_SUFFIX,
    Question,
    key_of_value,
    question_for_key,
    questions_for,
)
from sagewright.agents.text.literals import TRAILING_PUNCTUATION, find_mentions
from sagewright.agents.text.metrics import normal_metric
from sagewright.agents.text.numbers import NUMBER
from sagewright.errors import AgentError, ConfigError
from sagewright.facts import PipelineValues
from sagewright.registry import Registry, default_registry
from sagewright.registry.config_base import StepConfig
from sagewright.scaffold import build_configs, infer_framework
from sagewright.topology import Topology

SKIP_WORDS = frozenset({"", "skip", "default", "use the default", "none", "n/a", "-"})


@dataclass(frozen=True)
class AnswerResult:
    """What an answer did: the values stored, or a re-ask carrying the reason."""

    key: str
    accepted: dict[str, Any] = field(default_factory=dict)
    reask: Question | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.reask is None


class QuestionSession:
    """Questions for one topology, answered one at a time until configs can be built."""

    def __init__(
        self,
        topology: Topology,
        values: PipelineValues | None = None,
        *,
        conflicts: Sequence[Conflict] = (),
        rejected: Sequence[Rejected] = (),
        registry: Registry | None = None,
    ) -> None:
        self.topology = topology
        self._values = copy.deepcopy(values) if values is not None else PipelineValues()
        self._conflicts = list(conflicts)
        self._rejected = [r for r in rejected if r.key]
        self._registry = registry or default_registry()
        self._pending_sql: dict[str, str] = {}
        self._volunteered_rejections: list[Rejected] = []

    @classmethod
    def from_extraction(
        cls, topology: Topology, extraction: Extraction, *, registry: Registry | None = None
    ) -> QuestionSession:
        return cls(
            topology,
            extraction.values,
            conflicts=extraction.conflicts,
            rejected=extraction.rejected,
            registry=registry,
        )

    # ------------------------------------------------------------------ state

    @property
    def values(self) -> PipelineValues:
        """A copy of the values accepted so far."""
        return copy.deepcopy(self._values)

    @property
    def conflicts(self) -> list[Conflict]:
        return list(self._conflicts)

    @property
    def rejected(self) -> list[Rejected]:
        return list(self._rejected)

    def questions(self) -> list[Question]:
        """Every open question, in the documented order (see :mod:`.questions`)."""
        return questions_for(
            self.topology,
            self._values,
            conflicts=self._conflicts,
            rejected=self._rejected,
            registry=self._registry,
        )

    def next_question(self) -> Question | None:
        open_questions = self.questions()
        return open_questions[0] if open_questions else None

    @property
    def done(self) -> bool:
        return self.next_question() is None

    def configs(self) -> dict[str, StepConfig]:
        """Validated configs for every node; raises while questions are open."""
        if self._conflicts:
            keys = ", ".join(c.key for c in self._conflicts)
            raise AgentError(
                f"unresolved contradictions: {keys}",
                hint="answer the conflict questions first",
                code="unresolved_conflicts",
            )
        return build_configs(self.topology, self._values, registry=self._registry).configs

    # ------------------------------------------------------------------ answers

    def answer(self, question_key: str, text: str) -> AnswerResult:
        """Parse and validate a free-text answer to ``question_key``; store it or re-ask."""
        question = self._question(question_key)
        answer = text.strip()
        if answer.lower().strip(".!") in SKIP_WORDS:
            return self._skip(question)
        if question.kind == "conflict" and question.choices:
            answer = _choice(answer, question.choices)
        parsed = self._parse(question, answer)
        if isinstance(parsed, str):
            return self._reask(question, parsed)
        return self._store(question, parsed)

    def _question(self, key: str) -> Question:
        for question in self.questions():
            if question.key == key:
                return question
        framework = infer_framework(self.topology, self._values)
        source_keys = {
            f"data.{node.split('_', 1)[1]}.{SOURCE_KEY_SUFFIX}"
            for node in self.topology.nodes
            if node.startswith("DataLoading_")
        }
        if key in source_keys or is_known_key(key, framework):  # answered again, or volunteered
            return question_for_key(key, self.topology, self._values, framework, self._registry)
        raise AgentError(
            f"no question '{key}' for this pipeline",
            hint="open questions: " + ", ".join(q.key for q in self.questions()),
            code="unknown_question",
        )

    def _parse(self, question: Question, answer: str) -> dict[str, Any] | str:
        """Value keys -> raw values read from the answer, or the reason it cannot be read."""
        if question.key.endswith(f".{SOURCE_KEY_SUFFIX}") and question.key.startswith("data."):
            return self._parse_source(question.key, answer)
        key = question.key
        collector = collect_offline(answer, self.topology, registry=self._registry)
        found = collector.candidates(key)
        problems = [r for r in collector.rejected if r.key == key]
        if len(set(map(str, found))) > 1:
            return f"the answer gives several values for {key} ({', '.join(map(str, found))})"
        values: dict[str, Any] = {}
        if found:
            values[key] = found[0]
        elif problems:
            values[key] = problems[0].value  # validated again below, quoting the message
        else:
            values[key] = _bare_value(key, answer)
        # Other values the answer states ("is_fraud, and the id is txn_id") are kept too,
        # except data sources, whose job type only the question itself can say.
        self._volunteered_rejections = [
            r for r in collector.rejected if r.key != key and not r.key.startswith("data.")
        ]
        for other in collector.stated_keys():
            if other == key or other.startswith("data."):
                continue
            extra = collector.candidates(other)
            if len(set(map(str, extra))) == 1 and read_key(self._values, other) is None:
                values[other] = extra[0]
        return values

    def _parse_source(self, key: str, answer: str) -> dict[str, Any] | str:
        job_type = key.split(".")[1]
        mentions = find_mentions(answer)
        engine_match = ENGINE.search(answer)
        engine = engine_match["engine"].lower() if engine_match else None
        s3 = [m for m in mentions if m.kind == "s3"]
        sql = [m for m in mentions if m.kind == "sql"]
        if s3 and not sql:
            return {f"data.{job_type}.s3_uri": s3[0].value}
        if sql:
            if engine is None:
                self._pending_sql[key] = sql[0].value
                return (
                    "say whether this SQL query runs on Athena or Redshift "
                    "(answer 'athena' or 'redshift')"
                )
            return {f"data.{job_type}.{engine}_query": sql[0].value}
        if engine and key in self._pending_sql:
            return {f"data.{job_type}.{engine}_query": self._pending_sql.pop(key)}
        bare = answer.strip("`'\" ").rstrip(TRAILING_PUNCTUATION)
        return {f"data.{job_type}.s3_uri": bare}  # validated below: quotes the S3 URI rule

    def _store(self, question: Question, raw: dict[str, Any]) -> AnswerResult:
        framework = infer_framework(self.topology, self._values)
        clean: dict[str, Any] = {}
        for key, value in raw.items():
            try:
                clean[key] = validate_key(key, value, framework=framework, registry=self._registry)
            except KeyRejected as exc:
                if key_of_value(key) == question.key or key == question.key:
                    return self._reask(question, exc.message)
            except KeyError:
                continue
        trial = copy.deepcopy(self._values)
        for key, value in clean.items():
            apply_key(trial, key, value)
        try:
            build_configs(self.topology, trial, allow_placeholders=True, registry=self._registry)
        except ConfigError as exc:
            return self._reask(question, exc.message)
        self._values = trial
        settled = {key_of_value(k) for k in clean} | {question.key}
        self._conflicts = [c for c in self._conflicts if key_of_value(c.key) not in settled]
        self._rejected = [r for r in self._rejected if key_of_value(r.key) not in settled]
        self._pending_sql.pop(question.key, None)
        # Other values the answer stated but their fields refused are asked about later.
        self._rejected.extend(r for r in self._volunteered_rejections if r.key not in clean)
        self._volunteered_rejections = []
        return AnswerResult(question.key, accepted=clean)

    def _skip(self, question: Question) -> AnswerResult:
        """An empty / 'default' answer keeps the default, if the field has one."""
        if not question.has_default:
            return self._reask(question, "a value is required here; there is no default")
        clear_key(self._values, question.key)
        self._rejected = [r for r in self._rejected if key_of_value(r.key) != question.key]
        self._conflicts = [c for c in self._conflicts if key_of_value(c.key) != question.key]
        return AnswerResult(question.key, message="kept the default")

    def _reask(self, question: Question, message: str) -> AnswerResult:
        base = question.text
        if question.problem and base.startswith(question.problem):
            base = base[len(question.problem) :].lstrip()
        problem = f"Not accepted: {message}."
        reask = replace(question, kind="invalid", problem=problem, text=f"{problem} {base}")
        return AnswerResult(question.key, reask=reask, message=message)


def _choice(answer: str, choices: tuple[str, ...]) -> str:
    """'1' / '2' pick a listed value of a conflict question; anything else stays as typed."""
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    return answer


def _bare_value(key: str, answer: str) -> Any:
    """An answer that is just the value ('is_fraud', '0.9', '90%', 's3://b/p')."""
    value = answer.strip().strip("`'\"").rstrip(TRAILING_PUNCTUATION).strip()
    if key == "gate.metric":
        return normal_metric(value)
    if key == "bucket":
        return value.removeprefix("s3://").split("/", 1)[0]
    if key == "framework":
        return value.lower()
    if key == "gate.threshold" or key.startswith("hyperparameters."):
        numbers = list(re.finditer(rf"({NUMBER})\s*(%)?", value))
        if len(numbers) == 1:  # "at least 0.9", "90%", "about 300"
            number = numbers[0]
            if number.group(2):
                return str(Decimal(number.group(1)) / 100)
            return number.group(1)
    if key in ("cat_field_list", "tab_field_list"):
        return [v.strip() for v in re.split(r",|\band\b", value) if v.strip()]
    return value
