"""The one old ``amplitude.ai`` pattern that migrates safely: client classes from
``get_openai()`` / ``get_anthropic()``.

``OpenAI, AsyncOpenAI = get_openai()`` becomes ``from amplitude_ai import OpenAI, AsyncOpenAI``
and each construction's ``amplitude_client=X`` becomes ``amplitude=X`` (the drop-ins accept an
``amplitude.Amplitude``). It is only done when nothing else about the old API is in play:
no ``ai_config=``/other ``amplitude_*`` arguments (they carried privacy settings that must not
be dropped silently) and no other use of the names. Everything else is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from amplitude_ai_mcp.detect.analysis.tree_walk import walk

from ._common import SDK, Plan, dotted
from .facts import Facts

KIND = "migrate_legacy_api"
_FACTORIES = {
    "get_openai": ("OpenAI", "AsyncOpenAI"),
    "get_anthropic": ("Anthropic", "AsyncAnthropic"),
}


@dataclass
class _Assignment:
    statement: cst.SimpleStatementLine
    factory: str
    names: list[tuple[str, str]]  # (local name, amplitude_ai class)


def plan_legacy_clients(facts: Facts, plan: Plan) -> set[int]:
    """Plan the safe migrations; returns the lines already migrated or reported here."""
    imports = _legacy_imports(facts.module)
    local_factories = {local: name for name, (local, _) in imports.items()}
    if not local_factories:
        return set()
    assignments = [a for a in _assignments(facts.module, local_factories)]
    if not assignments:
        return set()
    calls = _calls(facts.module)
    covered: set[int] = set()
    migrated: set[str] = set()
    for assignment in assignments:
        locals_ = {local for local, _ in assignment.names}
        built = [c for c in calls if isinstance(c.func, cst.Name) and c.func.value in locals_]
        unsafe = [
            a.keyword.value
            for c in built
            for a in c.args
            if a.keyword is not None
            and (a.keyword.value == "ai_config" or a.keyword.value.startswith("amplitude_"))
            and a.keyword.value != "amplitude_client"
        ]
        per_call = [
            a.keyword.value
            for c in calls
            for a in c.args
            if a.keyword is not None
            and a.keyword.value.startswith("amplitude_")
            and a.keyword.value != "amplitude_client"
        ]
        line = facts.positions.get(id(assignment.statement), 0)
        if unsafe or per_call:
            plan.skip(
                line,
                KIND,
                f"{assignment.factory}() clients use old options "
                f"({', '.join(sorted(set(unsafe + per_call)))}) that carried privacy/identity "
                "settings; move them to the bootstrap's AIConfig and agent.session(), then use "
                "`from amplitude_ai import ...` with amplitude=",
            )
            covered.add(line)  # this reason replaces the generic one
            continue
        new_import = cst.ImportFrom(
            module=cst.Name(SDK),
            names=[
                cst.ImportAlias(
                    cst.Name(cls), asname=cst.AsName(cst.Name(local)) if local != cls else None
                )
                for local, cls in assignment.names
            ],
        )
        plan.rewrite(
            assignment.statement,
            lambda node, new=new_import: node.with_changes(body=[new]),  # type: ignore[misc]
        )
        for call in built:
            plan.rewrite(call, _rename_amplitude_client)
        plan.edit(
            line,
            KIND,
            f"{assignment.factory}() (old amplitude.ai) -> the SDK's drop-in classes; "
            "amplitude_client= becomes amplitude=",
        )
        covered.add(line)
        migrated.add(assignment.factory)
    _drop_imports(facts, plan, imports, migrated, covered)
    return covered


def _rename_amplitude_client(node: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(node, cst.Call)
    args = [
        a.with_changes(keyword=cst.Name("amplitude"))
        if a.keyword is not None and a.keyword.value == "amplitude_client"
        else a
        for a in node.args
    ]
    return node.with_changes(args=args)


def _legacy_imports(module: cst.Module) -> dict[str, tuple[str, cst.SimpleStatementLine]]:
    found: dict[str, tuple[str, cst.SimpleStatementLine]] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        node = stmt.body[0]
        if (
            isinstance(node, cst.ImportFrom)
            and node.module is not None
            and dotted(node.module) == "amplitude.ai"
            and not node.relative
            and not isinstance(node.names, cst.ImportStar)
        ):
            for alias in node.names:
                name = dotted(alias.name) or ""
                if name in _FACTORIES:
                    local = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                    found[name] = (local, stmt)
    return found


def _assignments(module: cst.Module, factories: dict[str, str]) -> list[_Assignment]:
    out: list[_Assignment] = []
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        node = stmt.body[0]
        if not (
            isinstance(node, cst.Assign)
            and len(node.targets) == 1
            and isinstance(node.value, cst.Call)
            and isinstance(node.value.func, cst.Name)
            and node.value.func.value in factories
            and not node.value.args
            and isinstance(node.targets[0].target, cst.Tuple)
        ):
            continue
        factory = factories[node.value.func.value]
        elements = node.targets[0].target.elements
        classes = _FACTORIES[factory]
        if len(elements) != len(classes) or not all(
            isinstance(e.value, cst.Name) for e in elements
        ):
            continue
        names = [
            (e.value.value, cls)
            for e, cls in zip(elements, classes, strict=True)
            if isinstance(e.value, cst.Name) and e.value.value != "_"  # all Names (above)
        ]
        if names:
            out.append(_Assignment(stmt, factory, names))
    return out


def _calls(module: cst.Module) -> list[cst.Call]:
    found: list[cst.Call] = []

    class _Collect(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    walk(module, _Collect())
    return found


def _drop_imports(
    facts: Facts,
    plan: Plan,
    imports: dict[str, tuple[str, cst.SimpleStatementLine]],
    migrated: set[str],
    covered: set[int],
) -> None:
    for name in migrated:
        _, stmt = imports[name]
        node = stmt.body[0]
        assert isinstance(node, cst.ImportFrom)
        assert not isinstance(node.names, cst.ImportStar)
        keep = [a for a in node.names if (dotted(a.name) or "") not in migrated]
        if not keep:
            plan.remove.add(id(stmt))
        else:
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            plan.rewrite(node, lambda n, k=keep: n.with_changes(names=k))  # type: ignore[misc]
        covered.add(facts.positions.get(id(stmt), 0))
