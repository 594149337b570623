"""The read-only walk (``detect/analysis/tree_walk.py``) and the metadata built on it must be
indistinguishable from libcst's own traversal and providers: the same hooks, in the same
order, with the same nodes; the same scopes, qualified names, accesses and positions.

Checked over a syntax zoo (every statement and expression form libcst models, 3.12+ syntax
included: libcst parses it on any Python), the standard library's modules and this
repository's own sources."""

from __future__ import annotations

import ast
import inspect
import sysconfig
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
    ScopeProvider,
)

from amplitude_ai_mcp.detect.analysis.fast_metadata import (
    FastPositionProvider,
    FastScopeProvider,
    FastWrapper,
)
from amplitude_ai_mcp.detect.analysis.tree_walk import ENTERED_ONLY_WHEN_SET, walk

REPO = Path(__file__).resolve().parents[2]

ZOO = '''\
"""Module docstring."""
from __future__ import annotations
import os, sys as system
from . import sibling
from ..pkg.mod import (a as b, c)
from x import *
type Alias[T: int = str, *Ts, **P] = list[T]
@decorator(arg)
@other.attr
async def f[T](a, /, b: int = 1, *args: T, c, d=2, **kw) -> "T":
    global G
    x: int
    y: list[int] = [i async for i in aiter() if i if not i]
    z = {k: v for k, v in kw.items()}
    s = {e for e in args}
    g = (n for n in range(3))
    async with ctx() as (p, q), other():
        await p
    async for item in stream():
        yield item
    del x, y[0], z.k
    return lambda m, *n, o=1, **p: m
def outer():
    v = 1
    def inner():
        nonlocal v
        v += 1
        return v
    return inner
class C[T](Base, metaclass=Meta, **extra):
    attr: T
    def method(self) -> None:
        self.x = self.y = 3
        (a, *rest), b = value = other
        w = (walrus := 10) if walrus > 1 else -walrus
        print(f"{w!r:>{width}.{prec}} {w=} {{braces}}", t"{w}", rb"bytes" b"\\n")
        print(f"{w}", f"{w:>4}", f"{w}", t"{w:{n}}", t"{w}")
        assert w, "message"
        raise ValueError("bad") from None
try:
    pass
except* (TypeError, ValueError) as group:
    pass
else:
    pass
finally:
    pass
try:
    import json
except ImportError:
    json = None
match command:
    case [1, 2, *others] if others:
        pass
    case {"key": value, **rest}:
        pass
    case Point(x=0, y=yy) | None:
        pass
    case str() as text:
        pass
    case _:
        pass
while cond:
    if a: break
    elif b: continue
    else: pass
else:
    pass
for i, j in enumerate(x[1:2, ::3, ...]): i @= j; i **= 2
with open(p) as fh: data = fh.read()
result = a if b else c or d and not e
value = a < b <= c is not d in e not in f != g
chain = obj.method(1, *args, key=2, **kw)[0].attr
number = 1_000 + 0x1F - 1.5e3 * 2j // 3 % 4 << 1 >> 2 & 3 | 4 ^ ~5
print(*[1, 2], **{"sep": ""}); x = y = z = 0
'''


def _corpus() -> dict[str, str]:
    found = {"zoo": ZOO}
    stdlib = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    for path in stdlib[::10]:  # every 10th: ~17 modules, all kinds of real code
        if path.stat().st_size <= 120_000:
            found[f"stdlib/{path.name}"] = path.read_text(encoding="utf-8", errors="replace")
    for package in ("mcp_server/amplitude_ai_mcp", "sdk/amplitude_ai"):
        for path in sorted((REPO / package).rglob("*.py"))[::9]:
            found[str(path.relative_to(REPO))] = path.read_text(encoding="utf-8")
    return found


CORPUS = _corpus()


