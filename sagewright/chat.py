"""Chat sessions: describe the pipeline, review the DAG, ask for changes, answer, export.

``ChatSession`` is the whole flow as a Python API (notebooks, bots); ``sagewright chat`` is a
thin terminal loop over it. Every turn is stored in SQLite before the reply is returned, so
a session resumes after an exit or a kill with nothing answered lost; ``/undo`` steps back
one turn by restoring the previous snapshot.

Phases: ``describe`` -> ``review`` (DAG shown; words change it, "ok" accepts) ->
``questions`` (one at a time; invalid answers re-asked with the validation message) ->
``confirm`` ("ok" writes the output folder) -> ``done``. Slash commands: ``/show``,
``/undo``, ``/export DIR``, ``/why NODE`` (the requirement's words that ask for the node, or
the input it feeds), ``/quit``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sagewright.agents.extract_fields import apply_key, stated_keys
from sagewright.agents.extract_result import Conflict, Rejected
from sagewright.agents.extractor import extract
from sagewright.agents.llm import Usage
from sagewright.agents.planner import PlanResult
from sagewright.agents.qa_agent import QuestionSession
from sagewright.agents.questions import Question
from sagewright.agents.text.leftovers import fresh_notes
from sagewright.chat_edits.turn import edit_turn, is_edit, values_copy
from sagewright.errors import SagewrightError
from sagewright.facts import PipelineValues
from sagewright.generate import finish, plan_checked
from sagewright.redact import redact
from sagewright.registry import default_registry
from sagewright.topology import Topology

YES = re.compile(
    r"^\s*(ok(ay)?|y(es)?|yep|sure|confirm(ed)?|looks good|lgtm|go( ahead)?|do it)\W*$",
    re.IGNORECASE,
)
CHANGE = re.compile(
    r"^\s*(please\s+)?(add|drop|remove|delete|skip|also|include|exclude|replace|use|"
    r"no\s+(need|longer)|don'?t|do not|without|change|instead|set|swap|switch|substitute)\b",
    re.IGNORECASE,
)


BUSY_SECONDS = 60.0  # how long a turn waits for another chat's turn on the same session


def sessions_db() -> Path:
    """The session store: a 0600 file in a 0700 folder (turns hold the user's requirement)."""
    home = Path(os.environ.get("SAGEWRIGHT_HOME") or Path.home() / ".local/share/sagewright")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    path = home / "sessions.sqlite"
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    return path


def _store_error(exc: Exception) -> SagewrightError:
    """A session store that cannot be opened or written (a file as home, corrupt, disk full)."""
    return SagewrightError(
        f"session store: {exc}",
        hint="point SAGEWRIGHT_HOME at a writable folder, or move a damaged sessions.sqlite aside",
        code="session_store",
    )


@dataclass
class ChatState:
    phase: str = "describe"
    requirement: list[str] = field(default_factory=list)
    topology: dict[str, list[str]] | None = None
    existing_model: bool = False
    notes: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # asdict(PipelineValues)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    question: dict[str, Any] | None = None  # the question awaiting an answer
    out_dir: str | None = None
    edits: list[str] = field(default_factory=list)  # edit turns, replayed after a re-plan

    def requirement_text(self) -> str:
        return "\n".join(self.requirement)


@dataclass(frozen=True)
class Reply:
    text: str
    phase: str
    question: Question | None = None
    out_dir: str | None = None
    quit: bool = False


class ChatSession:
    """One named, persistent conversation."""

    def __init__(
        self,
        name: str = "default",
        *,
        model: str | None = None,
        db_path: Path | None = None,
        out_root: Path | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name):
            raise SagewrightError(
                f"session name '{name}' is not a safe name",
                hint="letters, digits, '.', '_' and '-'",
                code="bad_session",
            )
        self.name = name
        self.model = model
        self.out_root = out_root or Path("out")
        # autocommit: every turn is one explicit BEGIN IMMEDIATE ... COMMIT
        try:
            self._db = sqlite3.connect(
                db_path or sessions_db(), timeout=BUSY_SECONDS, isolation_level=None
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS turns (session TEXT, seq INTEGER, user TEXT, "
                "reply TEXT, state TEXT, PRIMARY KEY (session, seq))"
            )
            self.seq, state = self._latest()
        except (OSError, sqlite3.Error) as exc:
            raise _store_error(exc) from None
        self.state = state or ChatState()

    # ---------------------------------------------------------------- persistence

    def _latest(self) -> tuple[int, ChatState | None]:
        row = self._db.execute(
            "SELECT seq, state FROM turns WHERE session = ? ORDER BY seq DESC LIMIT 1",
            (self.name,),
        ).fetchone()
        if not row:
            return 0, None
        try:
            return row[0], ChatState(**json.loads(row[1]))
        except (TypeError, ValueError, RecursionError) as exc:
            raise SagewrightError(
                f"session '{self.name}': the saved state cannot be read ({exc})",
                hint="start a new --session name",
                code="bad_session_state",
            ) from None

    def _stored_turn(self, user: str, make: Callable[[], Reply], failed: str) -> Reply:
        """Run ``make`` on the latest stored state and store its turn, in one transaction.

        ``BEGIN IMMEDIATE`` makes turns of concurrent chats on one session take turns: each
        re-reads the state another chat stored, so no turn is lost, and the reply says so.
        A ``SagewrightError`` from ``make`` leaves state and store unchanged.
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return Reply(
                f"Session '{self.name}' is busy in another chat ({exc}); try again.",
                self.state.phase,
            )
        try:
            note = self._catch_up()
            before = json.dumps(asdict(self.state))
            try:
                reply = make()
            except SagewrightError as exc:
                self._db.execute("ROLLBACK")
                self.state = ChatState(**json.loads(before))
                return Reply(f"{note}{failed}: {exc}", self.state.phase)
            reply = replace(reply, text=note + reply.text)
            self._db.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?)",
                (self.name, self.seq + 1, user, reply.text, json.dumps(asdict(self.state))),
            )
            self._db.execute("COMMIT")
            self.seq += 1
            return reply
        except sqlite3.Error as exc:  # e.g. "database or disk is full"
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise _store_error(exc) from None
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _catch_up(self) -> str:
        """Load turns another chat stored since ours; a note for the reply when there were."""
        seq, state = self._latest()
        if seq == self.seq:
            return ""
        other = seq - self.seq
        self.seq, self.state = seq, state or ChatState()
        if other > 0:
            return (
                f"(Another chat on session '{self.name}' stored {other} turn(s) since your "
                "last message; this reply applies your message to the latest state.)\n"
            )
        return (
            f"(Another chat on session '{self.name}' undid turns; this reply uses the state "
            "now stored.)\n"
        )

    def history(self) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT user, reply FROM turns WHERE session = ? ORDER BY seq", (self.name,)
        ).fetchall()
        return [(u, r) for u, r in rows]

    def close(self) -> None:
        self._db.close()

    # ---------------------------------------------------------------- turns

    def greeting(self) -> str:
        if self.state.phase == "describe":
            return "Describe the pipeline you need (data, model, evaluation, registration...)."
        return "Resumed. " + self._prompt_for_phase()

    def send(self, text: str) -> Reply:
        """Handle one user turn; the new state is stored before the reply is returned."""
        redacted = redact(text.strip())
        text = redacted.text
        reply = (
            self._command(text)
            if text.startswith("/")
            else self._stored_turn(text, lambda: self._turn(text), "That did not work")
        )
        if redacted.found:
            return replace(reply, text=f"Warning: {redacted.warning()}.\n{reply.text}")
        return reply

    def _turn(self, text: str) -> Reply:
        phase = self.state.phase
        if phase == "describe":
            if not text:
                return Reply("Please describe the pipeline.", phase)
            return self._replan([text])
        if phase == "review":
            if YES.match(text):
                return self._start_questions()
            return self._change(text)
        if phase == "questions":
            if CHANGE.match(text):
                return self._change(text)
            return self._answer(text)
        if phase == "confirm":
            if YES.match(text):
                return self._export(self.out_root / self.name)
            if CHANGE.match(text):
                return self._change(text)
            return Reply("Say 'ok' to write the pipeline, or describe a change.", phase)
        return Reply(
            f"Done: the pipeline is in {self.state.out_dir}. /export DIR writes it elsewhere.",
            phase,
            out_dir=self.state.out_dir,
        )

    def _change(self, text: str) -> Reply:
        """An edit of the pipeline under review, else more requirement (a re-plan)."""
        if not is_edit(text):
            return self._replan([*self.state.requirement, text])
        values = values_copy(self.state.values) if self.state.values else self._stated_values()
        edited = edit_turn(
            text,
            self.state.topology or {},
            existing_model=self.state.existing_model,
            values=values,
            turn=self.seq + 1,
            registry=default_registry(),
        )
        self.state.notes += [n for n in edited.unsupported if n not in self.state.notes]
        if edited.changed:
            self.state.topology = edited.topology
            self.state.existing_model = edited.existing_model
            self.state.values = asdict(edited.values)
            self.state.provenance.update(edited.provenance)
            self.state.edits.append(text)
        report = edited.report()
        if self.state.phase in ("questions", "confirm"):
            if edited.changed_steps:
                return self._start_questions(prefix=report)
            return self._ask_next(prefix=report)
        return Reply(
            f"{report}\n{_dag(self.state.topology or {})}\n"
            "Say 'ok' to continue, or ask for changes in words.",
            "review",
        )

    def _stated_values(self) -> PipelineValues:
        """The values the requirement states for the current topology (before questions)."""
        topology = Topology.parse(self.state.topology or {})
        return extract(self.state.requirement_text(), topology).values

    def _replan(self, parts: list[str]) -> Reply:
        before = self.state.topology or {}
        said_before = list(self.state.notes)
        planned: PlanResult = plan_checked("\n".join(parts), model=self.model)
        self.state.requirement = parts
        self.state.topology = planned.topology
        self.state.existing_model = planned.existing_model
        self.state.notes = planned.notes
        self._replay_edits()
        after = self.state.topology
        head = _diff(before, after, [n for n in planned.notes if n not in said_before])
        if self.state.phase in ("questions", "confirm"):
            return self._start_questions(prefix=head)
        self.state.phase = "review"
        head = head if before else "Proposed pipeline:"
        notes = "".join(f"\nNote: {note}" for note in planned.notes)
        return Reply(
            f"{head}\n{_dag(after)}{notes}\nSay 'ok' to continue, or ask for changes in words.",
            "review",
        )

    def _replay_edits(self) -> None:
        """Steps edited in chat stay edited when more requirement re-plans the pipeline."""
        for text in self.state.edits:
            edited = edit_turn(
                text,
                self.state.topology or {},
                existing_model=self.state.existing_model,
                values=PipelineValues(),
                turn=0,
                registry=default_registry(),
            )
            if edited.changed_steps:
                self.state.topology = edited.topology
                self.state.existing_model = edited.existing_model

    def _session(self) -> QuestionSession:
        values = PipelineValues(**self.state.values) if self.state.values else PipelineValues()
        return QuestionSession(
            Topology.parse(self.state.topology or {}),
            values,
            conflicts=[Conflict(**_tuples(c)) for c in self.state.conflicts],
            rejected=[Rejected(**r) for r in self.state.rejected],
        )

    def _start_questions(self, prefix: str = "") -> Reply:
        topology = Topology.parse(self.state.topology or {})
        extraction = extract(self.state.requirement_text(), topology, model=self.model)
        answered = {  # answers and values set in chat survive a re-plan
            k: v
            for k, v in self.state.provenance.items()
            if v == "answered" or v.startswith("chat turn")
        }
        values = extraction.values
        old = PipelineValues(**self.state.values) if self.state.values else PipelineValues()
        for key in answered:
            value = stated_keys(old).get(key)
            if value is not None:
                try:
                    apply_key(values, key, value)
                except KeyError:
                    continue
        self.state.values = asdict(values)
        self.state.conflicts = [asdict(c) for c in extraction.conflicts]
        self.state.rejected = [asdict(r) for r in extraction.rejected]
        self.state.provenance = {
            **dict.fromkeys(stated_keys(extraction.values), "stated"),
            **answered,
        }
        self.state.phase = "questions"
        unread = fresh_notes(extraction.notes, self.state.notes)
        self.state.notes += unread  # values not understood: on screen now, in the README later
        lines = [prefix, *(f"Note: {note}" for note in unread)]
        return self._ask_next("\n".join(line for line in lines if line))

    def _ask_next(self, prefix: str = "", question: Question | None = None) -> Reply:
        question = question or self._session().next_question()
        lead = f"{prefix}\n" if prefix else ""
        if question is None:
            self.state.phase = "confirm"
            self.state.question = None
            return Reply(
                f"{lead}Everything needed is known. Say 'ok' to write the pipeline to "
                f"{self.out_root / self.name}, or /export DIR.",
                "confirm",
            )
        self.state.question = asdict(question)
        return Reply(lead + question.text, "questions", question=question)

    def _answer(self, text: str) -> Reply:
        if not self.state.question:
            return self._ask_next()
        session = self._session()
        result = session.answer(self.state.question["key"], text)
        self.state.values = asdict(session.values)
        self.state.conflicts = [asdict(c) for c in session.conflicts]
        self.state.rejected = [asdict(r) for r in session.rejected]
        if result.reask is not None:
            return self._ask_next(question=result.reask)
        for key in result.accepted:
            self.state.provenance[key] = "answered"
        return self._ask_next()

    def _export(self, out_dir: Path, *, force: bool = False) -> Reply:
        if self.state.phase not in ("confirm", "done"):
            return Reply("Not ready to export: finish the questions first.", self.state.phase)
        topology = Topology.parse(self.state.topology or {})
        configs = self._session().configs()
        planned = PlanResult(
            self.state.topology or {},
            [],
            0,
            Usage(),
            0.0,
            "chat",
            existing_model=self.state.existing_model,
            notes=self.state.notes,
        )
        result = finish(
            self.state.requirement_text(),
            planned,
            topology,
            configs,
            self.state.provenance,
            out_dir,
            force=force,
        )
        self.state.phase = "done"
        self.state.out_dir = str(result.out_dir)
        return Reply(
            f"Wrote {', '.join(sorted(result.files))} to {result.out_dir}.",
            "done",
            out_dir=self.state.out_dir,
        )

    # ---------------------------------------------------------------- commands

    def _command(self, text: str) -> Reply:
        command, _, arg = text.partition(" ")
        if command == "/quit":
            return Reply("Bye. Resume with --session " + self.name, self.state.phase, quit=True)
        if command == "/show":
            return Reply(self._show(), self.state.phase)
        if command == "/undo":
            return self._undo()
        if command == "/export":
            if not arg.strip():
                return Reply("Usage: /export [--force] DIR", self.state.phase)
            force, target = _export_args(arg.strip())
            return self._stored_turn(
                text, lambda: self._export(_export_path(target), force=force), "Export failed"
            )
        if command == "/why":
            return Reply(self._why(arg.strip()), self.state.phase)
        return Reply(
            f"Unknown command {command}; use /show, /undo, /export DIR, /why NODE, /quit.",
            self.state.phase,
        )

    def _why(self, node: str) -> str:
        """Why ``node`` is in the current pipeline (an ``unknown_node`` error names the nodes)."""
        from sagewright.agents.reasons import explain, reason_for

        if not self.state.topology:
            return "No pipeline yet: describe what you need."
        if not node:
            return "Usage: /why NODE, one of: " + ", ".join(self.state.topology)
        try:
            said = "\n".join([*self.state.requirement, *self.state.edits])  # edits ask too
            reasons = explain(said, self.state.topology)
            return f"{node}: {reason_for(reasons, node).text}"
        except SagewrightError as exc:
            return f"{exc.code}: {exc}"

    def _undo(self) -> Reply:
        """Step back over the last turn that changed something, and the no-op turns after it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            rows = self._db.execute(
                "SELECT seq, state FROM turns WHERE session = ? ORDER BY seq DESC", (self.name,)
            ).fetchall()
            if not rows:
                self._db.execute("ROLLBACK")
                return Reply("Nothing to undo.", self.state.phase)
            current = rows[0][1]
            keep = next((seq for seq, state in rows if state != current), 0)
            self._db.execute("DELETE FROM turns WHERE session = ? AND seq > ?", (self.name, keep))
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self.seq, state = self._latest()
        self.state = state or ChatState()
        return Reply("Undone. " + self._prompt_for_phase(), self.state.phase)

    def _prompt_for_phase(self) -> str:
        if self.state.phase == "describe":
            return "Describe the pipeline you need."
        if self.state.phase == "review":
            dag = _dag(self.state.topology or {})
            return f"Current pipeline:\n{dag}\nSay 'ok' or ask for changes."
        if self.state.phase == "questions" and self.state.question:
            return str(self.state.question["text"])
        if self.state.phase == "confirm":
            return "Say 'ok' to write the pipeline, or /export DIR."
        return f"The pipeline is in {self.state.out_dir}."

    def _show(self) -> str:
        if not self.state.topology:
            return "No pipeline yet: describe what you need."
        values = stated_keys(PipelineValues(**self.state.values)) if self.state.values else {}
        lines = [_dag(self.state.topology), "", "Values so far:"]
        lines += [
            f"  {k} = {v}  ({self.state.provenance.get(k, 'stated')})"
            for k, v in sorted(values.items())
        ] or ["  (none)"]
        return "\n".join(lines)


def _export_args(arg: str) -> tuple[bool, str]:
    """``--force DIR`` or ``DIR``: whether to replace hand-edited files, and the folder."""
    flag, _, rest = arg.partition(" ")
    if flag == "--force" and rest.strip():
        return True, rest.strip()
    return False, arg


def _export_path(arg: str) -> Path:
    try:
        return Path(arg).expanduser()
    except RuntimeError as exc:  # ~user whose home folder is unknown
        raise SagewrightError(f"{arg}: {exc}", code="bad_arguments") from None


def _dag(topology: dict[str, list[str]]) -> str:
    return "\n".join(
        f"  {node}  <-  {', '.join(parents) or '(start)'}" for node, parents in topology.items()
    )


def _diff(before: dict[str, list[str]], after: dict[str, list[str]], new_notes: list[str]) -> str:
    """The steps a re-plan added and removed; when none, what it newly could not do."""
    added = [n for n in after if n not in before]
    removed = [n for n in before if n not in after]
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    if not parts and new_notes:
        return "No step changed: " + "; ".join(new_notes) + "."
    return "Updated the pipeline: " + ("; ".join(parts) if parts else "no step changed") + "."


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
