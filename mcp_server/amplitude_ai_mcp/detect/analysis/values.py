"""What an expression can hold, as far as one module's analysis can tell.

Values referring to other modules stay symbolic (:class:`ExternalRef`) until
:mod:`..resolve` looks them up in the other files' exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import libcst as cst

from amplitude_ai_mcp.detect import providers as P


@dataclass(frozen=True)
class ClientType:
    """An expression's value is an LLM client (or framework object) of ``family``."""

    family: str
    provider: str
    kind: P.Kind
    is_async: bool
    origin: str  # qualified name of the constructor
    instrumented: str | None = None  # reason when our SDK already instruments it
    module_level_line: int | None = None  # built at module level on this line (patch order)
    resolved_by: str = "constructor"
    built_line: int | None = None  # line of the constructor call in its module


@dataclass(frozen=True)
class ExternalRef:
    """A name defined in another module (``called``: the result of calling it)."""

    qualname: str
    called: bool = False


@dataclass(frozen=True)
class AttrPath:
    """``base`` followed by attribute segments, e.g. ``client`` + ``chat.completions.create``."""

    base: Value
    segments: tuple[str, ...]


@dataclass(frozen=True)
class FunctionRef:
    """A module-level LLM function (``litellm.completion``) or an alias of one."""

    function: P.ModuleFunction


@dataclass(frozen=True)
class ClientTable:
    """A dict of clients (``{"openai": OpenAI(), "claude": Anthropic()}``): its client values
    by literal key (None: a key that is not a literal), and whether some value is not a
    client we know (then a look-up by a variable key proves nothing)."""

    entries: tuple[tuple[str | None, ClientType], ...]
    opaque: bool


@dataclass(frozen=True)
class OneOf:
    """A :class:`ClientTable` entry looked up by a key that is not a literal
    (``CLIENTS[name]``): the call's shape decides which client it is, if only one fits."""

    clients: tuple[ClientType, ...]
    opaque: bool


@dataclass(frozen=True)
class EntryOf:
    """An entry of a dict another module binds (``CLIENTS["openai"]``, ``CLIENTS[name]``,
    ``CLIENTS.get(...)``; ``key`` None when it is not a literal): looked up in that module's
    exports (see resolve)."""

    table: ExternalRef
    key: str | None


@dataclass(frozen=True)
class FieldOf:
    """Field ``name`` of an instance of another module's class ``cls`` (a deps container
    named by ``RunContext[Deps]`` or ``deps_type=Deps``): what it holds is proven, if at all,
    by the constructions of ``cls`` across the project (see resolve)."""

    cls: str
    name: str


class _Param:
    """An unannotated parameter: its type can only be judged by how it is used."""

    def __repr__(self) -> str:
        return "PARAM"


PARAM = _Param()


class _ParamOf(_Param):
    """An unannotated parameter of a function of this module: callers in the module that pass
    a client tell its type (``callee``: ``name``, ``Class.method`` or ``Class.__init__``)."""

    def __init__(self, callee: str, index: int, name: str) -> None:
        self.callee, self.index, self.name = callee, index, name


@dataclass(frozen=True, eq=False)
class _Item:
    """Element ``index`` of what ``call`` returns (``client, model = make_client()``)."""

    call: cst.Call
    index: int


Value = Union[  # noqa: UP007 - runtime alias on 3.10
    ClientType,
    ExternalRef,
    AttrPath,
    FunctionRef,
    ClientTable,
    OneOf,
    EntryOf,
    FieldOf,
    _Param,
    None,
]


# Values of our own SDK, tracked only to report the agents an app already defines.
_SDK_AI = ExternalRef("amplitude_ai.AmplitudeAI", called=True)
_SDK_AGENT = ExternalRef("amplitude_ai.BoundAgent", called=True)


def _called(qualname: str) -> Value:
    """The value of calling another module's ``qualname``."""
    if qualname.startswith(f"{P.SDK_MODULE}."):
        # Our SDK's client (for the agents report); other SDK calls make no client.
        return _SDK_AI if qualname.rsplit(".", 1)[-1] in P.SDK_TRACKERS else None
    return ExternalRef(qualname, called=True)


def _library_ref(ref: ExternalRef) -> bool:
    """A name from a provider or framework package (never one of the project's factories)."""
    top = ref.qualname.split(".")[0]
    return top in P.FRAMEWORK_MODULES or top in P.PROVIDER_MODULES or top == P.SDK_MODULE


def _provider_of(client: ClientType) -> str:
    """The API family's provider of a client (Azure OpenAI and OpenAI-compatible clients
    share OpenAI's endpoints)."""
    return "openai" if client.family == "openai" else client.provider


def _sdk_stand_in(qualname: str) -> str | None:
    """``amplitude_ai.OpenAI`` / ``amplitude_ai.providers.openai.OpenAI`` -> ``openai.OpenAI``."""
    if not qualname.startswith(f"{P.SDK_MODULE}."):
        return None
    return P.SDK_CLIENTS.get(qualname.rsplit(".", 1)[-1])


def entry_for(table: ClientTable, key: str | None) -> Value:
    """``table[key]``: the client of a literal key, else every client it may be."""
    if key is not None:
        for name, client in table.entries:
            if name == key:
                return client
        if all(name is not None for name, _ in table.entries):
            return None  # a key the dict has no client for
    return OneOf(tuple(client for _, client in table.entries), table.opaque)


def only_fit(choice: OneOf, segments: tuple[str, ...] | list[str]) -> ClientType | None:
    """The client a look-up by a variable key must be for a call of ``segments``: every
    value is a known client and the clients this API fits are of one provider (the first
    uninstrumented one stands for them, so an unwrapped entry is never reported as
    instrumented)."""
    if choice.opaque:
        return None
    fits = [c for c in choice.clients if P.match_api(P.FAMILIES[c.family], list(segments))]
    if len({(c.family, c.provider) for c in fits}) != 1:
        return None
    return next((c for c in fits if not c.instrumented), fits[0])
