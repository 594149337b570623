"""Which expressions hold an LLM client: local bindings, attributes of a class, calls of
constructors and factories, and the inter-procedural flow inside the module (returned
values, parameters traced to their callers, deps containers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst
from libcst.metadata import (
    ClassScope,
    GlobalScope,
    QualifiedNameSource,
)

from amplitude_ai_mcp.detect import providers as P

from .base import _MAX_CHAIN, AnalyzerBase
from .cst_shapes import _BUILTINS, _argument, _expressions_in, _is_self, _string_arg
from .fast_metadata import FastScopeProvider
from .values import (
    _SDK_AGENT,
    _SDK_AI,
    PARAM,
    AttrPath,
    ClientTable,
    ClientType,
    EntryOf,
    ExternalRef,
    FieldOf,
    FunctionRef,
    OneOf,
    Value,
    _called,
    _Item,
    _library_ref,
    _Param,
    _ParamOf,
    _sdk_stand_in,
    entry_for,
)


class ClientFlow(AnalyzerBase):
    def _lookup(self, node: cst.Name) -> Value:
        name = node.value
        scope = self.get_metadata(FastScopeProvider, node, None)
        start = scope
        while scope is not None:
            skip_class = isinstance(scope, ClassScope) and scope is not start
            if not skip_class and name in scope.assignments:
                values = self._bindings.get((scope, name))
                if values:
                    return self._with_items(values, (scope, name))
                # Bound by import, def, class, loop target...: ask the qualified names.
                for qn, source in self._qualnames(node):
                    if source is QualifiedNameSource.IMPORT:
                        fn = P.module_function(qn)
                        if fn is not None:
                            return FunctionRef(fn)
                        return ExternalRef(qn)
                    if source is QualifiedNameSource.LOCAL and isinstance(scope, GlobalScope):
                        # A module-level def/class: a factory in this module (``name()``).
                        return ExternalRef(f"{self.result.module}.{qn}")
                return None
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        return None

    def _first_known(self, values: Sequence[cst.BaseExpression | Value | _Item]) -> Value:
        fallback: Value = None
        for value in values:
            if isinstance(value, _Item):
                typed = self._type_of_item(value)
            elif isinstance(value, cst.CSTNode):
                typed = self._type_of(value)
            else:
                typed = value
            if isinstance(typed, _ParamOf):
                typed = self._traced_param(typed)
            if isinstance(typed, ClientType):
                return typed
            if typed is not None and fallback is None:
                fallback = typed
        return fallback

    def _type_of(self, node: cst.BaseExpression) -> Value:
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:  # recursive definitions (x = x.with_options())
            return None
        self._in_progress.add(key)
        try:
            value = self._compute_type(node)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = value
        return value

    def _compute_type(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, cst.Name):
            return self._lookup(node)
        if isinstance(node, cst.Attribute):
            return self._type_of_attribute(node)
        if isinstance(node, cst.Call):
            return self._type_of_call(node)
        if isinstance(node, cst.Await):
            return self._type_of(node.expression)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            project_ref = None
            for side in (node.left, node.right):
                typed = self._type_of(side)
                if isinstance(typed, ClientType) and typed.family == "langchain":
                    return typed
                if isinstance(typed, ExternalRef) and not _library_ref(typed):
                    project_ref = project_ref or typed  # ``prompt | make_model()``: resolved later
            return project_ref
        if isinstance(node, cst.Dict):
            return self._client_table(
                [
                    (_literal(e.key), e.value) if isinstance(e, cst.DictElement) else (None, None)
                    for e in node.elements
                ]
            )
        if isinstance(node, cst.Subscript):
            table = self._type_of(node.value)
            if len(node.slice) != 1:
                return None
            index = node.slice[0].slice
            return _looked_up(table, index.value if isinstance(index, cst.Index) else None)
        if isinstance(node, cst.IfExp):
            return self._first_known([node.body, node.orelse])
        if isinstance(node, cst.BooleanOperation):
            return self._first_known([node.left, node.right])
        return None

    def _type_of_attribute(self, node: cst.Attribute) -> Value:
        attr = node.attr.value
        base = node.value
        if isinstance(base, cst.Name) and base.value in ("self", "cls"):
            cls = self._self_class.get(id(node))
            seen: set[str] = set()
            pending = [cls] if cls else []
            while pending:  # the class, then its bases defined in this module
                current = pending.pop(0)
                if current in seen:
                    continue
                seen.add(current)
                values = self._attr_bindings.get((current, attr))
                if values:
                    return self._with_items(values, (current, attr))
                if (current, attr) in self._properties:  # @property def client(self): ...
                    return self._property_value(current, attr)
                pending.extend(self._bases.get(current, ()))
            # Never assigned here (set by a base class elsewhere, or injected): judge by usage.
            return PARAM
        if isinstance(base, cst.Attribute) and base.attr.value == "deps":
            held = self._deps_field(base.value, attr, node)
            if held is not None:
                return held
        # ``litellm.completion`` / ``openai.ChatCompletion.create`` / ``agents.Runner.run``
        for qn, source in self._qualnames(node):
            if source is QualifiedNameSource.IMPORT:
                fn = P.module_function(qn)
                if fn is not None:
                    return FunctionRef(fn)
        base_value = self._type_of(base)
        if isinstance(base_value, ExternalRef) and not base_value.called:
            fn = P.module_function(f"{base_value.qualname}.{attr}")
            if fn is not None:  # a module proxy standing in for ``litellm``
                return FunctionRef(fn)
        if isinstance(base_value, AttrPath):
            if len(base_value.segments) >= _MAX_CHAIN:
                return None
            return AttrPath(base_value.base, (*base_value.segments, attr))
        if isinstance(base_value, (ClientType, OneOf, EntryOf, FieldOf, _Param)):
            return AttrPath(base_value, (attr,))
        if isinstance(base_value, ExternalRef):
            # ``clients.llm.chat...``: which segments name a module attribute and which are
            # methods is only known once the other modules are analysed (see resolve).
            return AttrPath(base_value, (attr,))
        if base_value is None and isinstance(base, cst.Name) and not self._is_bound(base):
            return AttrPath(PARAM, (attr,))  # a free name (injected global): judge by usage
        return None

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

    def _is_bound(self, node: cst.Name) -> bool:
        scope = self.get_metadata(FastScopeProvider, node, None)
        while scope is not None:
            if node.value in scope.assignments:
                return True
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        return node.value in _BUILTINS

    def _type_of_call(self, node: cst.Call) -> Value:
        func = node.func
        qualnames = self._qualnames(func)
        for qn, source in qualnames:
            if source is QualifiedNameSource.BUILTIN:
                if qn == "dict" and not any(a.keyword is None for a in node.args):
                    return self._client_table(  # dict(openai=OpenAI(), claude=Anthropic())
                        [(a.keyword.value if a.keyword else None, a.value) for a in node.args]
                    )
                return None
            found = self._constructed(node, qn)
            if found is not None:
                return found
        # boto3.Session().client("bedrock-runtime") and friends (registry factories).
        if isinstance(func, cst.Attribute) and func.attr.value == "client":
            service = P.SERVICE_CLIENTS.get(_string_arg(node, 0, "service_name") or "")
            if service is not None:
                return ClientType(
                    service[0],
                    service[1],
                    "provider",
                    False,
                    "boto3.client",
                    module_level_line=self._module_level_line(node),
                    built_line=self._line(node),
                )
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
        ):
            made = self._method_factory(func)
            if made is not None:
                return made
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            table = self._type_of(func.value)  # CLIENTS.get("openai")
            if isinstance(table, (ClientTable, ExternalRef, AttrPath)):
                looked_up = _looked_up(table, _argument(node, 0, "key"))
                if looked_up is not None:
                    return looked_up
        func_value = self._type_of(func)
        if (
            isinstance(func, cst.Name)
            and func.value in self._bases
            and func_value == ExternalRef(f"{self.result.module}.{func.value}")
        ):
            proxied = self._proxied(func.value, node)
            if proxied is not None:
                return proxied
        if (
            isinstance(func_value, AttrPath)
            and func_value.base in (_SDK_AI, _SDK_AGENT)
            and func_value.segments in (("agent",), ("child",))
        ):
            return _SDK_AGENT  # ai.agent("id") / agent.child("id")
        if isinstance(func_value, AttrPath) and isinstance(func_value.base, ClientType):
            base = func_value.base
            method = ".".join(func_value.segments)  # ``chats.create`` makes a chat session
            derived = P.DERIVED.get((base.family, method))
            if derived is not None:
                family = P.FAMILIES[derived]
                return replace(base, family=family.name, origin=f"{base.origin}.{method}")
            if method in P.FAMILIES[base.family].chaining:
                return base
            return None
        if (
            isinstance(func_value, AttrPath)
            and isinstance(func_value.base, ExternalRef)
            and not func_value.base.called
        ):
            return _called(".".join([func_value.base.qualname, *func_value.segments]))
        if isinstance(func_value, ExternalRef) and not func_value.called:
            return _called(func_value.qualname)
        if (
            isinstance(func_value, AttrPath)
            and isinstance(func_value.base, ExternalRef)
            and len(func_value.segments) == 1
        ):  # ``Crews().crew()``: what another module's class method returns (its exports)
            return ExternalRef(f"{func_value.base.qualname}.{func_value.segments[0]}", called=True)
        if isinstance(func, cst.Name) and func_value is None:
            # A function of this module: its return value.
            return self._returned_by(func)
        return None

    def _constructed(self, node: cst.Call, qualname: str) -> Value:
        """The value made by calling ``qualname``: a client, a wrapped client, or None."""
        if qualname.startswith(f"{P.SDK_MODULE}."):
            last = qualname.rsplit(".", 1)[-1]
            if last == P.SDK_WRAP and node.args:
                inner = self._type_of(node.args[0].value)
                if isinstance(inner, ClientType):
                    return replace(inner, instrumented=f"wrapped with {qualname}()")
                return None
        cls = P.client_class(qualname)
        sdk = _sdk_stand_in(qualname)
        if sdk is not None:
            cls = P.client_class(sdk)
        if cls is None:
            return None
        if (
            cls.service_arg is not None
            and sdk is None  # amplitude_ai.Bedrock(...) builds only that service
            and _string_arg(node, 0, "service_name") != cls.service_arg
        ):
            return None
        instrumented = f"{qualname} is the SDK's instrumented client" if sdk else None
        if instrumented is None and cls.kind == "framework" and self._passes_sdk_object(node):
            instrumented = "an amplitude_ai callback/handler is passed to the constructor"
        return ClientType(
            cls.family,
            cls.provider,
            cls.kind,
            cls.is_async,
            qualname,
            instrumented,
            self._module_level_line(node),
            built_line=self._line(node),
        )

    def _property_value(self, cls: str, name: str) -> Value:
        """What ``@property`` / ``@cached_property`` method ``name`` of ``cls`` returns."""
        typed = self._first_known(list(self._method_returns.get((cls, name), ())))
        if isinstance(typed, ClientType):
            return replace(typed, module_level_line=None, resolved_by="factory")
        if isinstance(typed, ExternalRef) and not _library_ref(typed):
            return typed  # a factory of another project module: resolved there
        return PARAM  # as for any attribute not known here: judged by usage

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

    # ------------------------------------------------------------------ inter-procedural flow

    def _returned_exprs(self, func: cst.BaseExpression) -> list[cst.BaseExpression]:
        """Return expressions of the function/method ``func`` names (this module only)."""
        if isinstance(func, cst.Name):
            scope = self.get_metadata(FastScopeProvider, func, None)
            while scope is not None:
                values = self._returns.get((scope, func.value))
                if values:
                    return values
                if isinstance(scope, GlobalScope):
                    break
                scope = scope.parent
            return []
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
        ):
            cls = self._self_class.get(id(func))
            seen: set[str] = set()
            pending = [cls] if cls else []
            while pending:  # the class, then its bases in this module
                current = pending.pop(0)
                if current in seen:
                    continue
                seen.add(current)
                values = self._method_returns.get((current, func.attr.value))
                if values:
                    return values
                pending.extend(self._bases.get(current, ()))
        return []

    def _type_of_item(self, item: _Item) -> Value:
        for returned in self._returned_exprs(item.call.func):
            if isinstance(returned, (cst.Tuple, cst.List)) and item.index < len(returned.elements):
                typed = self._type_of(returned.elements[item.index].value)
                if isinstance(typed, ClientType):
                    return replace(typed, module_level_line=None, resolved_by="factory")
        return None

    def _method_factory(self, func: cst.Attribute) -> Value:
        """``self.get_client(...)``: what the method returns."""
        values = self._returned_exprs(func)
        if not values:
            return None
        typed = self._first_known(list(values))
        if isinstance(typed, ClientType):
            return replace(typed, module_level_line=None, resolved_by="factory")
        return None

    def _index_callers(self) -> dict[str, list[tuple[cst.Call, int]]]:
        """Calls of this module's functions, methods and constructors: callee key ->
        (call, how many leading parameters the call binds implicitly: self)."""
        found: dict[str, list[tuple[cst.Call, int]]] = {}
        for call, _ in self._calls:
            func = call.func
            if isinstance(func, cst.Name):
                if func.value in self._bases:  # a class of this module: its __init__
                    found.setdefault(f"{func.value}.__init__", []).append((call, 1))
                else:
                    found.setdefault(func.value, []).append((call, 0))
            elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                cls = self._self_class.get(id(func))
                if cls is not None:
                    found.setdefault(f"{cls}.{func.attr.value}", []).append((call, 1))
        return found

    def _traced_param(self, param: _ParamOf) -> Value:
        """The client the callers of ``param``'s function pass for it, else ``param``."""
        if self._callers is None:
            self._callers = self._index_callers()
        key = id(param)
        if key in self._tracing:
            return param
        self._tracing.add(key)
        try:
            for call, implicit in self._callers.get(param.callee, ()):
                arg = _argument(call, param.index - implicit, param.name)
                if arg is None:
                    continue
                typed = self._type_of(arg)
                if isinstance(typed, ClientType):
                    return replace(typed, module_level_line=None, resolved_by="argument")
        finally:
            self._tracing.discard(key)
        return param

    def _returned_by(self, func: cst.Name) -> Value:
        scope = self.get_metadata(FastScopeProvider, func, None)
        while scope is not None:
            values = self._returns.get((scope, func.value))
            if values:
                typed = self._first_known(list(values))
                if isinstance(typed, ClientType):
                    return replace(typed, module_level_line=None, resolved_by="factory")
                return typed
            if isinstance(scope, GlobalScope):
                break
            scope = scope.parent
        return None

    def _module_level_line(self, node: cst.CSTNode) -> int | None:
        if id(node) in self._in_function:
            return None
        return self._line(node)

    def _passes_sdk_object(self, node: cst.Call) -> bool:
        for arg in node.args:
            for sub in _expressions_in(arg.value):
                for qn, _ in self._qualnames(sub):
                    if qn.startswith(f"{P.SDK_MODULE}."):
                        return True
        return False

    # ------------------------------------------------------------------ site extraction


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
