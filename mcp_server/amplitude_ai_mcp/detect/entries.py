"""The shapes of detection entries: API methods, families of APIs shared by client classes,
constructors that make clients and module-level LLM functions. Provider entries are derived
from the SDK's registry (``detect.providers``); framework entries are data
(``detect.frameworks``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Operation = Literal["chat", "completion", "responses", "embedding", "agent_run", "query"]
Kind = Literal["provider", "framework"]


@dataclass(frozen=True)
class Api:
    """One callable method path on a client, e.g. ``chat.completions.create``."""

    path: str
    operation: Operation
    stream: bool = False  # the method itself streams (``messages.stream``)
    is_async: bool | None = None  # None: inherit from the client class
    # Keyword arguments a call must carry when the receiver's type is *inferred from usage*
    # (an unannotated parameter): ``messages.create`` is also Twilio's API.
    usage_kwargs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Family:
    """A set of APIs shared by several client classes (OpenAI, Azure OpenAI and Groq)."""

    name: str
    apis: tuple[Api, ...]
    # Path segments that wrap an API without changing it (``with_raw_response``).
    transparent: frozenset[str] = frozenset()
    # A leading segment that makes the call async on a sync client (google-genai ``aio``).
    async_prefix: str | None = None
    # Methods whose result has the same family (``llm.bind_tools(...)`` is still a chat model).
    chaining: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClientClass:
    """A constructor (class or factory) whose result is an LLM client of ``family``."""

    qualname: str
    provider: str
    family: str
    kind: Kind = "provider"
    is_async: bool = False
    # boto3-style: the client kind is chosen by a string argument.
    service_arg: str | None = None
    # A constructor whose qualified name *starts with* this (langchain_community.chat_models.).
    prefix: bool = False


@dataclass(frozen=True)
class ModuleFunction:
    """A module-level callable that is itself an LLM call (``litellm.completion``)."""

    qualname: str
    provider: str
    api: str
    operation: Operation
    kind: Kind = "provider"
    is_async: bool = False
    stream: bool = False
