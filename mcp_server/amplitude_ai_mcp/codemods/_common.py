"""What the codemods share: the SDK's names, the :class:`Plan` of changes they ask for and one
rewriter that applies every codemod's changes to the original nodes in a single pass, so no
transform re-parses another's output. The analysis they read is :mod:`.facts`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.detect.analysis.cst_shapes import dotted as dotted
from amplitude_ai_mcp.models import NeedsInput, PlannedEdit

SDK = P.SDK_MODULE
# The providers the SDK instruments, from the provider registry.
INSTRUMENTABLE = P.INSTRUMENTED
BOOTSTRAP_STEM = "amplitude_bootstrap"
NOT_YET = "not yet instrumentable automatically"

Rewrite = Callable[[cst.CSTNode], cst.CSTNode]


@dataclass
class Plan:
    """Changes the codemods ask for, applied by :class:`Rewriter`."""

    file: str
    rewrites: dict[int, list[Rewrite]] = field(default_factory=dict)
    insert_after: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    remove: set[int] = field(default_factory=set)  # id() of statements to drop
    top_imports: list[cst.SimpleStatementLine] = field(default_factory=list)
    edits: list[PlannedEdit] = field(default_factory=list)
    needs: list[NeedsInput] = field(default_factory=list)
    skipped: list[PlannedEdit] = field(default_factory=list)
    bootstrap_names: list[str] = field(default_factory=list)  # names to import from bootstrap
    need_sdk_module: bool = False  # ``import amplitude_ai`` (attribute-style drop-ins)
    sdk_names: list[str] = field(default_factory=list)  # ``from amplitude_ai import ...``
    inputs: Mapping[str, Any] = field(default_factory=dict)  # needs_input id -> answer
    known_ids: dict[str, bool] = field(default_factory=dict)  # id -> takes an answer

    def rewrite(self, node: cst.CSTNode, fn: Rewrite) -> None:
        self.rewrites.setdefault(id(node), []).append(fn)

    def edit(self, line: int, kind: str, reason: str, file: str | None = None) -> None:
        self.edits.append(PlannedEdit(file=file or self.file, line=line, kind=kind, reason=reason))

    def ask(
        self,
        line: int,
        question: str,
        suggestion: str | None = None,
        *,
        key: str,
        answer: str | None = None,
    ) -> None:
        """A needs_input item. ``key`` (with the file) makes its id, stable across re-plans
        (no line numbers);
        ``answer`` says what ``inputs[id]`` takes (None: the item is not answerable by a value)."""
        item_id = self.input_id(key)
        self.known_ids[item_id] = answer is not None
        self.needs.append(
            NeedsInput(
                id=item_id,
                file=self.file,
                line=line,
                question=question,
                suggestion=suggestion,
                answer=answer,
            )
        )

    def input_id(self, key: str) -> str:
        """``<file>:<key>``, the key naming what is asked (``chat:user_id``): the same shape as
        the verify generator's ids (``<file>:<function>:<parameter>``)."""
        return f"{self.file}:{key}"

    def answer(self, key: str) -> Any | None:
        """The caller's answer to the item ``key`` (from ``inputs``), if any; asking marks the
        id as known, so an answer that is no longer needed (already in the code) is accepted."""
        item_id = self.input_id(key)
        self.known_ids.setdefault(item_id, True)
        return self.inputs.get(item_id)

    def skip(self, line: int, kind: str, reason: str) -> None:
        self.skipped.append(PlannedEdit(file=self.file, line=line, kind=kind, reason=reason))

    def need_bootstrap(self, name: str) -> None:
        if name not in self.bootstrap_names:
            self.bootstrap_names.append(name)


