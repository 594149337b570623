"""What detection matches: the provider entries derived from the SDK's provider registry
(``amplitude_ai.providers.registry``: client classes, API surfaces, module functions,
client factories, untracked APIs, hosts) joined with the framework entries of
``detect.frameworks`` (LangChain, LlamaIndex, pydantic-ai, CrewAI, ...: framework data, not
provider facts), which are re-exported here.

Scan, validate_file, the codemods and verify all read this module. Entries are matched by
*qualified name* (what libcst's QualifiedNameProvider resolves an expression to), never by
spelling, so aliases and re-exports are handled by the resolver, not here. A provider added
to the registry is detected, and offered the codemods its entry supports, with no edit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from amplitude_ai_mcp.provider_registry import registry as R

from .entries import Api as Api
from .entries import ClientClass as ClientClass
from .entries import Family as Family
from .entries import Kind as Kind
from .entries import ModuleFunction as ModuleFunction
from .entries import Operation as Operation
from .frameworks import (
    FRAMEWORK_CLASSES,
    FRAMEWORK_DERIVED,
    FRAMEWORK_FAMILIES,
    FRAMEWORK_FUNCTIONS,
)
from .frameworks import FRAMEWORK_MODULES as FRAMEWORK_MODULES
from .frameworks import INTEGRATIONS as INTEGRATIONS
from .frameworks import MIDDLEWARE_HOOKS as MIDDLEWARE_HOOKS
from .frameworks import REGISTRATION_ASSIGNS as REGISTRATION_ASSIGNS
from .frameworks import REGISTRATION_CALLS as REGISTRATION_CALLS
from .frameworks import SCOPED_INTEGRATIONS as SCOPED_INTEGRATIONS
from .frameworks import WEB_APPS as WEB_APPS
from .frameworks import WEB_MODULES as WEB_MODULES
from .frameworks import Integration as Integration
from .frameworks import integration_for as integration_for
from .frameworks import registered_by as registered_by

# --------------------------------------------------------------------------- providers
# Everything below is derived from the registry.

INSTRUMENTED: frozenset[str] = frozenset(p.id for p in R.PROVIDERS)  # ids the SDK tracks


def _api(surface: R.Surface, path: str | None = None) -> Api:
    infer = frozenset(surface.evidence) if surface.infer_type else frozenset()
    return Api(
        path or surface.path,
        surface.operation,  # type: ignore[arg-type]
        stream=surface.stream,
        is_async=surface.is_async,
        usage_kwargs=infer,
    )


def _known_surfaces(known: R.KnownProvider) -> tuple[R.Surface, ...]:
    if known.same_api_as:
        return R.BY_ID[known.same_api_as].surface_list
    return known.surfaces


def _provider_families() -> tuple[dict[str, Family], dict[str, str], dict[tuple[str, str], str]]:
    """(families, provider id -> family name, derived families). Providers with the same
    API surfaces share one family (Azure OpenAI has OpenAI's); a surface ``a.b().m`` makes a
    derived family ``<family>/a.b`` holding ``m`` (google-genai's chat sessions)."""
    families: dict[str, Family] = {}
    family_of: dict[str, str] = {}
    derived: dict[tuple[str, str], str] = {}
    by_surfaces: dict[tuple[R.Surface, ...], str] = {}
    entries: list[tuple[str, tuple[R.Surface, ...], tuple[str, ...]]] = [
        (p.id, p.surface_list, p.transparent) for p in R.PROVIDERS
    ]
    for known in R.KNOWN_PROVIDERS:
        entries.append((known.id, _known_surfaces(known), ()))
    for provider, surfaces, transparent in entries:
        if provider in family_of:  # a KnownProvider that only adds facts to a PROVIDERS entry
            name = family_of[provider]
            extra = tuple(s for s in surfaces if "()." not in s.path)
            old = families[name]
            have = {a.path for a in old.apis}
            families[name] = Family(
                name,
                (*old.apis, *(_api(s) for s in extra if s.path not in have)),
                old.transparent,
                old.async_prefix,
                old.chaining,
            )
            continue
        shared = by_surfaces.get(surfaces)
        if shared is not None:
            family_of[provider] = shared
            continue
        by_surfaces[surfaces] = family_of[provider] = provider
        direct: list[Api] = []
        sessions: dict[str, list[Api]] = {}
        for surface in surfaces:
            factory, sep, method = surface.path.partition("().")
            if sep:
                sessions.setdefault(factory, []).append(_api(surface, method))
            else:
                direct.append(_api(surface))
        families[provider] = Family(provider, tuple(direct), transparent=frozenset(transparent))
        for factory, apis in sessions.items():
            sub = f"{provider}/{factory}"
            families[sub] = Family(sub, tuple(apis))
            derived[(provider, factory)] = sub
    return families, family_of, derived


_PROVIDER_FAMILIES, FAMILY_OF, _PROVIDER_DERIVED = _provider_families()
FAMILIES: dict[str, Family] = {
    **_PROVIDER_FAMILIES,
    **{family.name: family for family in FRAMEWORK_FAMILIES},
}
DERIVED: dict[tuple[str, str], str] = {**_PROVIDER_DERIVED, **FRAMEWORK_DERIVED}


def _is_async_class(name: str) -> bool:
    return name.rsplit(".", 1)[-1].startswith("Async")


def _factories(entry: R.ProviderSpec | R.KnownProvider, family: str) -> list[ClientClass]:
    """``boto3.client`` and ``boto3.Session.client``: factories that build a client when
    called with the entry's service name."""
    if not entry.client_factory:
        return []
    method = entry.client_factory.rsplit(".", 1)[-1]
    return [
        ClientClass(qualname, entry.id, family, service_arg=entry.service_name)
        for qualname in (
            entry.client_factory,
            *(f"{cls}.{method}" for cls in entry.session_classes),
        )
    ]


def _provider_classes() -> list[ClientClass]:
    found: list[ClientClass] = []
    for spec in R.PROVIDERS:
        family = FAMILY_OF[spec.id]
        for module in spec.import_paths:
            for name in spec.client_classes:
                found.append(
                    ClientClass(f"{module}.{name}", spec.id, family, is_async=_is_async_class(name))
                )
        for qualname in spec.detected_classes:
            found.append(ClientClass(qualname, spec.id, family, is_async=_is_async_class(qualname)))
        found += _factories(spec, family)
    for known in R.KNOWN_PROVIDERS:
        family = FAMILY_OF[known.id]
        for qualname in known.client_classes:
            found.append(
                ClientClass(qualname, known.id, family, is_async=_is_async_class(qualname))
            )
        found += _factories(known, family)
    return found


CLIENT_CLASSES: tuple[ClientClass, ...] = (*_provider_classes(), *FRAMEWORK_CLASSES)
# A factory's argument value -> (provider, family): ``session.client("bedrock-runtime")``.
SERVICE_CLIENTS: dict[str, tuple[str, str]] = {
    c.service_arg: (c.provider, c.family) for c in CLIENT_CLASSES if c.service_arg is not None
}


def _function(provider: str, module: str, surface: R.Surface) -> ModuleFunction:
    api = surface.path[len(module) + 1 :] if surface.path.startswith(f"{module}.") else surface.path
    return ModuleFunction(
        surface.path,
        provider,
        api,
        surface.operation,  # type: ignore[arg-type]
        is_async=bool(surface.is_async),
        stream=surface.stream,
    )


def _named_functions(spec: R.ProviderSpec) -> tuple[R.Surface, ...]:
    """Module-level API functions an entry names relative to its module (a ``functions``
    field: LiteLLM's ``completion``/``acompletion``); a leading ``a`` twin is async."""
    names: tuple[str, ...] = getattr(spec, "functions", ())
    found = []
    for name in names:
        facts = R.surface_facts(name)
        is_async = name.startswith("a") and name[1:] in names
        found.append(replace(facts, path=f"{spec.module}.{name}", is_async=is_async or None))
    return tuple(found)


MODULE_FUNCTIONS: tuple[ModuleFunction, ...] = (
    *(
        _function(spec.id, spec.module, s)
        for spec in R.PROVIDERS
        for s in (*_named_functions(spec), *spec.module_functions, *spec.legacy_functions)
    ),
    *(_function(k.id, k.module, s) for k in R.KNOWN_PROVIDERS for s in k.module_functions),
    *FRAMEWORK_FUNCTIONS,
)


# Module API of releases below a provider's floor (instrument_file says how to port them).
LEGACY_FUNCTIONS: frozenset[str] = frozenset(
    s.path for spec in R.PROVIDERS for s in spec.legacy_functions
)

# Our SDK's drop-in clients: same APIs as the provider's, already instrumented.
SDK_MODULE = "amplitude_ai"
# Provider class (every import path) -> the amplitude_ai drop-in that subclasses it.
DROP_INS: dict[str, str] = {
    f"{module}.{name}": drop_in
    for spec in R.PROVIDERS
    for module in spec.import_paths
    for name, drop_in in zip(spec.client_classes, spec.drop_ins, strict=False)  # factories: none
}
# Drop-in name -> the provider client class it stands in for.
SDK_CLIENTS: dict[str, str] = {}
for _qualname, _drop_in in DROP_INS.items():
    SDK_CLIENTS.setdefault(_drop_in, _qualname)
for _spec in R.PROVIDERS:  # a factory's drop-in: ``amplitude_ai.Bedrock(...)``
    if _spec.client_factory and _spec.drop_ins:
        SDK_CLIENTS.setdefault(_spec.drop_ins[0], _spec.client_factory)
SDK_TRACKERS = frozenset({"AmplitudeAI", "MockAmplitudeAI"})  # make ai.agent(...) agents
SDK_WRAP = "wrap"
SDK_PATCH_PREFIX = "patch"  # patch(), patch_openai(), patch_anthropic(), ...
# amplitude_ai.patch_<provider>() -> the provider ids it instruments (plain patch(): all).
PATCH_TARGETS: dict[str, frozenset[str]] = {
    spec.patch_function: frozenset({spec.id}) for spec in R.PROVIDERS if spec.patch_function
}

# Module prefixes -> provider / framework / web framework / observability name, for the scan's
# dependency and import report. Keys are import names; values are display names.
PROVIDER_MODULES: dict[str, str] = {}
_ENTRIES: tuple[R.ProviderSpec | R.KnownProvider, ...] = (*R.PROVIDERS, *R.KNOWN_PROVIDERS)
for _entry in _ENTRIES:
    # A module that makes clients by a factory serves other services too (boto3 alone is
    # not Bedrock): its import is no evidence of the provider (see project.py).
    if not _entry.client_factory:
        PROVIDER_MODULES.setdefault(_entry.module, _entry.id)
OBSERVABILITY_MODULES: dict[str, str] = {
    "amplitude_ai": "amplitude-ai",
    "langfuse": "langfuse",
    "traceloop": "openllmetry",
    "opentelemetry.instrumentation.openai": "openllmetry",
    "logfire": "logfire",
    "langsmith": "langsmith",
    "helicone": "helicone",
    "agentops": "agentops",
    "weave": "weave",
    "braintrust": "braintrust",
    "phoenix": "arize-phoenix",
    "openinference": "openinference",
    "posthog.ai": "posthog",
}
# Distribution names (as declared in dependency files) -> the same display names.
_OTHER_DISTRIBUTIONS: dict[str, tuple[str, str]] = {
    "langchain": ("framework", "langchain"),
    "langchain-core": ("framework", "langchain"),
    "langchain-openai": ("framework", "langchain"),
    "langchain-anthropic": ("framework", "langchain"),
    "langchain-community": ("framework", "langchain"),
    "llama-index": ("framework", "llama-index"),
    "llama-index-core": ("framework", "llama-index"),
    "openai-agents": ("framework", "openai-agents"),
    "pydantic-ai": ("framework", "pydantic-ai"),
    "pydantic-ai-slim": ("framework", "pydantic-ai"),
    "crewai": ("framework", "crewai"),
    "langgraph": ("framework", "langgraph"),
    "fastapi": ("web", "fastapi"),
    "flask": ("web", "flask"),
    "django": ("web", "django"),
    "starlette": ("web", "starlette"),
    "streamlit": ("web", "streamlit"),
    "amplitude-ai": ("observability", "amplitude-ai"),
    "langfuse": ("observability", "langfuse"),
    "traceloop-sdk": ("observability", "openllmetry"),
    "logfire": ("observability", "logfire"),
    "langsmith": ("observability", "langsmith"),
    "agentops": ("observability", "agentops"),
    "weave": ("observability", "weave"),
    "braintrust": ("observability", "braintrust"),
    "arize-phoenix": ("observability", "arize-phoenix"),
}
# Distribution names (as declared in dependency files) -> (group, display name).
DISTRIBUTIONS: dict[str, tuple[str, str]] = {
    **{spec.distribution: ("provider", spec.id) for spec in reversed(R.PROVIDERS)},
    **{k.distribution: ("provider", k.id) for k in R.KNOWN_PROVIDERS if k.id not in INSTRUMENTED},
    **_OTHER_DISTRIBUTIONS,
}


@dataclass
class _Index:
    exact: dict[str, ClientClass] = field(default_factory=dict)
    prefixes: list[ClientClass] = field(default_factory=list)
    functions: dict[str, ModuleFunction] = field(default_factory=dict)


def _build_index() -> _Index:
    index = _Index()
    for cls in CLIENT_CLASSES:
        if cls.prefix:
            index.prefixes.append(cls)
        else:
            index.exact[cls.qualname] = cls
    index.functions = {fn.qualname: fn for fn in MODULE_FUNCTIONS}
    return index


_INDEX = _build_index()


def client_class(qualname: str) -> ClientClass | None:
    """The client class constructed by calling ``qualname``, if it is one we know."""
    found = _INDEX.exact.get(qualname)
    if found is not None:
        return found
    for cls in _INDEX.prefixes:
        rest = qualname[len(cls.qualname) :]
        if qualname.startswith(cls.qualname) and all(p.isidentifier() for p in rest.split(".")):
            return cls
    return None


def module_function(qualname: str) -> ModuleFunction | None:
    """The module-level LLM call named ``qualname``, if it is one."""
    return _INDEX.functions.get(qualname)


def match_api(family: Family, segments: list[str]) -> tuple[Api, bool, bool] | None:
    """Match a method path against ``family``: (api, raw_response, forced_async) or None."""
    raw = any(s in family.transparent for s in segments)
    path = [s for s in segments if s not in family.transparent]
    forced_async = False
    if family.async_prefix and path and path[0] == family.async_prefix:
        path = path[1:]
        forced_async = True
    joined = ".".join(path)
    for api in family.apis:
        if api.path == joined:
            return api, raw, forced_async
    return None


def usage_candidates(segments: list[str]) -> list[tuple[Family, Api]]:
    """APIs a call on an *unknown* receiver may be, judged by its method path alone (first
    family per path: Azure OpenAI's calls look like OpenAI's)."""
    joined = ".".join(segments)
    found = []
    for name in _PROVIDER_FAMILIES:
        for api in FAMILIES[name].apis:
            if api.usage_kwargs and api.path == joined:
                found.append((FAMILIES[name], api))
                return found
    return found


def all_provider_names() -> list[str]:
    """Every provider/framework name the table can report, sorted."""
    names = {c.provider for c in CLIENT_CLASSES} | {f.provider for f in MODULE_FUNCTIONS}
    return sorted(names)


# --------------------------------------------------------------------------- uncertain sites


@dataclass(frozen=True)
class Shape:
    """A method path that names one provider's API whatever the receiver's spelling.

    ``tracked`` shapes on a receiver whose type cannot be traced are reported as *probable*
    sites (with ``kwargs``, the arguments the call must carry to count as evidence). Untracked
    shapes are APIs we recognise but the SDK does not instrument: reported with the reason."""

    path: str
    provider: str
    tracked: bool
    kwargs: frozenset[str] = frozenset()
    reason: str = ""


def _shapes() -> list[Shape]:
    shapes: dict[str, Shape] = {}
    for spec in R.PROVIDERS:
        family = FAMILY_OF[spec.id]
        for surface in spec.surface_list:
            if surface.evidence and "()." not in surface.path:
                shapes.setdefault(
                    surface.path, Shape(surface.path, family, True, frozenset(surface.evidence))
                )
        for surface in spec.module_functions:
            if surface.evidence:  # a lazy proxy of the module: ``llm.completion(...)``
                path = surface.path.rsplit(".", 1)[-1]
                shapes.setdefault(path, Shape(path, spec.id, True, frozenset(surface.evidence)))
    for known in R.KNOWN_PROVIDERS:
        for surface in known.module_functions:
            if surface.evidence:
                path = surface.path.rsplit(".", 1)[-1]
                shapes.setdefault(path, Shape(path, known.id, True, frozenset(surface.evidence)))
    for spec in R.PROVIDERS:
        tracked = set(spec.surfaces)
        for surface in spec.untracked:
            if surface.path in tracked:  # tracked since: a surface wins
                continue
            shapes.setdefault(
                surface.path,
                Shape(
                    surface.path,
                    FAMILY_OF[spec.id],
                    False,
                    frozenset(surface.evidence),
                    surface.reason,
                ),
            )
    return list(shapes.values())


SHAPES: tuple[Shape, ...] = tuple(_shapes())
# Longest first, so ``beta.threads.runs.create`` wins over a shorter suffix.
SHAPES_BY_LENGTH = tuple(sorted(SHAPES, key=lambda s: -s.path.count(".")))
SHAPE_LAST_SEGMENTS = frozenset(s.path.rsplit(".", 1)[-1] for s in SHAPES)

# Raw HTTP to a provider's endpoint (requests/httpx/aiohttp): recognised, never tracked.
# (the registry's hosts of the services an OpenAI client can talk to, and of the recognised
# providers; a leading "-" matches any prefix, and a substring match does exactly that).
PROVIDER_HOSTS: dict[str, str] = {
    **{host: h.id for h in R.COMPATIBLE_HOSTS for host in h.hosts},
    **{host: k.id for k in R.KNOWN_PROVIDERS for host in k.hosts},
}
# Generation endpoints take POST; a GET (listing models, health checks) is not an LLM call.
HTTP_VERBS = frozenset({"post", "request", "stream"})
RAW_HTTP_REASON = (
    "raw HTTP request to the provider's endpoint: the SDK instruments provider clients, so "
    "call the provider SDK's client instead (or track the turn manually)"
)


def shape_for(segments: list[str]) -> tuple[Shape, int] | None:
    """The shape ``segments`` end with, and where it starts (None: no provider shape)."""
    if not segments or segments[-1] not in SHAPE_LAST_SEGMENTS:
        return None
    for shape in SHAPES_BY_LENGTH:
        parts = shape.path.split(".")
        if len(segments) >= len(parts) and segments[-len(parts) :] == parts:
            return shape, len(segments) - len(parts)
    return None
