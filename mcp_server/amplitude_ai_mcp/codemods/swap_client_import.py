"""swap tier: build each detected provider client with the SDK's drop-in class.

``from openai import OpenAI`` becomes ``from amplitude_ai import OpenAI`` (only the names that
build clients move; other names stay on the provider import), ``openai.OpenAI(...)`` /
``oa.Anthropic(...)`` become ``amplitude_ai.OpenAI(...)`` with ``import amplitude_ai`` added, and
every construction gets ``amplitude=ai`` (the bootstrap's instance). Other uses of the provider
module are untouched; the drop-ins subclass the provider classes, so annotations and
``isinstance`` checks keep working.
"""

from __future__ import annotations

import libcst as cst

from ._args import add_keyword
from ._common import SDK, Plan, Rewrite, dotted
from .facts import Construction, Facts

KIND = "swap_client_import"


# id(import) -> (the import, id(alias) -> the drop-in that name becomes)
_ByImport = dict[int, tuple[cst.ImportFrom, dict[int, str]]]


def plan_swap(facts: Facts, plan: Plan, ai_name: str) -> None:
    by_import: _ByImport = {}
    owners = _ImportOwners(facts.module)
    for c in facts.constructions:
        if id(c.call) in facts.wrapped_args:
            continue
        if c.reference:
            _plan_reference(c, plan, ai_name, by_import)
            continue
        if c.factory:  # boto3.client("bedrock-runtime", ...) -> amplitude_ai.Bedrock(same args)
            # (a boto3 session's .client(...) also passes session=<the session>)
            plan.rewrite(c.call, _attribute_swap(c, ai_name))
            plan.need_sdk_module = True
            plan.need_bootstrap("ai")
            plan.edit(
                c.line,
                KIND,
                f"{c.qualname}(...) -> amplitude_ai.{c.drop_in}(...) (same arguments) with "
                f"amplitude={ai_name}",
            )
            continue
        func = c.call.func if isinstance(c.call, cst.Call) else None  # a Call unless a reference
        if (
            c.imports
            and isinstance(func, cst.Name)
            and all(_can_split(owners, i) for i, _ in c.imports)
        ):
            for import_from, alias in c.imports:
                entry = by_import.setdefault(id(import_from), (import_from, {}))
                entry[1][id(alias)] = c.drop_in
            plan.rewrite(c.call, _keyword(ai_name))
            plan.edit(
                c.line,
                KIND,
                f"{c.qualname}(...) -> amplitude_ai.{c.drop_in} (drop-in) with amplitude={ai_name}",
            )
        elif isinstance(func, (cst.Attribute, cst.Name)) and (
            isinstance(func, cst.Attribute) or c.imports
        ):
            # ``oa.OpenAI(...)``, or a name whose import cannot be split (a one-line
            # ``if x: from openai import APIError, OpenAI``): call the drop-in by module path.
            plan.rewrite(c.call, _attribute_swap(c, ai_name))
            plan.need_sdk_module = True
            plan.edit(
                c.line,
                KIND,
                f"{dotted(func) or c.qualname}(...) -> amplitude_ai.{c.drop_in}(...) with "
                f"amplitude={ai_name}; other uses of the provider module are unchanged",
            )
        else:
            plan.skip(c.line, KIND, f"{c.qualname} is bound in a way the codemod cannot follow")
            continue
        plan.need_bootstrap("ai")
    for import_from, aliases in by_import.values():
        _swap_import(owners, plan, import_from, aliases)


def _plan_reference(
    c: Construction,
    plan: Plan,
    ai_name: str,
    by_import: _ByImport,
) -> None:
    """``default_factory=OpenAI`` -> ``default_factory=lambda: OpenAI(amplitude=ai)``."""
    if isinstance(c.call, cst.Name) and c.imports:
        for import_from, alias in c.imports:
            by_import.setdefault(id(import_from), (import_from, {}))[1][id(alias)] = c.drop_in
        func: cst.BaseExpression = cst.Name(c.call.value)
    elif isinstance(c.call, cst.Attribute):
        func = cst.Attribute(cst.Name(SDK), cst.Name(c.drop_in))
        plan.need_sdk_module = True
    else:
        plan.skip(c.line, KIND, f"{c.qualname} is bound in a way the codemod cannot follow")
        return
    call = add_keyword(cst.Call(func), "amplitude", cst.Name(ai_name))
    plan.rewrite(c.call, lambda _node: cst.Lambda(cst.Parameters(), call))
    plan.need_bootstrap("ai")
    plan.edit(
        c.line,
        KIND,
        f"default_factory={c.qualname} -> a lambda building amplitude_ai.{c.drop_in} with "
        f"amplitude={ai_name}",
    )


