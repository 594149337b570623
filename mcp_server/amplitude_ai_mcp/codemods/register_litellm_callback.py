"""LiteLLM's module functions (``litellm.completion``, ``acompletion``, ``embedding`` ...):
nothing changes at the call sites. LiteLLM's own callback list is where it reports every
call, whichever provider it routes to, so the bootstrap registers the SDK's callback there
(``patch_litellm(amplitude=ai)``) and the file imports the bootstrap, which puts the
callback in place before the file's first LiteLLM call.
"""

from __future__ import annotations

from ._common import Facts, Plan

KIND = "register_litellm_callback"
PROVIDER = "litellm"


def plan_litellm(facts: Facts, plan: Plan) -> bool:
    """Plan the bootstrap import for the uninstrumented LiteLLM calls of this file; True
    when the bootstrap must register the callback."""
    lines = [
        s.line
        for s in facts.sites
        if s.provider == PROVIDER and s.call_style == "module_function" and not s.instrumented
    ]
    if not lines:
        return False
    plan.need_bootstrap("ai")
    plan.edit(
        min(lines),
        KIND,
        "import the bootstrap, which registers the amplitude_ai callback in litellm.callbacks "
        "(patch_litellm), so every LiteLLM call of this file is tracked",
    )
    return True
