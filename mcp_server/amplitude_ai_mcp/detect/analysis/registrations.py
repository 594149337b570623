"""What the module already does with our SDK and frameworks: ``patch()`` calls, registered
integrations, agents it defines, and the values it exports to other modules.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    GlobalScope,
)

from amplitude_ai_mcp.detect import providers as P

from .client_flow import ClientFlow
from .cst_shapes import _expressions_in, _string_arg
from .fast_metadata import FastScopeProvider
from .values import _SDK_AGENT, _SDK_AI, AttrPath, ClientType, EntryOf, FieldOf, OneOf, _Param

_PATCH_TARGETS = P.PATCH_TARGETS  # from the provider registry
# Values that mean something only where they are used (a parameter, an attribute path, a
# look-up or field still to resolve): never exported (``os.environ["KEY"]`` is everywhere).
_NOT_EXPORTED = (_Param, AttrPath, EntryOf, FieldOf, OneOf)
_AGENT_CONSTRUCTORS = {
    "agents.Agent": "openai-agents",
    "pydantic_ai.Agent": "pydantic-ai",
    "crewai.Agent": "crewai",
    "langgraph.graph.StateGraph": "langgraph",
}


class Registrations(ClientFlow):
    def _collect_patch_and_agents(self, call: cst.Call, enclosing: str | None) -> None:
        for qn, _ in self._qualnames(call.func):
            if qn.startswith(f"{P.SDK_MODULE}."):
                last = qn.rsplit(".", 1)[-1]
                if last == P.SDK_PATCH_PREFIX or last in _PATCH_TARGETS:
                    if enclosing is None:
                        self.result.patches.append((self._line(call), _PATCH_TARGETS.get(last)))
                    else:
                        self.result.patch_in_function = True
                elif qn in P.REGISTRATION_CALLS and enclosing is None:  # registers itself
                    self.result.patches.append((self._line(call), P.REGISTRATION_CALLS[qn]))
            elif (
                qn.endswith(("add_trace_processor", "set_trace_processors"))
                and self._passes_sdk_object(call)
                and enclosing is None
            ):
                self.result.patches.append((self._line(call), frozenset({"openai-agents"})))
            elif (
                qn in P.REGISTRATION_CALLS
                and enclosing is None
                and self._registers_ours(qn, [a.value for a in call.args])
            ):  # a framework integration registered (LangChain hook, pydantic-ai's OTEL)
                self.result.patches.append((self._line(call), P.REGISTRATION_CALLS[qn]))
            framework = _AGENT_CONSTRUCTORS.get(qn)
            if framework is not None:
                name = _string_arg(call, 0, "name") or ""
                self.result.agents.append((self._line(call), framework, name))
                if any(a.keyword is not None and a.keyword.value == "handoffs" for a in call.args):
                    self.result.handoffs = True
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("agent", "child"):
            receiver = self._type_of(call.func.value)
            if receiver in (_SDK_AI, _SDK_AGENT):
                name = _string_arg(call, 0, "agent_id") or ""
                self.result.agents.append((self._line(call), "amplitude-ai", name))

    def _registers_ours(self, hook: str, values: list[cst.BaseExpression]) -> bool:
        """Whether registration ``hook`` given ``values`` (a call's arguments, or the value
        assigned) registers our integration: see :class:`frameworks.Integration`."""
        for integration in P.registered_by(hook):
            if any(self._reaches(v, integration.ours, 0) for v in values):
                return True
            if not integration.global_setters:
                continue
            setters = [  # trace.set_tracer_provider(...) at module level
                call
                for call, enclosing in self._calls
                if enclosing is None
                and any(qn in integration.global_setters for qn, _ in self._qualnames(call.func))
            ]
            for call in setters:
                if any(self._reaches(a.value, integration.ours, 0) for a in call.args):
                    return True
        return False

    def _reaches(self, node: cst.BaseExpression, ours: frozenset[str], depth: int) -> bool:
        """``node`` names one of ``ours``, or a module-level name bound to (or given, by a
        call on it such as ``provider.add_span_processor(...)``) a value that does."""
        if depth > 4:
            return False
        for sub in _expressions_in(node):
            if any(qn in ours for qn, _ in self._qualnames(sub)):
                return True
            if not isinstance(sub, cst.Name):
                continue
            scope = self.get_metadata(FastScopeProvider, sub, None)
            if not isinstance(scope, GlobalScope):
                continue
            for value in self._bindings.get((scope, sub.value), ()):
                if isinstance(value, cst.BaseExpression) and self._reaches(value, ours, depth + 1):
                    return True
            for call, enclosing in self._calls:
                func = call.func
                if (
                    enclosing is None
                    and isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.value.value == sub.value
                    and any(self._reaches(a.value, ours, depth + 1) for a in call.args)
                ):
                    return True
        return False

    def _collect_assigned_registration(
        self, target: cst.BaseExpression, value: cst.BaseExpression
    ) -> None:
        """``llama_index.core.global_handler = <our handler>`` at module level."""
        if not isinstance(target, cst.Attribute) or self._enclosing() is not None:
            return
        for qn, _ in self._qualnames(target):
            frameworks = P.REGISTRATION_ASSIGNS.get(qn)
            if frameworks is not None and self._registers_ours(qn, [value]):
                self.result.patches.append((self._line(target), frameworks))
                return

    def _collect_exports(self) -> None:
        module_scope = None
        for (scope, name), values in self._bindings.items():
            if isinstance(scope, GlobalScope):
                module_scope = scope
                typed = self._first_known(values)
                if typed is not None and not isinstance(typed, _NOT_EXPORTED):
                    self.result.exports[name] = typed
        for (scope, name), returned in self._returns.items():
            if isinstance(scope, GlobalScope) or scope is module_scope:
                typed = self._first_known(list(returned))
                if typed is not None and not isinstance(typed, _NOT_EXPORTED):
                    self.result.exports[f"{name}()"] = typed
        # Classes: ``Holder.client`` attribute bindings, reachable as ``module.Holder().client``.
        for (cls, attr), values in self._attr_bindings.items():
            typed = self._first_known(values)
            if isinstance(typed, ClientType):
                self.result.exports[f"{cls}.{attr}"] = typed
        # Methods returning a client: ``module.Holder().make()`` (a CrewAI ``@crew`` method).
        for (cls, method), returned_values in self._method_returns.items():
            typed = self._first_known(list(returned_values))
            if isinstance(typed, ClientType):
                self.result.exports.setdefault(f"{cls}.{method}()", typed)
                if (cls, method) in self._properties:  # ``module.holder.client`` (a property)
                    self.result.exports.setdefault(f"{cls}.{method}", typed)
