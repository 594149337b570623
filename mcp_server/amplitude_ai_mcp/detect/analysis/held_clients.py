"""Clients held in containers: the field of a deps container an agent tool reads
(``ctx.deps.openai``), the entry of a dict of clients (``CLIENTS["openai"]``), and what an
attribute-forwarding proxy stands in for (``__getattr__`` returning ``getattr(self._real,
name)``, or a provider module loaded with ``importlib.import_module``).

A layer of the analyzer below :class:`.client_flow.ClientFlow`, which asks these questions
while it types an expression and answers the ones asked back here (what an expression, a
function or a list of bindings holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst
from libcst.metadata import GlobalScope, QualifiedNameSource

from amplitude_ai_mcp.detect import providers as P

from .base import AnalyzerBase
from .cst_shapes import _argument, _is_self
from .fast_metadata import FastScopeProvider
from .values import (
    AttrPath,
    ClientTable,
    ClientType,
    EntryOf,
    ExternalRef,
    FieldOf,
    Value,
    _Item,
    _ParamOf,
    entry_for,
)


class HeldClients(AnalyzerBase):
    # Answered by ClientFlow (the layer above): what an expression, a name's bindings or a
    # function of this module holds, and who calls what.
    def _type_of(self, node: cst.BaseExpression) -> Value:
        raise NotImplementedError

    def _first_known(self, values: Sequence[cst.BaseExpression | Value | _Item]) -> Value:
        raise NotImplementedError

    def _returned_by(self, func: cst.Name) -> Value:
        raise NotImplementedError

    def _index_callers(self) -> dict[str, list[tuple[cst.Call, int]]]:
        raise NotImplementedError

    # ------------------------------------------------------------------ deps containers

    def _deps_field(
        self, holder: cst.BaseExpression, field_name: str, node: cst.Attribute
    ) -> Value:
        """``ctx.deps.<field>`` where ``Deps``, a class of this module, is named by the
        annotation ``ctx: RunContext[Deps]`` or by the agent the function is a tool of
        (``@agent.tool`` with ``agent = Agent(..., deps_type=Deps)``, pydantic-ai): the
        field's declared client, else the client every construction of ``Deps`` here passes
        for it."""
        if not isinstance(holder, cst.Name):
            return None
        scope = self.get_metadata(FastScopeProvider, holder, None)
        annotation = tool = None
        while scope is not None and annotation is None and tool is None:
            annotation = self._annotations.get((scope, holder.value))
            tool = self._tool_of.get((scope, holder.value))
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        named: cst.Name | None = None
        if isinstance(annotation, cst.Subscript) and annotation.slice:
            element = annotation.slice[0].slice
            if isinstance(element, cst.Index) and isinstance(element.value, cst.Name):
                named = element.value
        elif tool is not None:
            named = self._agent_deps_type(tool)
        if named is None:
            return None
        deps_class = named.value
        if deps_class not in self._bases:
            for qn, source in self._qualnames(named):
                if source is QualifiedNameSource.IMPORT:  # another module's class
                    return FieldOf(qn, field_name)
            return None
        values = self._attr_bindings.get((deps_class, field_name))
        typed = self._first_known(values) if values else None
        if isinstance(typed, ClientType):
            return replace(typed, resolved_by="annotation")
        proven = self._proven_field(deps_class, field_name)
        if proven is None:  # the evidence of the probable site says why
            self._unproven[id(node)] = (
                f"the constructions of {deps_class} in this module do not all pass a client of "
                f"one provider for `{field_name}` (or there are none)"
            )
        return proven

    def _agent_deps_type(self, agent: cst.BaseExpression) -> cst.Name | None:
        """``agent = Agent(..., deps_type=Deps)`` -> ``Deps`` (``agent`` a name of this
        module bound once)."""
        if not isinstance(agent, cst.Name):
            return None
        scope = self.get_metadata(FastScopeProvider, agent, None)
        bound = self._bindings.get((scope, agent.value), []) if scope is not None else []
        if len(bound) != 1 or not isinstance(bound[0], cst.Call):
            return None
        made = bound[0]
        if not any(qn.endswith(".Agent") for qn, _ in self._qualnames(made.func)):
            return None
        deps = _argument(made, -1, "deps_type")
        return deps if isinstance(deps, cst.Name) else None

    def _proven_field(self, cls: str, field_name: str) -> Value:
        """The client every construction of dataclass-like ``cls`` in this module passes for
        ``field_name`` (by keyword, or by position among the declared fields). None when a
        construction passes something else, or none is made here: no proof."""
        # By position only when the class inherits no fields (a base's come first).
        fields = [] if cls in self._derived else self._fields.get(cls, [])
        index = fields.index(field_name) if field_name in fields else -1
        if self._callers is None:
            self._callers = self._index_callers()
        found: ClientType | None = None
        for call, _implicit in self._callers.get(f"{cls}.__init__", ()):
            arg = _argument(call, index, field_name)
            typed = self._type_of(arg) if arg is not None else None
            if not isinstance(typed, ClientType):
                return None
            if found is not None and (found.family, found.provider) != (
                typed.family,
                typed.provider,
            ):
                return None  # constructions disagree
            if found is None or (found.instrumented and not typed.instrumented):
                found = typed
        if found is None:
            return None
        return replace(found, module_level_line=None, resolved_by="argument")

    # ------------------------------------------------------------------ dicts of clients

    def _with_items(
        self, values: Sequence[cst.BaseExpression | Value | _Item], holder: tuple[object, str]
    ) -> Value:
        """A name's value (``values``: what is bound to it), with the items assigned into it
        when it is a dict (``CLIENTS = {}`` then ``CLIENTS["openai"] = OpenAI()``)."""
        typed = self._first_known(values)
        items = self._items.get(holder)
        if not items or not (typed is None or isinstance(typed, ClientTable)):
            return typed
        added = self._client_table([(_literal(key), value) for key, value in items])
        if not isinstance(added, ClientTable):
            return typed
        if typed is None:  # a dict of no client yet, or something we do not know
            known = all(isinstance(v, cst.Dict) for v in values)
            return ClientTable(added.entries, added.opaque or not known)
        return ClientTable((*typed.entries, *added.entries), typed.opaque or added.opaque)

    def _client_table(self, pairs: Sequence[tuple[str | None, cst.BaseExpression | None]]) -> Value:
        """A dict whose values include clients (None when none is one)."""
        entries: list[tuple[str | None, ClientType]] = []
        opaque = False
        for key, value in pairs:
            typed = self._type_of(value) if value is not None else None
            if isinstance(typed, ClientType):
                entries.append((key, typed))
            else:
                opaque = True
        return ClientTable(tuple(entries), opaque) if entries else None

    # ------------------------------------------------------------------ forwarding proxies

    def _proxied(self, cls: str, call: cst.Call) -> Value:
        """What an instance of ``cls`` built by ``call`` stands in for, when the class forwards
        attribute access (``def __getattr__(self, name): return getattr(self._real, name)``):
        the client (or provider module) the forwarded attribute holds for this instance."""
        for returned in self._method_returns.get((cls, "__getattr__"), ()):
            if (
                isinstance(returned, cst.Call)
                and isinstance(returned.func, cst.Name)
                and returned.func.value == "getattr"
                and len(returned.args) == 2
            ):
                held = self._held_by(cls, returned.args[0].value, call, 0)
                if isinstance(held, ClientType):
                    return replace(held, module_level_line=None, resolved_by="factory")
                if isinstance(held, ExternalRef):
                    return held
        return None

    def _held_by(self, cls: str, expr: cst.BaseExpression, call: cst.Call, depth: int) -> Value:
        """The value of ``expr`` (code of ``cls``) in the instance ``call`` builds."""
        if depth > 4:
            return None
        if isinstance(expr, cst.Attribute) and _is_self(expr.value):
            for bound in self._attr_bindings.get((cls, expr.attr.value), ()):
                typed = (
                    self._held_by(cls, bound, call, depth + 1)
                    if isinstance(bound, cst.BaseExpression)
                    else bound
                )
                if isinstance(typed, (ClientType, ExternalRef)):
                    return typed
            return None
        if isinstance(expr, cst.Call):
            if any(qn == "importlib.import_module" for qn, _ in self._qualnames(expr.func)):
                name = _literal(self._outside(cls, _argument(expr, 0, "name"), call, depth))
                top = (name or "").split(".")[0]
                return ExternalRef(name) if name and top in P.PROVIDER_MODULES else None
            factory = self._outside(cls, expr.func, call, depth)
            if factory is not expr.func:
                return self._made_by(factory)
        outside = self._outside(cls, expr, call, depth)
        return self._type_of(outside) if outside is not None else None

    def _outside(
        self, cls: str, expr: cst.BaseExpression | None, call: cst.Call, depth: int
    ) -> cst.BaseExpression | None:
        """The expression at the construction ``call`` that ``expr`` (code of ``cls``)
        stands for: a parameter of ``__init__`` is the argument passed for it, ``self.x`` the
        one expression assigned to it. Anything else is itself."""
        if depth > 4 or expr is None:
            return expr
        if isinstance(expr, cst.Attribute) and _is_self(expr.value):
            assigned = [
                b
                for b in self._attr_bindings.get((cls, expr.attr.value), ())
                if isinstance(b, cst.BaseExpression)
                and not (isinstance(b, cst.Name) and b.value == "None")
            ]
            return self._outside(cls, assigned[0], call, depth + 1) if len(assigned) == 1 else expr
        if isinstance(expr, cst.Name):
            scope = self.get_metadata(FastScopeProvider, expr, None)
            for bound in self._bindings.get((scope, expr.value), ()) if scope else ():
                if isinstance(bound, _ParamOf) and bound.callee == f"{cls}.__init__":
                    return _argument(call, bound.index - 1, bound.name)
        return expr

    def _made_by(self, factory: cst.BaseExpression | None) -> Value:
        """What calling ``factory`` (an argument: a lambda, a client class, a function of this
        module) returns."""
        if isinstance(factory, cst.Lambda):
            return self._type_of(factory.body)
        if isinstance(factory, (cst.Name, cst.Attribute)):
            for qn, _ in self._qualnames(factory):
                found = self._client_from_qualname(qn, "factory")
                if found is not None:
                    return replace(found, built_line=self._line(factory))
            if isinstance(factory, cst.Name):
                return self._returned_by(factory)
        return None


def _literal(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _looked_up(table: Value, key: cst.BaseExpression | None) -> Value:
    """``table[key]`` / ``table.get(key)``: on this module's dict, its entry; on another
    module's name, an entry to look up there."""
    if isinstance(table, ClientTable):
        return entry_for(table, _literal(key))
    if isinstance(table, AttrPath) and isinstance(table.base, ExternalRef):
        table = ExternalRef(".".join([table.base.qualname, *table.segments]), table.base.called)
    if isinstance(table, ExternalRef) and not table.called:
        return EntryOf(table, _literal(key))
    return None
