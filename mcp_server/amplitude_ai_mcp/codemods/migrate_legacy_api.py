"""The older ``amplitude.ai`` module APIs (``get_openai``, ``llm_session``, ``ai.track``) and
pre-1.0 ``openai`` module calls: report each use with the exact replacement.

``get_openai()``/``get_anthropic()`` client classes are migrated when that is safe (see
:mod:`._legacy_clients`); the rest is reported, not rewritten: their options
(``privacy_mode``, ``ai_config``, ``providers=[...]``, a returned tracker that is stopped
later) change what data leaves the process, so a silent translation could start sending
content the app had turned off.
"""

from __future__ import annotations

import libcst as cst

from amplitude_ai_mcp.detect import providers as P

from ._common import NOT_YET, Plan
from ._legacy_clients import plan_legacy_clients
from .facts import Facts

KIND = "migrate_legacy_api"

_REPLACEMENTS = {
    "get_openai": "the SDK's drop-ins: `from amplitude_ai import OpenAI, AsyncOpenAI`, built "
    "with `amplitude=ai` (from the bootstrap) instead of `amplitude_client=`; move `ai_config` "
    "settings (privacy/content) to the bootstrap's AIConfig(content_mode=...)",
    "get_anthropic": "`from amplitude_ai import Anthropic, AsyncAnthropic`, built with "
    "`amplitude=ai` instead of `amplitude_client=`; move `ai_config` settings to the bootstrap",
    "llm_session": "`with <agent>.session(user_id=...) as session:` (agent from the bootstrap); "
    "session.track_user_message(...) keeps its name, track_message(...) becomes "
    "session.track_ai_message(...)",
    "track": "`amplitude_ai.patch(amplitude=...)` once at start-up (or the drop-in clients); "
    "`tracker.stop()` becomes `amplitude_ai.unpatch()`",
    "quick_track_message": "`ai.track_ai_message(...)` / `session.track_ai_message(...)`",
    "calculate_cost": "`amplitude_ai.calculate_cost(...)`",
}


def plan_legacy(facts: Facts, plan: Plan) -> None:
    covered = plan_legacy_clients(facts, plan)
    seen: set[tuple[int, str]] = set()
    for line, name, node in facts.legacy:
        if (line, name) in seen or line in covered:
            continue
        seen.add((line, name))
        if name == "import":
            assert isinstance(node, (cst.Import, cst.ImportFrom))
            plan.skip(
                line,
                KIND,
                "imports the old `amplitude.ai` module, which the current amplitude-analytics "
                "package no longer ships; replace its uses as listed for the lines below, then "
                "remove this import",
            )
            continue
        short = name.rsplit(".", 1)[-1]
        replacement = _REPLACEMENTS.get(short, "the matching amplitude_ai API (see the SDK docs)")
        plan.skip(line, KIND, f"old API {name}(): replace with {replacement}")
    for site in facts.sites:
        if site.provider == "litellm":
            continue  # the bootstrap registers the LiteLLM callback (register_integrations)
        # Framework runners (agents.Runner.run) are covered by their registered integration.
        if site.call_style == "module_function" and not site.instrumented and not site.integration:
            if site.qualified_name in P.LEGACY_FUNCTIONS:
                plan.skip(
                    site.line,
                    KIND,
                    f"openai.{site.api} is the pre-1.0 openai module API (removed in openai>=1); "
                    "port it to an OpenAI client (`client.chat.completions.create(...)`) and "
                    "re-run instrument_file",
                )
            else:
                plan.skip(
                    site.line,
                    "not_instrumentable",
                    f"{site.qualified_name}: module-level {site.provider} call, {NOT_YET}; "
                    "use the provider's client class, or call amplitude_ai.patch() at start-up",
                )
