"""The scan report: what a scan found (sites, imports, agents) next to what the project
declares (dependency and lock files), grouped by provider, framework, web and observability,
with the call sites paged."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from amplitude_ai_mcp.models import AgentRef, Detected, ScanCounts, ScanResult, SkippedFile

from . import providers as P
from .deps import read_declarations
from .sites import CallSite


def build_report(
    root: Path,
    files: list[tuple[str, str]],
    packages: list[str],
    sites: list[CallSite],
    agents: list[AgentRef],
    handoffs: bool,
    skipped: list[SkippedFile],
    caps: list[str],
    analysed: int,
    imports_by_module: dict[str, set[str]],
    offset: int,
    limit: int,
    include_tests: bool,
) -> ScanResult:
    declared_files: list[str] = []
    locks: list[str] = []
    problems: list[str] = []
    declared: dict[str, list[str]] = {}
    for directory in [root, *(root / p for p in packages)]:
        decl = read_declarations(directory, root)
        declared_files.extend(decl.files)
        locks.extend(decl.locks)
        problems.extend(decl.problems)
        for name, sources in decl.names.items():
            declared.setdefault(name, []).extend(sources)

    groups: dict[str, dict[str, Detected]] = {
        "provider": {},
        "framework": {},
        "web": {},
        "observability": {},
    }

    def entry(group: str, name: str) -> Detected:
        return groups[group].setdefault(name, Detected(name=name))

    for dist, sources in declared.items():
        if dist in P.DISTRIBUTIONS:
            group, name = P.DISTRIBUTIONS[dist]
            entry(group, name).declared_in = sorted(set(sources))
    tables = (
        ("provider", P.PROVIDER_MODULES),
        ("framework", P.FRAMEWORK_MODULES),
        ("web", P.WEB_MODULES),
        ("observability", P.OBSERVABILITY_MODULES),
    )
    # prefix -> (group, name): a module matches a table entry by any of its dotted prefixes.
    by_prefix: dict[str, list[tuple[str, str]]] = {}
    for group, table in tables:
        for prefix, name in table.items():
            by_prefix.setdefault(prefix, []).append((group, name))
    known: dict[str, tuple[tuple[str, str], ...]] = {}  # imported module -> its entries

    def entries_of(module: str) -> tuple[tuple[str, str], ...]:
        found = known.get(module)
        if found is None:
            parts = module.split(".")
            hits = [
                e for i in range(1, len(parts) + 1) for e in by_prefix.get(".".join(parts[:i]), ())
            ]
            if module.startswith("boto3"):
                hits.append(("provider", "bedrock"))
            found = known[module] = tuple(hits)
        return found

    for imports in imports_by_module.values():
        hit: set[tuple[str, str]] = set()
        for module in imports:
            hit.update(entries_of(module))
        for group, name in hit:
            entry(group, name).imported_in += 1
    test_sites = [s for s in sites if s.in_test]
    app_sites = [s for s in sites if not s.in_test]
    for site in app_sites:
        group = "provider" if site.kind == "provider" else "framework"
        entry(group, site.provider).call_sites += 1
    # boto3 alone is not Bedrock: keep it only with evidence of bedrock-runtime.
    bedrock = groups["provider"].get("bedrock")
    if (
        bedrock is not None
        and bedrock.call_sites == 0
        and not any(s.provider == "bedrock" for s in sites)
    ):
        del groups["provider"]["bedrock"]
    ordered = app_sites + (test_sites if include_tests else [])
    page = ordered[offset : offset + limit]
    next_offset = offset + limit if offset + limit < len(ordered) else None
    multi_agent = handoffs or len(agents) >= 2
    counts = ScanCounts(
        python_files=len(files),
        analysed_files=analysed,
        call_sites=len(app_sites),
        uninstrumented=sum(not s.instrumented for s in app_sites),
        instrumented=sum(s.instrumented for s in app_sites),
        test_call_sites=len(test_sites),
        skipped_files=len(skipped),
        by_provider=dict(sorted(Counter(s.provider for s in app_sites).items())),
    )
    max_skipped = 50
    if len(skipped) > max_skipped:
        caps.append(f"skipped list shows {max_skipped} of {len(skipped)} files")
    return ScanResult(
        root=str(root),
        counts=counts,
        providers=sorted(groups["provider"].values(), key=lambda d: d.name),
        frameworks=sorted(groups["framework"].values(), key=lambda d: d.name),
        web_frameworks=sorted(groups["web"].values(), key=lambda d: d.name),
        observability=sorted(groups["observability"].values(), key=lambda d: d.name),
        dependency_files=declared_files,
        lock_files=locks,
        workspaces=packages,
        agents=agents[:100],
        multi_agent=multi_agent,
        call_sites=page,
        offset=offset,
        limit=limit,
        next_offset=next_offset,
        skipped=skipped[:max_skipped],
        problems=problems,
        caps_hit=caps,
    )
