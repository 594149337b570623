"""Turn a file's raw sites into :class:`CallSite` results, resolving cross-file references.

Scan and validate_file share this: a :class:`ModuleSource` hands out other modules' analyses
(scan: the whole project; validate_file: the modules under the root, analysed on demand).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from . import providers as P
from .analysis.values import ClientTable, EntryOf, FieldOf, OneOf, entry_for, only_fit
from .analyze import (
    AttrPath,
    ClientType,
    ExternalRef,
    FileAnalysis,
    FunctionRef,
    RawSite,
    UncertainSite,
    Value,
    _Param,
    _ParamOf,
)
from .sites import CallSite
from .sites import UncertainSite as UncertainCallSite

_MAX_DEPTH = 6


class ModuleSource(Protocol):
    def module(self, name: str) -> FileAnalysis | None:
        """The analysis of project module ``name`` (None when it is not part of the project)."""


def resolve_ref(ref: ExternalRef, source: ModuleSource, depth: int = 0) -> tuple[Value, str | None]:
    """Follow ``ref`` through the project's exports: (value, module it was defined in)."""
    if depth > _MAX_DEPTH:
        return None, None
    parts = ref.qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        analysis = source.module(".".join(parts[:cut]))
        if analysis is None:
            continue
        key = ".".join(parts[cut:])
        value: Value = None
        if ref.called:
            value = analysis.exports.get(f"{key}()")
            if value is None:
                inner = analysis.exports.get(key)
                if isinstance(inner, ExternalRef) and not inner.called:
                    value = ExternalRef(inner.qualname, called=True)
            if value is None:
                value = _derived_client(analysis, key, source, depth)
        else:
            value = analysis.exports.get(key)  # also ``Holder.client`` class attributes
            if value is None and "." in key:
                value = _instance_attribute(analysis, key)
        if isinstance(value, ExternalRef):
            return resolve_ref(value, source, depth + 1)
        return value, analysis.module
    return None, None


def _instance_attribute(analysis: FileAnalysis, key: str) -> Value:
    """``assistant.client`` where the module binds ``assistant = Assistant()``: the attribute
    as the instance's class sets it (``Assistant.client``, wherever the class is defined)."""
    head, _, rest = key.partition(".")
    instance = analysis.exports.get(head)
    if isinstance(instance, ExternalRef) and instance.called:
        return ExternalRef(f"{instance.qualname}.{rest}")
    return None


def _proxied_function(
    ref: ExternalRef, segments: list[str], source: ModuleSource
) -> P.ModuleFunction | None:
    """``litellm.completion`` where another module binds ``litellm`` to a proxy of the
    provider module (its analysis exports the module's name): that module's function."""
    for k in range(len(segments)):
        held = _provider_module(ExternalRef(".".join([ref.qualname, *segments[:k]])), source, 0)
        if held is not None:
            return P.module_function(".".join([held, *segments[k:]]))
    return None


def _provider_module(ref: ExternalRef, source: ModuleSource, depth: int) -> str | None:
    parts = ref.qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        analysis = source.module(".".join(parts[:cut]))
        if analysis is None:
            continue
        value = analysis.exports.get(".".join(parts[cut:]))
        if not isinstance(value, ExternalRef) or value.called or depth > _MAX_DEPTH:
            return None
        if value.qualname.split(".")[0] in P.PROVIDER_MODULES:
            return value.qualname
        return _provider_module(value, source, depth + 1)
    return None


def _derived_client(analysis: FileAnalysis, key: str, source: ModuleSource, depth: int) -> Value:
    """``GENAI.chats.create()`` on another module's client: the chat session it makes."""
    head, _, method = key.partition(".")
    client = analysis.exports.get(head)
    if isinstance(client, ExternalRef):
        client = resolve_ref(client, source, depth + 1)[0]
    if not isinstance(client, ClientType):
        return None
    derived = P.DERIVED.get((client.family, method))
    if derived is None:
        return None
    return replace(client, family=derived, origin=f"{client.origin}.{method}")


def finalize(
    analysis: FileAnalysis, file: str, source: ModuleSource, *, in_test: bool = False
) -> list[CallSite]:
    """The resolved call sites of one analysed file, sorted by position."""
    sites: list[CallSite] = []
    seen: set[tuple[int, int, str]] = set()
    for raw in analysis.sites:
        site = _finalize_site(analysis, raw, file, source, in_test)
        if site is not None and (site.line, site.column, site.api) not in seen:
            seen.add((site.line, site.column, site.api))
            sites.append(site)
    sites.sort(key=lambda s: (s.line, s.column))
    return sites