def _keyword(ai_name: str) -> Rewrite:
    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        if any(a.keyword is not None and a.keyword.value == "amplitude" for a in node.args):
            return node
        return add_keyword(node, "amplitude", cst.Name(ai_name))

    return rewrite


def _attribute_swap(c: Construction, ai_name: str) -> Rewrite:
    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        func = cst.Attribute(value=cst.Name(SDK), attr=cst.Name(c.drop_in))
        if c.session:  # session.client(...) -> Bedrock(..., session=session)
            assert isinstance(node.func, cst.Attribute)
            node = add_keyword(node, "session", node.func.value)
        return _keyword(ai_name)(node.with_changes(func=func))

    return rewrite


def _as_drop_in(alias: cst.ImportAlias, drop_in: str) -> cst.ImportAlias:
    """``Client`` -> ``Gemini as Client``: the drop-in under the name the code already uses
    (the provider class and our drop-in are not always spelled alike)."""
    if dotted(alias.name) == drop_in:
        return alias
    local = alias.asname.name if alias.asname else alias.name
    return alias.with_changes(
        name=cst.Name(drop_in), asname=cst.AsName(name=cst.Name(dotted(local) or drop_in))
    )


def _swap_import(
    owners: _ImportOwners, plan: Plan, node: cst.ImportFrom, aliases: dict[int, str]
) -> None:
    assert not isinstance(node.names, cst.ImportStar)
    originals = node.names  # (the closures below do not see the narrowing)
    moving = [a for a in originals if id(a) in aliases]
    renamed = [_as_drop_in(a, aliases[id(a)]) for a in moving]
    if len(moving) == len(node.names) and not node.relative:

        def swap(n: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(n, cst.ImportFrom)
            assert not isinstance(n.names, cst.ImportStar)
            names = [
                _as_drop_in(a, aliases[id(o)]) for a, o in zip(n.names, originals, strict=True)
            ]
            return n.with_changes(module=cst.Name(SDK), names=names)

        plan.rewrite(node, swap)
        return
    # Mixed import: keep the other names on the provider import, add ours right after it.
    kept_ids = {id(a) for a in node.names if id(a) not in aliases}

    def strip(n: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(n, cst.ImportFrom)
        assert not isinstance(n.names, cst.ImportStar)
        kept = [a for a, o in zip(n.names, originals, strict=True) if id(o) in kept_ids]
        if isinstance(originals[-1].comma, cst.MaybeSentinel) or n.rpar is None:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return n.with_changes(names=kept)

    plan.rewrite(node, strip)
    new = cst.SimpleStatementLine(
        [
            cst.ImportFrom(
                module=cst.Name(SDK),
                names=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in renamed],
            )
        ]
    )
    owner = owners.statement_of(node)
    assert owner is not None  # checked by _can_split
    plan.insert_after.setdefault(id(owner), []).append(new)


def _can_split(owners: _ImportOwners, node: cst.ImportFrom) -> bool:
    """An import whose names can move: all of them at once, or it sits on its own line."""
    if isinstance(node.names, cst.ImportStar) or node.relative:
        return False
    return len(node.names) == 1 or owners.statement_of(node) is not None


class _ImportOwners:
    """The statement line owning each ``from ... import`` of one module, indexed on first use:
    one walk per plan, not one per import (each walk visits the whole module; on a 2,000-line
    file that was half a second each). One per plan: plans of other files may run at the
    same time in other threads."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._owners: dict[int, cst.SimpleStatementLine] | None = None

    def statement_of(self, node: cst.ImportFrom) -> cst.SimpleStatementLine | None:
        if self._owners is None:
            owners: dict[int, cst.SimpleStatementLine] = {}
            for stmt in self._module.body:
                _index(stmt, owners)
            self._owners = owners
        return self._owners.get(id(node))


# Where statements nest: compound statements' blocks, else/except/finally/case clauses.
_PARTS = ("body", "orelse", "handlers", "finalbody", "cases")


def _index(node: cst.CSTNode, owners: dict[int, cst.SimpleStatementLine]) -> None:
    """Record the statement line of every ``from ... import`` under ``node``, walking only
    statement containers (a libcst visitor would rebuild every expression node on the way)."""
    if isinstance(node, cst.SimpleStatementLine):
        for small in node.body:
            if isinstance(small, cst.ImportFrom):
                owners[id(small)] = node
        return
    for part in _PARTS:
        value = getattr(node, part, None)
        if isinstance(value, cst.CSTNode):
            _index(value, owners)
        elif isinstance(value, (list, tuple)):
            for child in value:
                if isinstance(child, cst.CSTNode):
                    _index(child, owners)
