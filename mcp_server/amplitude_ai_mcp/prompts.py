"""The ``instrument_app`` prompt and the completions of its arguments.

Prompt arguments are plain ``str`` parameters described in the docstring: fastmcp appends a
"Provide a value matching the following JSON schema" note to any argument typed otherwise
(``Annotated`` included), which reads as noise in a client's prompt form.
"""

from typing import Any

from fastmcp import FastMCP
from fastmcp.prompts import Message

from .suggest import CONTENT_TIERS, FRAMEWORKS, PROVIDERS

ARGUMENT_VALUES: dict[str, tuple[str, ...]] = {
    "framework": FRAMEWORKS,
    "provider": PROVIDERS,
    "content_tier": CONTENT_TIERS,
}


def instrument_app(
    framework: str = "none", provider: str = "openai", content_tier: str = "full"
) -> list[Message]:
    from ._data import data_dir

    guide = (data_dir("prompts") / "instrument_guide.md").read_text(encoding="utf-8")
    task = (
        f"Instrument this {provider} app (web framework: {framework}) with amplitude-ai, "
        f"content mode {content_tier}.\n"
        "1. Detect: call scan_project and summarise providers, call sites and agents.\n"
        "2. Plan: call suggest_instrumentation and show me the plan; ask me for the agent "
        "id and where user ids come from before editing.\n"
        "3. Apply: instrument_file on each file that builds a client (plan, answer its "
        "needs_input with me and pass the answers as inputs={id: expression}, then "
        "apply=true); get_integration_pattern for the rest.\n"
        "4. Verify: validate_file on each changed file must report 0 uninstrumented; then "
        "validate_setup.\n"
        "5. Test: generate_verify_test with no path (the whole project) and apply=true; answer "
        "its needs_input through its inputs (by id), then run the tests it wrote "
        "(python -m pytest -q tests/test_amplitude_verify.py) and fix what fails.\n\n" + guide
    )
    return [Message(task)]


instrument_app.__doc__ = f"""Walk through Detect -> Plan -> Apply -> Verify with this server.

Args:
    framework: Web framework of the app, one of {", ".join(FRAMEWORKS)}.
    provider: Main LLM provider, one of {", ".join(PROVIDERS)}.
    content_tier: Content mode, one of {", ".join(CONTENT_TIERS)}.
"""


def complete(ref: Any, argument: Any, context: Any) -> list[str]:
    if getattr(ref, "name", None) == "instrument_app" and argument.name in ARGUMENT_VALUES:
        return [v for v in ARGUMENT_VALUES[argument.name] if v.startswith(argument.value or "")]
    if getattr(ref, "uri", None) == "amplitude-ai://patterns/{pattern_id}":
        from . import patterns

        return [p for p in patterns.pattern_ids() if p.startswith(argument.value or "")]
    return []


def register(mcp: FastMCP) -> None:
    mcp.prompt(
        title="Instrument this app",
        description="Walk through Detect -> Plan -> Apply -> Verify with this server's tools.",
    )(instrument_app)
    mcp.completion(complete)