def _finalize_site(
    analysis: FileAnalysis, raw: RawSite, file: str, source: ModuleSource, in_test: bool
) -> CallSite | None:
    target = raw.target
    if isinstance(target, FunctionRef):
        fn = target.function
        instrumented, why = _patched(
            analysis, fn.provider, raw.line if raw.enclosing is None else None, source
        )
        if raw.instrumented_by_args:
            instrumented, why = True, "an amplitude_ai callback/handler is passed to the call"
        return CallSite(
            file=file,
            line=raw.line,
            column=raw.column,
            end_line=raw.end_line,
            end_column=raw.end_column,
            provider=fn.provider,
            kind=fn.kind,
            api=fn.api,
            operation=fn.operation,
            is_async=fn.is_async,
            stream=fn.stream or raw.stream_kwarg,
            call_style=raw.call_style if raw.call_style != "direct" else "module_function",
            receiver=None,
            client_origin=None,
            resolved_by="import",
            qualified_name=fn.qualname,
            enclosing=raw.enclosing,
            instrumented=instrumented,
            instrumentation=why,
            in_test=in_test,
        )
    if not isinstance(target, AttrPath):
        return None
    base = target.base
    segments = list(target.segments)
    origin_module = analysis.module
    resolved_by: str | None = None
    receiver = raw.receiver
    if isinstance(base, ExternalRef):
        # The first k segments may still name module attributes (``clients.shared``).
        ref = base
        # A called ref is an instance (``Assistant().client``): its segments from the first
        # may name an attribute its class sets.
        for k in range(1 if ref.called else 0, len(segments)):
            candidate = ExternalRef(".".join([ref.qualname, *segments[:k]])) if k else ref
            value, defined_in = resolve_ref(candidate, source)
            if isinstance(value, ClientType):
                if k and receiver is not None:  # the analysis cut every segment off
                    receiver = ".".join([receiver, *segments[:k]])
                base, segments = value, segments[k:]
                break
        else:
            value, defined_in = resolve_ref(ref, source) if ref.called else (None, None)
            base = value
        if not isinstance(base, ClientType):
            function = None if ref.called else _proxied_function(ref, segments, source)
            if function is None:
                return None
            proxied = replace(raw, target=FunctionRef(function), call_style="module_function")
            return _finalize_site(analysis, proxied, file, source, in_test)
        if defined_in is not None:
            origin_module = defined_in
        resolved_by = "cross_file" if defined_in != analysis.module else "factory"
    if isinstance(base, EntryOf):
        table, defined_in = resolve_ref(base.table, source)
        entry = entry_for(table, base.key) if isinstance(table, ClientTable) else None
        if isinstance(entry, OneOf):
            entry = only_fit(entry, segments)
        if not isinstance(entry, ClientType):
            return None  # reported as probable (finalize_uncertain)
        base, origin_module = entry, defined_in or origin_module
        resolved_by = "cross_file"
    if isinstance(base, FieldOf):
        proven = _field_from_constructions(base, source)
        if proven is None:
            return None  # reported as probable (finalize_uncertain)
        base, origin_module = proven
        resolved_by = "argument"
    if isinstance(base, _ParamOf):
        passed = _client_from_callers(analysis, base, source)
        if passed is not None:
            base, origin_module = passed
            resolved_by = "argument"
    if isinstance(base, _Param):
        return _usage_site(analysis, raw, segments, file, source, in_test)
    if not isinstance(base, ClientType):
        return None
    family = P.FAMILIES[base.family]
    matched = P.match_api(family, segments)
    if matched is None:
        return None
    api, raw_response, forced_async = matched
    is_async = api.is_async if api.is_async is not None else (base.is_async or forced_async)
    if base.instrumented:
        instrumented, why = True, base.instrumented
    elif raw.instrumented_by_args:
        instrumented, why = True, "an amplitude_ai callback/handler is passed to the call"
    elif base.provider in raw.inside:
        instrumented, why = True, "runs inside a with block of the amplitude_ai integration"
    else:
        origin = analysis if origin_module == analysis.module else source.module(origin_module)
        instrumented, why = _patched(
            origin or analysis, base.provider, base.module_level_line, source
        )
        if not instrumented and base.kind == "framework" and origin is not analysis:
            # Framework integrations are consulted when the run starts: a registration the
            # calling module imports covers an object built elsewhere too.
            instrumented, why = _patched(analysis, base.provider, None, source)
        if not instrumented and base.resolved_by == "annotation":
            why = (
                f"the client is typed {base.origin} and comes from the caller; wrap it where "
                "it is built or pass an instrumented client"
            )
    origin_analysis = analysis if origin_module == analysis.module else source.module(origin_module)
    client_file = (
        file if origin_analysis is analysis else (origin_analysis and origin_analysis.file)
    )
    return CallSite(
        file=file,
        line=raw.line,
        column=raw.column,
        end_line=raw.end_line,
        end_column=raw.end_column,
        client_file=client_file if base.built_line is not None else None,
        client_line=base.built_line,
        provider=base.provider,
        kind=base.kind,
        api=api.path,
        operation=api.operation,
        is_async=is_async,
        stream=api.stream or raw.stream_kwarg,
        raw_response=raw_response,
        call_style=raw.call_style,
        receiver=receiver,
        client_origin=base.origin,
        resolved_by=resolved_by or base.resolved_by,
        qualified_name=f"{base.origin}.{api.path}",
        enclosing=raw.enclosing,
        instrumented=instrumented,
        instrumentation=why,
        in_test=in_test,
    )


