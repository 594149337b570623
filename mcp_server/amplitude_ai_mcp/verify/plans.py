"""What the verify-test generator plans for one entry point, and what it asks for: the
plan, the gaps that become needs_input items, and the analysed modules they refer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from amplitude_ai_mcp.detect.sites import CallSite

from .facts_model import Function, ModuleFacts, Route


class Code(str):
    """A value the test writes as source (a constructor call, an answer from ``inputs``)."""


@dataclass
class ModuleInfo:
    name: str  # import name
    rel: str  # path relative to the project root
    tree: cst.Module
    facts: ModuleFacts
    sites: list[CallSite]
    detected: bool = False


@dataclass(frozen=True)
class Gap:
    """Something the generator will not guess (becomes a needs_input item)."""

    file: str
    line: int
    question: str
    suggestion: str | None = None
    id: str = ""  # stable; the answer comes back through ``inputs[id]``
    answer: str | None = None  # what inputs[id] takes (None: not answerable by a value)


def gap_id(rel: str, qualname: str, what: str) -> str:
    return f"{rel}:{qualname}:{what}"


@dataclass
class Plan:
    """How the generated test drives one entry point."""

    qualname: str
    line: int
    kind: str  # function, method, route
    is_async: bool
    args: list[tuple[str, Any]] = field(default_factory=list)
    init_args: list[tuple[str, Any]] = field(default_factory=list)
    route: Route | None = None
    url: str = ""
    json: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    opens_session: bool = False
    expected_user: str | None = None
    providers: set[str] = field(default_factory=set)
    providers_known: bool = True  # False: a framework site whose provider is not known
    frameworks: bool = False  # reaches framework sites (instrumented by an integration)
    middleware: bool = False  # a route behind the SDK's web middleware
    # A router's route served by the project's app (with the middleware) in another module:
    # (that module's import name, the app's name there); the URL has the include's prefix.
    serving_app: tuple[str, str] | None = None
    # Request headers the test sends (a dict, or the developer's answer as source), and
    # whose user the middleware's session then carries: "test" (VERIFY_USER), "answered"
    # (some user: the developer said which headers name one), None (not checked).
    headers: dict[str, Any] | Code = field(default_factory=dict)
    middleware_user: str | None = None
    request_user_id: str = ""  # the needs_input id answered with those headers
    models: set[str] | None = None
    embedding: bool = False  # only embeddings: checked with [Agent] Embedding events
    form: dict[str, Any] | None = None  # Flask form fields
    openapi_body: bool = False  # FastAPI: build the body from the app's OpenAPI schema
    before: list[Plan] = field(default_factory=list)  # routes that set the state it reads
    argv: list[str] = field(default_factory=list)  # script: command-line arguments
    stdin: list[str] = field(default_factory=list)  # script: input()/stdin answers
    json_reply: bool = False
    reply_keys: list[str] = field(default_factory=list)
    tool_calls: bool = False

    @property
    def test_session(self) -> bool:
        """Run inside a session the test opens (the app opens none on this path)."""
        return not self.opens_session and self.kind != "route"


@dataclass
class Reach:
    """The call sites (and the functions holding them) an entry point reaches."""

    sites: list[tuple[ModuleInfo, CallSite]] = field(default_factory=list)
    opens_session: bool = False
    functions: list[Function] = field(default_factory=list)
