"""The requirement text both agents accept: text, and at most :data:`MAX_REQUIREMENT_CHARS`."""

from __future__ import annotations

from sagewright.errors import AgentError

MAX_REQUIREMENT_CHARS = 20_000


def requirement_text(requirement: object, *, stripped: bool = False) -> str:
    """``requirement`` checked as text within the limit.

    ``stripped`` (the planner): surrounding whitespace removed and an empty text refused, since a
    plan needs words. Without it (the extractor) the text is kept as given, so character
    positions in notes and provenance point into what the user wrote.
    """
    if not isinstance(requirement, str):
        raise AgentError(
            f"requirement must be text, got {type(requirement).__name__}",
            code="bad_requirement",
        )
    text = requirement.strip() if stripped else requirement
    if stripped and not text:
        raise AgentError(
            "the requirement is empty",
            hint="describe the pipeline: data, model, and the stages you want",
            code="empty_requirement",
        )
    if len(text) > MAX_REQUIREMENT_CHARS:
        raise AgentError(
            f"the requirement has {len(text)} characters; the limit is {MAX_REQUIREMENT_CHARS}",
            hint="shorten it to the pipeline's data, model, stages and values",
            code="requirement_too_long",
        )
    return text