def _usage_site(
    analysis: FileAnalysis,
    raw: RawSite,
    segments: list[str],
    file: str,
    source: ModuleSource,
    in_test: bool,
) -> CallSite | None:
    for family, api in P.usage_candidates(segments):
        if api.usage_kwargs <= raw.kwargs:
            provider = family.name
            instrumented, why = _patched(analysis, provider, None, source)
            if not instrumented:
                why = (
                    "the client is a parameter; its type was inferred from the call "
                    f"({api.path} with {', '.join(sorted(api.usage_kwargs))}); pass an "
                    "instrumented client from the caller"
                )
            return CallSite(
                file=file,
                line=raw.line,
                column=raw.column,
                end_line=raw.end_line,
                end_column=raw.end_column,
                provider=provider,
                kind="provider",
                api=api.path,
                operation=api.operation,
                is_async=False,
                stream=api.stream or raw.stream_kwarg,
                call_style=raw.call_style,
                receiver=raw.receiver,
                client_origin=None,
                resolved_by="usage",
                qualified_name=f"{family.name}.*.{api.path}",
                enclosing=raw.enclosing,
                instrumented=instrumented,
                instrumentation=why,
                in_test=in_test,
            )
    return None


def _patched(
    analysis: FileAnalysis, provider: str, built_line: int | None, source: ModuleSource
) -> tuple[bool, str]:
    """Whether an amplitude_ai patch() runs before a client built at ``built_line`` in
    ``analysis`` (None: built later, inside a function)."""
    for line, targets in analysis.patches:
        if (targets is None or provider in targets) and (built_line is None or line < built_line):
            return True, f"amplitude_ai patch() runs first (line {line} of {analysis.module})"
    for module, line in analysis.imports:
        if built_line is not None and line > built_line:
            continue
        if _module_patches(module, provider, source, set()):
            return True, f"amplitude_ai patch() runs when {module} is imported"
    hint = "not instrumented: wrap the client, use the SDK's drop-in client, or call patch() first"
    integration = P.integration_for(provider)
    if integration is not None:  # a framework: its integration is registered once, at import
        hint = f"not instrumented: register {integration.target} (instrument_file does it)"
    if analysis.patch_in_function:
        hint += " (patch() is called inside a function here; make sure it runs before the "
        hint += "client is built)"
    return False, hint


def _module_patches(module: str, provider: str, source: ModuleSource, seen: set[str]) -> bool:
    if module in seen or len(seen) > 50:
        return False
    seen.add(module)
    analysis = source.module(module)
    if analysis is None:
        return False
    if any(targets is None or provider in targets for _, targets in analysis.patches):
        return True
    return any(_module_patches(m, provider, source, seen) for m, _ in analysis.imports)


Caller = tuple[str, str, int, str | None, ClientType]  # (module, callee, index, keyword, client)


def callee_matches(qualname: str, target: str) -> bool:
    """``app.service.Service`` (as imported) names ``src.app.service.Service`` (as scanned)."""
    return qualname == target or target.endswith(f".{qualname}") or qualname.endswith(f".{target}")