def _parse(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:  # a module of the stdlib newer than libcst's grammar
        pytest.skip("libcst cannot parse this module")


class _Recorder(cst.CSTVisitor):
    """Records every hook libcst's protocol calls (overrides the on_* entry points)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node), type(node).__name__))
        return not isinstance(node, cst.Lambda)  # a pruned subtree must stay pruned

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node), ""))

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.events.append(("enter", id(node), attribute))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.events.append(("exit", id(original_node), attribute))


class _Typed(cst.CSTVisitor):
    """Records through visit_X / leave_X / attribute methods (the walk's dispatch tables)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", id(node)))

    def visit_Call(self, node: cst.Call) -> bool:
        self.events.append(("call", id(node)))
        return not (isinstance(node.func, cst.Name) and node.func.value == "print")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.events.append(("def-out", id(original_node)))

    def visit_ClassDef_bases(self, node: cst.ClassDef) -> None:
        self.events.append(("bases", id(node)))

    def leave_FormattedStringExpression_format_spec(
        self, original_node: cst.FormattedStringExpression
    ) -> None:
        self.events.append(("spec-out", id(original_node)))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_walk_calls_the_hooks_libcst_calls(name: str) -> None:
    module = _parse(CORPUS[name])
    for kind in (_Recorder, _Typed):
        theirs, ours = kind(), kind()
        module.visit(theirs)
        walk(module, ours)
        assert ours.events == theirs.events, f"{kind.__name__} on {name}"
        if kind is _Recorder:  # the comparison compared something
            assert len(ours.events) > 4


def _key(scope: object) -> int:
    """A scope by the node that opens it (the module's scope has none)."""
    return id(getattr(scope, "node", None))


def test_the_fields_libcst_enters_only_when_set_are_known() -> None:
    """The walk knows which fields libcst visits conditionally (see ENTERED_ONLY_WHEN_SET);
    read them from libcst's own node classes."""
    conditional: set[str] = set()
    for cls in _node_classes(cst.CSTNode):
        method = cls.__dict__.get("_visit_and_replace_children")
        if method is None:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
        for branch in ast.walk(tree):
            if isinstance(branch, ast.IfExp):
                for call in ast.walk(branch.body):
                    if isinstance(call, ast.Call) and len(call.args) > 1:
                        field = call.args[1]
                        if isinstance(field, ast.Constant):
                            conditional.add(field.value)
    # ImportFrom.names picks visit_required or visit_sequence: entered either way.
    assert conditional - {"names"} == set(ENTERED_ONLY_WHEN_SET)


def _node_classes(base: type) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_node_classes(sub))
    return found


def _scope_view(wrapper: MetadataWrapper, provider: type) -> list[tuple[object, ...]]:
    """Everything detection reads from scopes, per node of the module, in a comparable form
    (the scope visitor also records the nodes of string annotations it parses on the fly:
    new objects on every run)."""
    scopes = wrapper.resolve(provider)
    own: set[int] = set()

    class Nodes(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            own.add(id(node))
            return True

    wrapper.module.visit(Nodes())
    view = []
    for node, scope in scopes.items():
        if id(node) not in own:
            continue
        if scope is None:
            view.append((id(node), None))
            continue
        names: tuple[str, ...] = ()
        if isinstance(node, (cst.Name, cst.Attribute, cst.Call)):
            names = tuple(sorted(str(q) for q in scope.get_qualified_names_for(node)))
        view.append((id(node), type(scope).__name__, _key(scope), names))
    return sorted(view, key=repr)


def _assignments(wrapper: MetadataWrapper, provider: type) -> list[tuple[object, ...]]:
    seen = {}
    for scope in wrapper.resolve(provider).values():
        if scope is not None and _key(scope) not in seen:
            seen[_key(scope)] = sorted(
                (a.name, id(a.node), sorted(id(r.node) for r in a.references))
                for a in scope.assignments
            )
    return sorted(seen.items())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_fast_metadata_equals_libcst_metadata(name: str) -> None:
    module = _parse(CORPUS[name])
    theirs = MetadataWrapper(module, unsafe_skip_copy=True)
    ours = FastWrapper(module, unsafe_skip_copy=True)
    assert _scope_view(ours, FastScopeProvider) == _scope_view(theirs, ScopeProvider)
    assert _assignments(ours, FastScopeProvider) == _assignments(theirs, ScopeProvider)
    assert dict(ours.resolve(FastPositionProvider)) == dict(theirs.resolve(PositionProvider))
    if theirs.resolve(ExpressionContextProvider):  # not a docstring-only module
        assert any(len(entry) > 2 for entry in _scope_view(ours, FastScopeProvider))


def test_wrapper_visit_is_read_only_walk_and_transformers_still_rebuild() -> None:
    module = _parse(ZOO)
    wrapper = FastWrapper(module, unsafe_skip_copy=True)

    class Lines(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (FastPositionProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.lines: list[int] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.lines.append(self.get_metadata(FastPositionProvider, node).start.line)

    lines = Lines()
    assert wrapper.visit(lines) is module
    assert lines.lines == [10, 23, 25, 32]

    class Rename(cst.CSTTransformer):
        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
            if original_node.value != "walrus":
                return updated_node
            return updated_node.with_changes(value="assigned")

    renamed = wrapper.visit(Rename())
    assert "walrus" not in renamed.code and "(assigned := 10)" in renamed.code
    assert "(walrus := 10)" in module.code  # the original tree is untouched


def test_visitor_classes_local_to_a_function_are_not_kept() -> None:
    """Several of our visitors are classes built per call; the walk's per-class hook tables
    must not keep them alive (a leak in a long-running server)."""
    import gc

    from amplitude_ai_mcp.detect.analysis import tree_walk

    module = _parse("def f(a):\n    return g(a, b)\n")
    found: list[str] = []
    for _ in range(50):

        class Names(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                found.append(node.value)

        walk(module, Names())
    gc.collect()
    assert found == ["f", "a", "g", "a", "b"] * 50
    assert sum(1 for cls in tree_walk._DISPATCH if cls.__name__ == "Names") <= 1
