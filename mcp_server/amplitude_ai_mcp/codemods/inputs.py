"""How a plan takes ``inputs``: the answers to its ``needs_input`` items, by id.

Each item a codemod asks (:meth:`._common.Plan.ask`) has an id ``<file>:<key>``; the next plan
with ``inputs={id: answer}`` places the answer (checked by :mod:`amplitude_ai_mcp.inputs`, at
the ``"lookups"`` strictness: the answer goes into the user's code). This module holds the
questions the plan itself asks (the session tier's agent id, provider releases the SDK does
not support) and the final check that every answer given names a question of this plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from amplitude_ai_mcp.inputs import check_ids, literal_string

from . import add_bootstrap_module as boot
from ._common import Plan

AGENT_ID_KEY = "agent_id"


def answered_agent_id(plan: Plan, given: str | None) -> str | None:
    """The session tier's agent id: the ``agent_id`` parameter, else the answer to its item."""
    answer = plan.answer(AGENT_ID_KEY)  # asked for even when the parameter wins: a known id
    if given is None and answer is not None:
        return literal_string(plan.input_id(AGENT_ID_KEY), answer)
    return given


def ask_agent_id(plan: Plan, location: boot.Location) -> boot.AgentSpec:
    """Ask which agent the sessions belong to; the plan goes on with a suggested id."""
    suggested = boot.suggest_agent_id(location)
    plan.ask(
        0,
        "which agent id should these sessions belong to? Answer here or pass agent_id "
        f"(the plan uses {suggested!r} until then)",
        suggested,
        key=AGENT_ID_KEY,
        answer="the agent id, a string (letters, digits, - _ . :)",
    )
    return boot.agent_spec(suggested, None)


def ask_about_versions(root: Path, providers: Iterable[str], plan: Plan) -> None:
    """A provider release the SDK does not support (or cannot tell) is a question to the
    user: the instrumented calls would otherwise run untracked on it."""
    from amplitude_ai_mcp.project_versions import version_questions

    questions = version_questions(root, set(providers))
    for n, (question, requirement) in enumerate(questions, 1):
        # The id names the distribution (stable); the fix is a pin, not an expression.
        name = re.match(r"[A-Za-z0-9_.\-]+", requirement or "")
        plan.ask(0, question, requirement, key=f"{name.group(0) if name else n}:version")


def check_answers(plan: Plan) -> None:
    """Refuse answers to ids this plan did not ask (every question is asked by now)."""
    check_ids(plan.inputs, plan.known_ids)