def _client_from_callers(
    analysis: FileAnalysis, param: _ParamOf, source: ModuleSource
) -> tuple[ClientType, str] | None:
    """The client other modules pass for ``param`` (a function's parameter or a constructor's:
    ``Service(OpenAI())`` binds ``Service.__init__``'s first parameter after ``self``)."""
    callers = getattr(source, "callers", None)
    if callers is None:
        return None
    name, _, method = param.callee.rpartition(".")
    if not name:
        name, implicit = method, 0
    elif method == "__init__" and "." not in name:
        implicit = 1
    else:
        return None  # methods of instances: the receiver's callers are not traced
    target = f"{analysis.module}.{name}" if analysis.module else name
    for module, _callee, index, keyword, client in callers(target):
        if keyword == param.name or (keyword is None and index == param.index - implicit):
            return replace(client, module_level_line=None), module
    return None


def _field_from_constructions(
    field: FieldOf, source: ModuleSource
) -> tuple[ClientType, str] | None:
    """The client field ``field.name`` of class ``field.cls`` holds: its declared client,
    else the one every construction of the class the project makes with a client passes for
    it by keyword. None when constructions pass clients of different providers, or pass a
    client by position (which field it binds is not known here: the class's module may be
    analysed only in part). Constructions passing something that is not a known client are
    not recorded (``client_args`` holds clients only), so they cannot object."""
    declared, defined_in = resolve_ref(ExternalRef(f"{field.cls}.{field.name}"), source)
    if isinstance(declared, ClientType) and defined_in is not None:
        return declared, defined_in
    callers = getattr(source, "callers", None)
    if callers is None:
        return None
    found: tuple[ClientType, str] | None = None
    for caller, _callee, _index, keyword, client in callers(field.cls):
        if keyword is None:
            return None  # a client passed by position: maybe for this field
        if keyword != field.name:
            continue
        if found is not None and (found[0].family, found[0].provider) != (
            client.family,
            client.provider,
        ):
            return None  # constructions disagree
        if found is None or (found[0].instrumented and not client.instrumented):
            found = replace(client, module_level_line=None, resolved_by="argument"), caller
    return found


def finalize_uncertain(
    analysis: FileAnalysis, file: str, source: ModuleSource, *, in_test: bool = False
) -> list[UncertainCallSite]:
    """Probable and untracked sites of one file (kept apart from the confirmed ones)."""
    found = [_uncertain_site(u, file, in_test) for u in analysis.uncertain]
    for raw in analysis.sites:
        # A receiver imported from another module (or a field of another module's deps
        # class) that did not resolve to a client.
        target = raw.target
        if not isinstance(target, AttrPath) or not isinstance(
            target.base, (ExternalRef, EntryOf, FieldOf)
        ):
            continue
        if _finalize_site(analysis, raw, file, source, in_test) is not None:
            continue
        shape_found = P.shape_for(list(target.segments))
        if shape_found is None or not shape_found[0].kwargs <= raw.kwargs:
            continue
        shape = shape_found[0]
        base = target.base
        if isinstance(base, FieldOf):
            receiver = raw.receiver or f"deps.{base.name}"
            untraced = (
                f"what field `{base.name}` of {base.cls} holds could not be traced: neither its "
                "declaration nor the project's constructions of the class prove a client (none "
                "passes one, or they pass clients of different providers)"
            )
        elif isinstance(base, EntryOf):
            receiver = raw.receiver or base.table.qualname
            untraced = (
                f"what `{receiver}` holds could not be traced to one client of the dict "
                f"`{base.table.qualname}`"
                + ("" if base.key is not None else " (the key is not a literal)")
            )
        else:
            receiver = raw.receiver or base.qualname
            untraced = f"`{base.qualname}` could not be traced to a client"
        evidence = (
            f"`{receiver}.{shape.path}(...)` has the shape of the {shape.provider} API but "
            f"{untraced}"
        )
        found.append(
            _uncertain_site(
                UncertainSite(
                    raw.line,
                    raw.column,
                    raw.end_line,
                    raw.end_column,
                    shape.provider,
                    shape.path,
                    shape.tracked,
                    "probable",
                    evidence if shape.tracked else f"{evidence}; {shape.reason}",
                    receiver,
                    raw.enclosing,
                    False,
                    raw.stream_kwarg,
                ),
                file,
                in_test,
            )
        )
    found.sort(key=lambda s: (s.line, s.column))
    return found


def _uncertain_site(u: UncertainSite, file: str, in_test: bool) -> UncertainCallSite:
    return UncertainCallSite(
        file=file,
        line=u.line,
        column=u.column,
        provider=u.provider,
        api=u.api,
        confidence=u.confidence,
        tracked=u.tracked,
        receiver=u.receiver,
        enclosing=u.enclosing,
        evidence=u.evidence,
        in_test=in_test,
    )
