"""The one module of the user's project that owns the ``AmplitudeAI`` instance and its agents.

Created when missing, extended (never rewritten) when present: agents are appended once each,
``patch(amplitude=ai)`` is appended once for the patch tier. Every user-supplied string is
validated or emitted as a checked string literal, so it can never become code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from amplitude_ai_mcp.detect.source import parse_module as guarded_parse
from amplitude_ai_mcp.workspace import WorkspaceError

from . import register_integrations as integrations_mod
from ._common import BOOTSTRAP_STEM, dotted, identifier_for

KIND = "add_bootstrap_module"
MARKER = "# amplitude-ai: bootstrap"
DOCSTRING = '"""Amplitude agent analytics for this app (managed by amplitude-ai-mcp)."""'
AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}\Z")
MAX_DESCRIPTION = 500
CONTENT_MODES = {
    "full": "FULL",
    "metadata_only": "METADATA_ONLY",
    "customer_enriched": "CUSTOMER_ENRICHED",
}


@dataclass(frozen=True)
class AgentSpec:
    agent_id: str
    variable: str
    description: str | None


@dataclass(frozen=True)
class Location:
    path: Path  # absolute
    import_name: str  # what instrumented files import from


def locate(file: Path, root: Path) -> Location:
    """The top-level package directory of ``file`` (highest ancestor with ``__init__.py``
    inside the root), else the file's own directory."""
    top: Path | None = None
    current = file.parent
    while current != root.parent and (current / "__init__.py").is_file():
        top = current
        if current == root:
            break
        current = current.parent
    if top is None:
        return Location(file.parent / f"{BOOTSTRAP_STEM}.py", BOOTSTRAP_STEM)
    return Location(top / f"{BOOTSTRAP_STEM}.py", f"{top.name}.{BOOTSTRAP_STEM}")


def suggest_agent_id(location: Location) -> str:
    """``support_bot/...`` -> ``support-bot``: the package (or directory) name, as an id."""
    name = location.path.parent.name
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug if slug and AGENT_ID.match(slug) else "app"


def agent_spec(agent_id: str, description: str | None) -> AgentSpec:
    if not AGENT_ID.match(agent_id):
        raise WorkspaceError(
            f"agent_id {agent_id!r} is not accepted: use 1-64 letters, digits, '-', '_', '.' or "
            "':' starting with a letter or digit (e.g. 'support-bot')"
        )
    if description is not None:
        if len(description) > MAX_DESCRIPTION:
            raise WorkspaceError(
                f"agent_description is {len(description)} characters; keep it under "
                f"{MAX_DESCRIPTION}"
            )
        if any(ord(ch) < 32 and ch not in "\t" for ch in description):
            raise WorkspaceError("agent_description must be one line of text (no control chars)")
    return AgentSpec(agent_id, identifier_for(agent_id), description)


def string_literal(value: str) -> str:
    """A double-quoted Python literal for ``value``, checked by evaluating it back."""
    literal = repr(value)
    if literal.startswith("'"):
        literal = '"' + literal[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    if ast.literal_eval(literal) != value:  # pragma: no cover - guards the escaping above
        raise WorkspaceError("could not encode the string safely; simplify it")
    return literal


def agent_line(spec: AgentSpec) -> str:
    args = string_literal(spec.agent_id)
    if spec.description:
        args += f", description={string_literal(spec.description)}"
    return f"{spec.variable} = ai.agent({args})"


def render(
    agents: list[AgentSpec],
    content_mode: str,
    patch: bool,
    newline: str,
    integrations: tuple[str, ...] = (),
) -> str:
    mode = CONTENT_MODES[content_mode]
    names = ["AIConfig", "AmplitudeAI", "ContentMode", *(["patch"] if patch else [])]
    lines = [
        DOCSTRING,
        "",
        MARKER,
        "# One AmplitudeAI instance and its agents for the whole app, created at import;",
        "# without AMPLITUDE_AI_API_KEY the SDK builds events but sends nothing.",
        "import os",
        "",
        f"from amplitude_ai import {', '.join(names)}",
        "",
        "ai = AmplitudeAI(",
        '    api_key=os.environ.get("AMPLITUDE_AI_API_KEY"),',
        f"    config=AIConfig(content_mode=ContentMode.{mode}),",
        ")",
        *(["patch(amplitude=ai)"] if patch else []),
        *(agent_line(a) for a in agents),
        *integrations_mod.lines(integrations),
    ]
    return newline.join(lines) + newline


@dataclass
class Existing:
    agents: dict[str, str]  # agent id -> variable
    variables: set[str]
    has_ai: bool
    has_patch: bool


def inspect(text: str) -> Existing:
    module = guarded_parse(text)
    found = Existing({}, set(), False, False)
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        found.variables.add(target.target.value)
                        if target.target.value == "ai":
                            found.has_ai = True
                value = small.value
                if (
                    isinstance(value, cst.Call)
                    and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value == "agent"
                    and value.args
                    and isinstance(value.args[0].value, cst.SimpleString)
                    and isinstance(small.targets[0].target, cst.Name)
                ):
                    agent_id = value.args[0].value.evaluated_value
                    if isinstance(agent_id, str):
                        found.agents[agent_id] = small.targets[0].target.value
            elif (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and dotted(small.value.func) in ("patch", "amplitude_ai.patch")
            ):
                found.has_patch = True
    return found


def extend(
    text: str,
    agents: list[AgentSpec],
    patch: bool,
    display: str,
    integrations: tuple[str, ...] = (),
) -> tuple[str, dict[str, str]]:
    """Append what is missing to an existing bootstrap; returns (text, agent id -> variable)."""
    existing = inspect(text)
    if not existing.has_ai:
        raise WorkspaceError(
            f"{display} exists but defines no module-level `ai`; it is not an amplitude-ai "
            "bootstrap. Rename it, or add `ai = AmplitudeAI(...)` to it"
        )
    newline = "\r\n" if "\r\n" in text else "\n"
    added: list[str] = []
    if patch and not existing.has_patch:
        added += ["from amplitude_ai import patch", "", "patch(amplitude=ai)"]
    variables = dict(existing.agents)
    for spec in agents:
        if spec.agent_id in variables:
            continue
        variable = spec.variable
        while variable in existing.variables:
            variable += "_"
        spec = AgentSpec(spec.agent_id, variable, spec.description)
        added.append(agent_line(spec))
        variables[spec.agent_id] = variable
        existing.variables.add(variable)
    added += integrations_mod.lines(integrations_mod.missing(text, integrations))
    if not added:
        return text, variables
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return text + newline.join(added) + newline, variables
