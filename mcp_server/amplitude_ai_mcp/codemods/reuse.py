"""What a plan's output reports, from the first detection pass and the edit set.

``instrument_file`` reports how many call sites stay uninstrumented after its edits. Running
detection again on the output costs as much as the first pass; most edit sets prove the
answer instead: a site whose client is built by a construction the plan rewrote (drop-in,
``wrap(...)``) is instrumented, and a site no edit reaches keeps its first-pass status. Where
that proof does not hold, :func:`instrumented_after` answers None and the caller analyses
the output. ``tests/mcp/codemods/test_plan_reuse.py`` checks, over every example app, codemod
fixture and detection-corpus file, that the proven answer equals a re-detection of the output.
"""

from __future__ import annotations

from amplitude_ai_mcp.detect.sites import CallSite

from ._common import Plan
from .facts import Facts

# Tiers whose edits change instrumentation only through the constructions they rewrite
# (patch rewires every client at import; its bootstrap import is the edit that matters).
_BY_CONSTRUCTION = frozenset({"swap", "wrap", "session"})


def instrumented_after(
    facts: Facts, plan: Plan, tier: str, integrations: bool, bootstrap_patches: bool
) -> list[bool] | None:
    """Whether each site of ``facts.sites`` is instrumented once ``plan`` is applied, or None
    when the edits do not prove it:

    - a patch-tier plan, a plan that registers framework integrations, or a bootstrap that
      patches (the file imports it after the plan): instrumentation then depends on import
      order, not on one construction;
    - a site built by a construction of this file that the plan did not rewrite (its edit
      was skipped);
    - a site typed by an annotation (the annotation may name a class the plan swapped).
    """
    if tier not in _BY_CONSTRUCTION or integrations or bootstrap_patches:
        return None
    built: dict[int, list[tuple[str, bool]]] = {}
    for c in facts.constructions:
        built.setdefault(c.line, []).append((c.qualname, id(c.call) in plan.rewrites))
    done: list[bool] = []
    for site in facts.sites:
        if site.instrumented:
            done.append(True)
            continue
        rewritten = _rewritten(built, site) if site.client_file == facts.file else None
        if rewritten is not None:
            if not rewritten:
                return None
            done.append(True)
        elif site.resolved_by == "annotation":
            return None
        else:
            done.append(False)
    return done


def _rewritten(built: dict[int, list[tuple[str, bool]]], site: CallSite) -> bool | None:
    """Whether the construction that built the site's client (same line, and its qualified
    name or a client derived from it: ``google.genai.Client.chats.create``) was rewritten;
    None when no construction of the file built it."""
    origin = site.client_origin or ""
    found = [
        rewritten
        for qualname, rewritten in built.get(site.client_line or 0, ())
        if origin == qualname or origin.startswith(f"{qualname}.")
    ]
    if not found:
        return None
    return all(found)
