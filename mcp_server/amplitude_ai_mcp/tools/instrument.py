"""instrument_file: plan (and with apply=true write) the instrumentation of one file."""

from typing import Annotated

from fastmcp import Context
from fastmcp.tools import ToolResult
from pydantic import Field

from amplitude_ai_mcp.errors import UserError
from amplitude_ai_mcp.models import ContentMode, InstrumentResult, Tier

from ._base import Root, needs_input_lines, result, roots

INPUTS_HELP = (
    "needs_input answers by id: a JSON value or a one-line expression (look-up calls only)."
)
Inputs = Annotated[dict[str, object] | None, Field(description=INPUTS_HELP)]


def instrument_file(
    ctx: Context,
    path: Annotated[str, Field(description="Python file in the project root.")],
    tier: Annotated[
        Tier,
        Field(
            description="swap: drop-in clients; wrap: wrap(client, amplitude=ai); patch: "
            "bootstrap calls patch(); session: swap + an agent session per entry point."
        ),
    ] = "swap",
    agent_id: Annotated[
        str | None,
        Field(max_length=64, description="Bootstrap agent id (letters, digits, - _ . :)."),
    ] = None,
    agent_description: Annotated[
        str | None, Field(max_length=500, description="One-line description of the agent.")
    ] = None,
    content_mode: Annotated[ContentMode, Field(description="For a new bootstrap.")] = "full",
    inputs: Inputs = None,
    apply: Annotated[bool, Field(description="Write the files atomically; default: plan.")] = False,
    expected_sha256: Annotated[
        str | None, Field(description="sha256 of the plan; apply refuses a changed file.")
    ] = None,
    root: Root = None,
) -> ToolResult:
    """Instrument one Python file: drop-in clients (or wrap/patch), the shared bootstrap
    module (AmplitudeAI + agents), flushes in serverless handlers, agent sessions (session
    tier). Returns the diff, edits with reasons, needs_input (answer via inputs), skipped
    sites, sha256. Plans unless apply=true (atomic, refuses stale files, idempotent)."""
    from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file

    the_roots = roots(ctx)
    base = the_roots.project_root(root)
    file = the_roots.file(path, base)
    outcome = plan_file(
        base,
        file,
        Options(tier, agent_id, agent_description, content_mode, dict(inputs or {})),
    )
    found = outcome.result
    if expected_sha256 is not None and expected_sha256.lower() != found.sha256:
        raise UserError(
            f"{found.file} changed since it was planned (sha256 {found.sha256[:12]}... "
            f"!= expected {expected_sha256[:12]}...); plan again, review, then apply"
        )
    if apply and outcome.changes:
        apply_changes(outcome.changes)
        found.applied = True
    verb = "applied" if found.applied else "planned"
    state = "no changes needed" if not found.files else f"{len(found.edits)} edits {verb}"
    summary = (
        f"{found.file} ({found.tier}): {state} in {len(found.files)} files; "
        f"{len(found.needs_input)} need input; uninstrumented "
        f"{found.uninstrumented_before} -> {found.uninstrumented_after}"
    )
    return result(found, summary, instrument_text(found))


def instrument_text(found: InstrumentResult) -> str:
    lines = [f"sha256: {found.sha256}"]
    if found.bootstrap:
        lines.append(f"bootstrap: {found.bootstrap} (import {found.bootstrap_import})")
    if found.files:
        lines.append(f"files: {', '.join(found.files)}")
    if found.edits:
        lines += ["", "edits:"] + [f"- {e.file}:{e.line} {e.kind}: {e.reason}" for e in found.edits]
    if found.needs_input:
        lines += ["", "needs_input:", *needs_input_lines(found.needs_input)]
    if found.skipped:
        lines += ["", "skipped:"] + [
            f"- {e.file}:{e.line} {e.kind}: {e.reason}" for e in found.skipped
        ]
    if found.diff:
        lines += ["", "diff:", "```diff", found.diff.rstrip("\n"), "```"]
    if found.files and not found.applied:
        lines += [
            "",
            "to write it: the same call (same inputs) with apply=true, "
            f"expected_sha256={found.sha256}",
        ]
    return "\n".join(lines)