def is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def statements_after_docstring(fn: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = fn.body
    if not isinstance(body, cst.IndentedBlock):
        return []
    stmts = list(body.body)
    return stmts[1:] if stmts and is_docstring(stmts[0]) else stmts


def wrap_function_body(around: Callable[[cst.IndentedBlock], cst.BaseCompoundStatement]) -> Rewrite:
    """A rewrite of a function whose statements after the docstring go into the one compound
    statement ``around`` builds over them (``with ...:``, ``try: ... finally:``)."""

    def rewrite(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.FunctionDef)
        assert isinstance(node.body, cst.IndentedBlock)
        stmts = list(node.body.body)
        head = stmts[:1] if stmts and is_docstring(stmts[0]) else []
        wrapped = around(cst.IndentedBlock(body=stmts[len(head) :]))
        return node.with_changes(body=node.body.with_changes(body=[*head, wrapped]))

    return rewrite


_IDENT = re.compile(r"[^0-9A-Za-z_]+")


def identifier_for(agent_id: str) -> str:
    """``support-bot`` -> ``support_bot_agent`` (always a valid, non-keyword identifier)."""
    import keyword

    base = _IDENT.sub("_", agent_id).strip("_").lower() or "app"
    if base[0].isdigit():
        base = f"a_{base}"
    name = f"{base}_agent"
    return f"{name}_" if keyword.iskeyword(name) else name


class Rewriter(cst.CSTTransformer):
    """Applies a :class:`Plan` to the module it was computed on (matching by node identity)."""

    def __init__(self, plan: Plan, import_index: int, enter: set[int] | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.import_index = import_index
        # id() of the nodes on a path to an edit (None: all). libcst rebuilds every node it
        # enters; below an edited node a rewrite receives the original subtree anyway.
        self.enter = enter

    def on_visit(self, node: cst.CSTNode) -> bool:
        return self.enter is None or id(node) in self.enter

    def on_leave(  # type: ignore[override]  # libcst types it generically (node in, same out)
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        node = updated_node
        for fn in self.plan.rewrites.get(id(original_node), ()):
            node = fn(node)
        if isinstance(original_node, (cst.Module, cst.IndentedBlock)):
            node = self._insert_after(original_node, node)
        if isinstance(original_node, cst.Module):
            node = self._add_top_imports(original_node, node)  # type: ignore[arg-type]
        return node

    def _insert_after(
        self, original: cst.Module | cst.IndentedBlock, updated: cst.CSTNode
    ) -> cst.CSTNode:
        touched = self.plan.insert_after.keys() | self.plan.remove
        if not any(id(s) in touched for s in original.body):
            return updated
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []  # comments above a removed statement stay
        for orig, new in zip(original.body, updated.body, strict=True):  # type: ignore[attr-defined]
            if id(orig) in self.plan.remove:
                carried.extend(new.leading_lines)
                continue
            if carried:
                new = new.with_changes(leading_lines=[*carried, *new.leading_lines])
                carried = []
            body.append(new)
            body.extend(self.plan.insert_after.get(id(orig), ()))
        if not body:
            body.append(cst.SimpleStatementLine([cst.Pass()]))
        return updated.with_changes(body=body)

    def _add_top_imports(self, original: cst.Module, node: cst.Module) -> cst.Module:
        if not self.plan.top_imports:
            return node
        body = list(node.body)
        # ``import_index`` counts original statements; insertions after them shift it.
        index = sum(
            1 + len(self.plan.insert_after.get(id(s), ()))
            for s in original.body[: self.import_index]
        )
        new = list(self.plan.top_imports)
        if index > 0 and not _is_import(body[index - 1]):
            # Right after a docstring or __future__ import: keep a blank line before ours.
            new[0] = new[0].with_changes(leading_lines=[cst.EmptyLine()])
        elif index == 0 and body and not body[0].leading_lines:
            body[0] = body[0].with_changes(leading_lines=[cst.EmptyLine()])
        return node.with_changes(body=[*body[:index], *new, *body[index:]])


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _is_future(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.ImportFrom)
        and dotted(stmt.body[0].module) == "__future__"
    )


def import_index(module: cst.Module) -> int:
    """Where new module-level imports go: after the docstring, ``from __future__`` imports and
    the leading run of imports (so they precede any code that builds a client)."""
    body = module.body
    i = 0
    if i < len(body) and is_docstring(body[i]):
        i += 1
    while i < len(body) and _is_future(body[i]):
        i += 1
    j = i
    while j < len(body) and _is_import(body[j]):
        j += 1
    return j
