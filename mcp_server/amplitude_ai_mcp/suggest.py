"""suggest_instrumentation: ordered next steps derived from a scan (or from arguments)."""

from __future__ import annotations

from typing import get_args

from .models import ContentMode, Framework, Provider, ScanResult, Suggestion, SuggestionResult
from .provider_registry import registry

CONTENT_TIERS: tuple[str, ...] = get_args(ContentMode)
FRAMEWORKS: tuple[str, ...] = get_args(Framework)
PROVIDERS: tuple[str, ...] = get_args(Provider)


def how_to_instrument(provider: str, client_class: str | None = None) -> str:
    """What the SDK offers for ``provider`` (a client built by ``client_class``), from the
    provider registry: only drop-ins, ``wrap()`` and patch functions that exist, and for a
    provider the SDK does not wrap, the registry's reason (never a made-up class)."""
    spec = registry.BY_ID.get(provider)
    if spec is None:
        known = registry.KNOWN_BY_ID.get(provider)
        reason = known.reason if known is not None else "the SDK has no wrapper for it"
        return f"{provider}: {reason}"
    drop_ins = _drop_ins(spec)
    if client_class is not None and client_class in drop_ins:
        ways = [
            f"build it with the drop-in `from amplitude_ai import {drop_ins[client_class]}` "
            "(same API, plus amplitude=ai)",
            "or wrap it: `amplitude_ai.wrap(client, amplitude=ai)`",
        ]
    elif client_class is not None:
        ways = [f"{client_class} has no drop-in"]
    else:
        names = ", ".join(f"amplitude_ai.{d}" for d in dict.fromkeys(spec.drop_ins))
        ways = [f"build the client with the drop-in {names} (amplitude=ai)"] if names else []
        if names:
            ways.append("or wrap it: `amplitude_ai.wrap(client, amplitude=ai)`")
    if spec.patch_function:
        ways.append(f"or call `amplitude_ai.{spec.patch_function}(amplitude=ai)` at start-up")
    return f"{provider}: " + ", ".join(ways)


def _drop_ins(spec: object) -> dict[str, str]:
    """Qualified provider class (every import path) or client factory -> its drop-in."""
    found = {
        f"{module}.{name}": drop_in
        for module in spec.import_paths  # type: ignore[attr-defined]
        for name, drop_in in zip(spec.client_classes, spec.drop_ins, strict=False)  # type: ignore[attr-defined]
    }
    if spec.client_factory and spec.drop_ins:  # type: ignore[attr-defined]
        found[spec.client_factory] = spec.drop_ins[0]  # type: ignore[attr-defined]
    return found


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
        providers = sorted({s.provider for s in uninstrumented if s.kind == "provider"})
        detail = (
            f"{scan.counts.uninstrumented} uninstrumented call sites in {len(files)} files; "
            + "; ".join(how_to_instrument(p) for p in providers)
        )
        if any(s.kind == "framework" for s in uninstrumented):
            detail += "; framework calls: instrument the provider client underneath them"
        if "usage" in by_kind or "annotation" in by_kind:
            detail += "; some clients are passed in as parameters: instrument them at the caller"
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
                detail=how_to_instrument(provider),
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
