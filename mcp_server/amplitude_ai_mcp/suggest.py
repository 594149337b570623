"""suggest_instrumentation: ordered next steps derived from a scan (or from arguments)."""

from __future__ import annotations

from typing import get_args

from .models import ContentMode, Framework, Provider, ScanResult, Suggestion, SuggestionResult

CONTENT_TIERS: tuple[str, ...] = get_args(ContentMode)
FRAMEWORKS: tuple[str, ...] = get_args(Framework)
PROVIDERS: tuple[str, ...] = get_args(Provider)


def from_scan(scan: ScanResult, content_tier: str) -> SuggestionResult:
    steps: list[Suggestion] = []
    provider = scan.providers[0].name if scan.providers else None
    web = scan.web_frameworks[0].name if scan.web_frameworks else None
    uninstrumented = [s for s in scan.call_sites if not s.instrumented and not s.in_test]
    files = sorted({s.file for s in uninstrumented})
    if scan.counts.call_sites == 0:
        steps.append(
            Suggestion(
                step="No LLM call sites found",
                tool="scan_project",
                detail="check `skipped` for unreadable files; nothing to instrument otherwise",
            )
        )
    if any(o.name == "amplitude-ai" for o in scan.observability) is False:
        steps.append(
            Suggestion(
                step="Add the SDK",
                tool="validate_setup",
                detail="declare `amplitude-ai` in the project's dependencies and set "
                "AMPLITUDE_AI_API_KEY; validate_setup shows the exact fix",
            )
        )
    steps.append(
        Suggestion(
            step="Create one bootstrap module",
            tool="get_integration_pattern",
            detail="one AmplitudeAI instance and the agents, created once at import "
            f"(pattern agent_session); content_mode={content_tier}",
        )
    )
    if uninstrumented:
        by_kind = {s.resolved_by for s in uninstrumented}
        detail = (
            f"{scan.counts.uninstrumented} uninstrumented call sites in {len(files)} "
            "files; instrument each client where it is built (drop-in class or wrap())"
        )
        if "usage" in by_kind or "annotation" in by_kind:
            detail += "; some clients are passed in as parameters: instrument them at the caller"
        if any(s.call_style == "module_function" for s in uninstrumented):
            detail += "; module-level calls (litellm, legacy openai) need patch() at start-up"
        steps.append(
            Suggestion(
                step="Instrument the clients", tool="validate_file", files=files[:20], detail=detail
            )
        )
    if web:
        steps.append(
            Suggestion(
                step=f"Open a session per {web} request",
                tool=None,
                detail=f"in each {web} handler that reaches an LLM call, wrap the work in "
                "agent.session(user_id=<the request's user>) and call new_trace() per "
                "message; ask the user where the user id comes from",
            )
        )
    if scan.multi_agent:
        steps.append(
            Suggestion(
                step="Model the agents",
                tool="get_integration_pattern",
                files=sorted({a.file for a in scan.agents})[:20],
                detail=f"{len(scan.agents)} agent definitions: one amplitude agent each, "
                "sub-agents via agent.child() (pattern multi_agent)",
            )
        )
    steps.append(
        Suggestion(
            step="Verify",
            tool="validate_file",
            detail="re-run validate_file on changed files (0 uninstrumented) and test with "
            "MockAmplitudeAI against get_event_schema",
        )
    )
    patterns = ["agent_session", "tool_calls"]
    if scan.multi_agent:
        patterns.append("multi_agent")
    return SuggestionResult(
        based_on="scan",
        framework=web,
        provider=provider,
        content_tier=content_tier,
        steps=steps,
        patterns=patterns,
    )


def from_arguments(
    framework: str | None, provider: str | None, content_tier: str
) -> SuggestionResult:
    steps = [
        Suggestion(
            step="Add the SDK",
            tool="validate_setup",
            detail="declare `amplitude-ai` and set AMPLITUDE_AI_API_KEY",
        ),
        Suggestion(
            step="Create one bootstrap module",
            tool="get_integration_pattern",
            detail=f"AmplitudeAI + agents once at import; content_mode={content_tier}",
        ),
    ]
    if provider:
        steps.append(
            Suggestion(
                step=f"Instrument the {provider} client",
                tool="validate_file",
                detail="use the SDK's drop-in client or wrap() where the client is built"
                if provider not in ("litellm",)
                else "call amplitude_ai.patch() at start-up",
            )
        )
    if framework and framework != "none":
        steps.append(
            Suggestion(
                step=f"Open a session per {framework} request",
                tool=None,
                detail="agent.session(user_id=...) around each handler's LLM work",
            )
        )
    steps.append(
        Suggestion(
            step="Verify",
            tool="validate_file",
            detail="0 uninstrumented call sites; MockAmplitudeAI in tests",
        )
    )
    return SuggestionResult(
        based_on="arguments",
        framework=framework,
        provider=provider,
        content_tier=content_tier,
        steps=steps,
        patterns=["agent_session", "tool_calls"],
    )
