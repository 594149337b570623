"""A read-only walk of a libcst tree: a visitor's hooks are called in exactly the order
``node.visit(visitor)`` calls them, but no node is rebuilt.

libcst visits a node through ``_visit_and_replace_children``, which constructs (and
validates) a fresh copy of every node it passes, also for read-only :class:`CSTVisitor`\\s
that throw the copies away: that is most of the cost of each of a plan's passes (the scope
and expression-context metadata, the analyzer, the codemods' facts). :func:`walk` reads
the children in place instead.

The order of a node's children is libcst's own: recorded once per node class by letting
``_visit_and_replace_children`` run over one instance with a visitor that records which
fields it enters (and descends into none). ``tests/mcp/test_tree_walk.py`` checks, over a
syntax zoo, standard-library modules and this repository's sources, that the hooks fire in
the same order with the same nodes as libcst's traversal.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable
from typing import Any

import libcst as cst

_Hook = Callable[[Any, cst.CSTNode], Any]
_Entry = tuple["_Hook | None", "_Hook | None", bool, tuple[tuple[str, bool], ...]]


class _FieldRecorder(cst.CSTVisitor):
    """Records the fields ``_visit_and_replace_children`` enters, without descending."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


# Per node class: (field, entered only when it holds something) in libcst's visiting order.
# Two threads may record the same class at once: both find the same order.
_FIELDS: dict[type[cst.CSTNode], tuple[tuple[str, bool], ...]] = {}


# Fields libcst enters only when they hold something (a conditional in the node's
# ``_visit_and_replace_children``; every other field's hooks fire also for None). A test
# reads libcst's source for such conditionals, so a libcst release that adds one fails it.
ENTERED_ONLY_WHEN_SET = frozenset({"format_spec"})


def _fields_of(node: cst.CSTNode) -> tuple[tuple[str, bool], ...]:
    """The fields of ``type(node)`` in libcst's visiting order, each with whether it is
    entered only when set. Such a field may be unset on the instance recorded: it then
    goes last, where libcst visits it (the last field of its node)."""
    cls = type(node)
    found = _FIELDS.get(cls)
    if found is not None:
        return found
    recorder = _FieldRecorder()
    node._visit_and_replace_children(recorder)
    seen = list(dict.fromkeys(recorder.fields))
    missing = [
        f.name
        for f in dataclasses.fields(cls)
        if f.name in ENTERED_ONLY_WHEN_SET and f.name not in seen
    ]
    order = tuple((name, name in ENTERED_ONLY_WHEN_SET) for name in (*seen, *missing))
    _FIELDS[cls] = order
    return order


_LIBCST_BASES = frozenset(cst.CSTVisitor.__mro__)  # CSTVisitor and its no-op hook stubs


class _Dispatch:
    """A visitor class's hooks and each node class's fields, in one table entry per node
    class (one dict look-up per node visited). libcst's base classes define a no-op stub for
    every hook: those count as absent (nothing to call)."""

    def __init__(self, visitor_cls: type[cst.CSTVisitor]) -> None:
        base = cst.CSTVisitor
        self.cls = weakref.ref(visitor_cls)  # the table must not keep its key alive
        # A visitor that overrides on_visit / on_leave (libcst's ScopeVisitor does) is called
        # through them; otherwise its visit_X / leave_X are called directly.
        self.own_on_visit = visitor_cls.on_visit is not base.on_visit
        self.own_on_leave = visitor_cls.on_leave is not base.on_leave
        self.own_attribute_hooks = (
            visitor_cls.on_visit_attribute is not base.on_visit_attribute
            or visitor_cls.on_leave_attribute is not base.on_leave_attribute
        )
        # The hook names the visitor's own classes define (visitors are often classes local
        # to a function, built per call: dir() of a CSTVisitor lists ~2,000 stubs).
        self.own_names = {
            name
            for klass in visitor_cls.__mro__
            if klass not in _LIBCST_BASES
            for name in vars(klass)
            if name.startswith(("visit_", "leave_"))
        }
        self.entries: dict[type, _Entry] = {}

    def _hook(self, name: str) -> _Hook | None:
        cls = self.cls()
        return getattr(cls, name) if cls is not None and name in self.own_names else None

    def entry_for(self, node: cst.CSTNode) -> _Entry:
        """(visit hook, leave hook, has attribute hooks, fields) for ``type(node)``."""
        kind = type(node).__name__
        prefix = (f"visit_{kind}_", f"leave_{kind}_")
        entry = (
            self._hook(f"visit_{kind}"),
            self._hook(f"leave_{kind}"),
            self.own_attribute_hooks or any(n.startswith(prefix) for n in self.own_names),
            _FIELDS.get(type(node)) or _fields_of(node),
        )
        self.entries[type(node)] = entry
        return entry


# Keyed weakly: a visitor class local to a function is a new class per call.
_DISPATCH: weakref.WeakKeyDictionary[type, _Dispatch] = weakref.WeakKeyDictionary()
_DISPATCH_LOCK = threading.Lock()

# What a field's value is, by its type: CSTNode is an ABC, and an isinstance() check against
# it on every field of every node costs more than the rest of the walk.
_LEAF, _NODE, _SEQUENCE = 0, 1, 2
_KIND: dict[type, int] = {tuple: _SEQUENCE, list: _SEQUENCE, type(None): _LEAF, str: _LEAF}


def _kind_of(value: object) -> int:
    kind = _NODE if isinstance(value, cst.CSTNode) else _LEAF
    _KIND[type(value)] = kind
    return kind


def _dispatch_for(visitor: cst.CSTVisitor) -> _Dispatch:
    cls = type(visitor)
    with _DISPATCH_LOCK:  # plans of different files run in parallel threads
        found = _DISPATCH.get(cls)
        if found is None:
            found = _Dispatch(cls)
            _DISPATCH[cls] = found
    return found


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a read-only ``visitor``, without rebuilding the tree."""
    if isinstance(visitor, cst.CSTTransformer):  # pragma: no cover - a programming error
        raise TypeError("walk() is for read-only visitors; transformers need node.visit()")
    _walk(node, visitor, _dispatch_for(visitor))


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, d: _Dispatch) -> None:
    node_cls = type(node)
    entry = d.entries.get(node_cls)
    if entry is None:
        entry = d.entry_for(node)
    visit, leave, attribute_hooks, fields = entry
    if d.own_on_visit:
        descend = visitor.on_visit(node)
    else:
        descend = visit is None or visit(visitor, node) is not False
    if descend:
        for name, optional in fields:
            value = getattr(node, name)
            if optional and value is None:
                continue
            kind = _KIND.get(type(value))
            if kind is None:
                kind = _kind_of(value)
            if attribute_hooks:
                visitor.on_visit_attribute(node, name)
            if kind == _NODE:
                _walk(value, visitor, d)
            elif kind == _SEQUENCE:
                for child in value:
                    _walk(child, visitor, d)
            if attribute_hooks:
                visitor.on_leave_attribute(node, name)
    if d.own_on_leave:
        visitor.on_leave(node)
    elif leave is not None:
        leave(visitor, node)
