"""Turning the collected calls into results: confirmed call sites, probable and untracked
sites (provider-shaped calls, known but untracked APIs, raw HTTP to a provider), and the
clients passed to other modules' callables.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    GlobalScope,
)

from amplitude_ai_mcp.detect import providers as P
from amplitude_ai_mcp.workspace import mask_secrets

from .base import _MAX_CHAIN
from .cst_shapes import _is_verb
from .fast_metadata import FastPositionProvider, FastScopeProvider
from .findings import RawSite, UncertainSite
from .registrations import Registrations
from .values import (
    _SDK_AGENT,
    _SDK_AI,
    AttrPath,
    ClientType,
    EntryOf,
    ExternalRef,
    FieldOf,
    FunctionRef,
    OneOf,
    Value,
    _Param,
    _provider_of,
    only_fit,
)

_API_LAST_SEGMENTS = frozenset(
    api.path.rsplit(".", 1)[-1] for family in P.FAMILIES.values() for api in family.apis
)


class SiteClassifier(Registrations):
    def finish(self) -> None:
        referenced: set[int] = {id(c.func) for c, _ in self._calls}
        for call, enclosing in self._calls:
            self._collect_patch_and_agents(call, enclosing)
            target = self._type_of(call.func)
            site = self._site_for(call, call.func, target, "direct", enclosing)
            if site is not None:
                self.result.sites.append(site)
            self._uncertain_for(call, enclosing, confirmed=site is not None)
        for expr, call, enclosing in self._refs:
            if id(expr) in referenced:
                continue
            target = self._type_of(expr)
            if isinstance(target, (AttrPath, FunctionRef)):
                site = self._site_for(call, expr, target, "reference", enclosing, position=expr)
                if site is not None:
                    self.result.sites.append(site)
        self._collect_exports()
        self._collect_client_args()

    def _collect_client_args(self) -> None:
        for call, _ in self._calls:
            if not call.args:
                continue
            callee = self._type_of(call.func)
            if not isinstance(callee, ExternalRef) or callee.called:
                continue
            index = 0
            for arg in call.args:
                if arg.star:
                    break
                typed = self._type_of(arg.value)
                keyword = arg.keyword.value if arg.keyword is not None else None
                if isinstance(typed, ClientType):
                    self.result.client_args.append(
                        (callee.qualname, -1 if keyword else index, keyword, typed)
                    )
                if keyword is None:
                    index += 1

    def _site_for(
        self,
        call: cst.Call,
        func: cst.BaseExpression,
        target: Value,
        style: str,
        enclosing: str | None,
        position: cst.CSTNode | None = None,
    ) -> RawSite | None:
        if isinstance(target, FunctionRef):
            style = style if style == "reference" else "module_function"
        elif isinstance(target, AttrPath):
            if target.segments[-1] not in _API_LAST_SEGMENTS:
                return None
            if isinstance(target.base, OneOf):
                client = only_fit(target.base, target.segments)
                if client is None:
                    return None  # several clients fit (or an unknown value): probable
                target = AttrPath(client, target.segments)
            if isinstance(target.base, ClientType):
                family = P.FAMILIES[target.base.family]
                if P.match_api(family, list(target.segments)) is None:
                    return None
            elif isinstance(target.base, _Param):
                if style == "reference":
                    return None
                candidates = P.usage_candidates(list(target.segments))
                kwargs = {a.keyword.value for a in call.args if a.keyword is not None}
                if not any(api.usage_kwargs <= kwargs for _, api in candidates):
                    return None
            elif not isinstance(target.base, (ExternalRef, EntryOf, FieldOf)):
                return None
        else:
            return None
        if style == "direct" and isinstance(func, cst.Name):
            style = "alias" if not isinstance(target, FunctionRef) else "module_function"
        pos = self.get_metadata(FastPositionProvider, position or call)
        receiver = None
        if isinstance(func, cst.Attribute) and isinstance(target, AttrPath):
            receiver_node: cst.BaseExpression = func
            for _ in target.segments:
                if isinstance(receiver_node, cst.Attribute):
                    receiver_node = receiver_node.value
            # Returned to the client: never echo a key written inline (OpenAI(api_key="sk-...")).
            receiver = mask_secrets(cst.Module([]).code_for_node(receiver_node))
        return RawSite(
            line=pos.start.line,
            column=pos.start.column + 1,
            end_line=pos.end.line,
            end_column=pos.end.column + 1,
            target=target,
            call_style=style,
            receiver=receiver,
            kwargs=frozenset(a.keyword.value for a in call.args if a.keyword is not None),
            stream_kwarg=any(
                a.keyword is not None
                and a.keyword.value == "stream"
                and isinstance(a.value, cst.Name)
                and a.value.value == "True"
                for a in call.args
            ),
            enclosing=enclosing,
            instrumented_by_args=style != "reference" and self._passes_sdk_object(call),
            inside=self._inside.get(id(call), frozenset()),
        )

    # ------------------------------------------------------------------ uncertain sites

    def _uncertain_for(self, call: cst.Call, enclosing: str | None, confirmed: bool) -> None:
        """A provider-shaped call on a receiver we cannot trace (probable), an API we know
        but do not track, or raw HTTP to a provider endpoint."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return
        kwargs = {a.keyword.value for a in call.args if a.keyword is not None}
        if func.attr.value in P.HTTP_VERBS:
            host = self._provider_host(call)
            if host is not None:
                verb = func.attr.value.upper()
                self._add_uncertain(
                    call,
                    P.PROVIDER_HOSTS[host],
                    f"HTTP {verb} {host}",
                    False,
                    "confirmed",
                    f"the request URL names {host}; {P.RAW_HTTP_REASON}",
                    None,
                    enclosing,
                )
            return
        if confirmed:
            return
        segments: list[str] = []
        node: cst.BaseExpression = func
        while isinstance(node, cst.Attribute) and len(segments) <= _MAX_CHAIN:
            segments.insert(0, node.attr.value)
            node = node.value
        found = P.shape_for(segments)
        if found is None:
            return
        shape, _cut = found
        receiver: cst.BaseExpression = func
        for _ in shape.path.split("."):
            receiver = receiver.value  # type: ignore[attr-defined]
        typed = self._type_of(receiver)
        if typed in (_SDK_AI, _SDK_AGENT):
            return
        text = mask_secrets(cst.Module([]).code_for_node(receiver))
        if isinstance(typed, ClientType):
            if shape.tracked or _provider_of(typed) != shape.provider:
                return  # a client of another API family (or already a confirmed site)
            self._add_uncertain(
                call,
                shape.provider,
                shape.path,
                False,
                "confirmed",
                f"{shape.reason}",
                text,
                enclosing,
                origin=typed.origin,
            )
            return
        if not shape.kwargs <= kwargs:
            return  # too little evidence: many APIs have a ``create`` method
        passed = ", ".join(sorted(shape.kwargs)) or "no keyword arguments"
        evidence = (
            f"`{text}.{shape.path}(...)` has the shape of the {shape.provider} API "
            f"({passed} passed) but what `{text}` holds could not be traced"
        )
        if id(receiver) in self._unproven:
            evidence += f": {self._unproven[id(receiver)]}"
        if isinstance(typed, OneOf):
            built = sorted({c.origin for c in typed.clients})
            evidence += (
                f" to one client: the key is not a literal and the dict holds {', '.join(built)}"
                + (" and values that are not known clients" if typed.opaque else "")
            )
        if not shape.tracked:
            evidence = f"{evidence}; {shape.reason}"
        self._add_uncertain(
            call, shape.provider, shape.path, shape.tracked, "probable", evidence, text, enclosing
        )

    def _add_uncertain(
        self,
        call: cst.Call,
        provider: str,
        api: str,
        tracked: bool,
        confidence: str,
        evidence: str,
        receiver: str | None,
        enclosing: str | None,
        origin: str | None = None,
    ) -> None:
        pos = self.get_metadata(FastPositionProvider, call)
        stream = api.endswith("stream") or any(
            a.keyword is not None
            and a.keyword.value == "stream"
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in call.args
        )
        self.result.uncertain.append(
            UncertainSite(
                pos.start.line,
                pos.start.column + 1,
                pos.end.line,
                pos.end.column + 1,
                provider,
                api,
                tracked,
                confidence,
                evidence,
                receiver,
                enclosing,
                id(call) in self._awaited,
                stream,
                origin,
            )
        )

    def _provider_host(self, call: cst.Call) -> str | None:
        """The provider host named by the request's URL (a literal, or a name bound to one)."""
        url: cst.BaseExpression | None = None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "url":
                url = arg.value
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if (
            positional
            and isinstance(positional[0], cst.SimpleString)
            and _is_verb(positional[0])
            and positional[0].evaluated_value.upper() != "POST"
        ):
            return None  # client.request("GET", url)
        if url is None and positional:
            # requests.post(url) / client.request("POST", url)
            url = (
                positional[1]
                if len(positional) > 1
                and isinstance(positional[0], cst.SimpleString)
                and _is_verb(positional[0])
                else positional[0]
            )
        if url is None:
            return None
        text = self._string_text(url, 0)
        return next((host for host in P.PROVIDER_HOSTS if host in text), None)

    def _string_text(self, node: cst.BaseExpression, depth: int) -> str:
        if depth > 3:
            return ""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return cst.Module([]).code_for_node(node)
        if isinstance(node, cst.BinaryOperation):
            return self._string_text(node.left, depth + 1) + self._string_text(
                node.right, depth + 1
            )
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            return self._string_text(node.func.value, depth + 1)  # BASE.format(...)
        if isinstance(node, cst.Name):
            scope = self.get_metadata(FastScopeProvider, node, None)
            while scope is not None:
                values = self._bindings.get((scope, node.value))
                if values:
                    return "".join(
                        self._string_text(v, depth + 1)
                        for v in values
                        if isinstance(v, cst.BaseExpression)
                    )
                if isinstance(scope, GlobalScope):
                    break
                scope = scope.parent
        return ""
