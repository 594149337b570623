"""The detection categories that are confirmed only because the project proves the client
(forwarding proxies, dict look-ups, untyped deps containers, instances of another module's
class), end to end: validate_file reports each marked call as a confirmed, uninstrumented
site -> instrument_file rewrites where the client is built -> re-apply changes nothing ->
validate_file reports the same calls, now instrumented -> the instrumented app runs with the
real provider clients against the local fake provider server, and every request the server
answered is one AI Response event of that provider.

Marked calls carry ``# llm-call`` on the line the call starts."""

from __future__ import annotations

import importlib
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from codemod_harness import (  # type: ignore[import-not-found]
    CapturingAI,
    event_type,
    instrument,
    prop,
    write_project,
)

import amplitude_ai
from amplitude_ai.testing import FakeReply
from amplitude_ai_mcp.detect.validate import validate_source
from support.llm_server import LLMServer

MARK = "# llm-call"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@dataclass
class Case:
    name: str
    files: dict[str, str]
    target: str  # the file instrument_file is given: where the client is built
    module: str  # what the test imports and drives
    drive: Callable[[Any], Any]
    providers: tuple[str, ...]  # provider of each request the run makes, in order


def _marked(root: Path) -> set[tuple[str, int]]:
    found = set()
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if MARK in line:
                found.add((path.relative_to(root).as_posix(), number))
    return found


def _sites(root: Path, rels: set[str]) -> dict[tuple[str, int], bool]:
    """Confirmed sites of ``rels``: (file, line) -> instrumented."""
    sites = {}
    for rel in sorted(rels):
        result = validate_source((root / rel).read_text(), rel, root, rel)
        for site in result.call_sites:
            sites[(rel, site.line)] = site.instrumented
        assert not [u for u in result.uncertain_sites if (rel, u.line) in _marked(root)], rel
    return sites


CASES = [
    Case(
        "forwarding_proxy",
        {
            "rt_proxy/__init__.py": "",
            "rt_proxy/llm.py": src(
                '''
                """Clients are built on first use: importing this module stays cheap."""

                from openai import OpenAI


                class _Lazy:
                    def __init__(self, build):
                        self._build = build
                        self._real = None

                    def __getattr__(self, name):
                        if self._real is None:
                            self._real = self._build()
                        return getattr(self._real, name)


                def _make_client():
                    return OpenAI(max_retries=0)


                llm = _Lazy(_make_client)
                embedder = _Lazy(lambda: OpenAI(max_retries=0, timeout=10))


                def translate(text):
                    r = llm.chat.completions.create(  # llm-call
                        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
                    )
                    return r.choices[0].message.content


                def vectors(texts):
                    return embedder.embeddings.create(  # llm-call
                        model="text-embedding-3-small", input=texts
                    )
                '''
            ),
        },
        "rt_proxy/llm.py",
        "rt_proxy.llm",
        lambda m: (m.translate("bonjour"), m.vectors(["a", "b"])),
        ("openai", "openai"),
    ),
    Case(
        "dict_lookup",
        {
            "rt_dict.py": src(
                """
                from anthropic import Anthropic
                from openai import OpenAI

                MODELS = {"openai": "gpt-4o-mini", "claude": "claude-3-5-haiku-latest"}
                CLIENTS = {"openai": OpenAI(max_retries=0), "claude": Anthropic(max_retries=0)}


                def ask(question):
                    r = CLIENTS["openai"].chat.completions.create(  # llm-call
                        model=MODELS["openai"], messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content


                def critique(provider, text):
                    # Only the Anthropic client has messages.create: the key cannot matter.
                    m = CLIENTS[provider].messages.create(  # llm-call
                        model=MODELS[provider],
                        max_tokens=64,
                        messages=[{"role": "user", "content": text}],
                    )
                    return m.content[0].text


                class Router:
                    def __init__(self):
                        self.clients = {}
                        self.clients["fast"] = OpenAI(max_retries=0)

                    def route(self, question):
                        return self.clients.get("fast").chat.completions.create(  # llm-call
                            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                        )
                """
            ),
        },
        "rt_dict.py",
        "rt_dict",
        lambda m: (m.ask("hi"), m.critique("claude", "draft"), m.Router().route("hi")),
        ("openai", "anthropic", "openai"),
    ),
    Case(
        "dict_of_another_module",
        {
            "rt_reg/__init__.py": "",
            "rt_reg/registry.py": src(
                """
                from anthropic import Anthropic
                from openai import OpenAI

                REGISTRY = {"openai": OpenAI(max_retries=0), "anthropic": Anthropic(max_retries=0)}
                """
            ),
            "rt_reg/app.py": src(
                """
                from rt_reg import registry
                from rt_reg.registry import REGISTRY


                def draft(prompt):
                    r = REGISTRY["openai"].chat.completions.create(  # llm-call
                        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
                    )
                    return r.choices[0].message.content


                def critique(backend, text):
                    m = registry.REGISTRY[backend].messages.create(  # llm-call
                        model="claude-3-5-haiku-latest",
                        max_tokens=64,
                        messages=[{"role": "user", "content": text}],
                    )
                    return m.content[0].text
                """
            ),
        },
        "rt_reg/registry.py",
        "rt_reg.app",
        lambda m: (m.draft("hi"), m.critique("anthropic", "draft")),
        ("openai", "anthropic"),
    ),
    Case(
        "untyped_deps_container",
        {
            "rt_deps/__init__.py": "",
            "rt_deps/agent.py": src(
                """
                from dataclasses import dataclass
                from types import SimpleNamespace
                from typing import Any

                from openai import OpenAI
                from pydantic_ai import Agent


                @dataclass
                class SupportDeps:
                    openai: Any
                    customer: str = ""


                support = Agent("test", deps_type=SupportDeps)


                @support.tool
                def summarize(ctx, ticket: str) -> str:
                    r = ctx.deps.openai.chat.completions.create(  # llm-call
                        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}]
                    )
                    return r.choices[0].message.content


                def deps_for(customer):
                    return SupportDeps(openai=OpenAI(max_retries=0), customer=customer)


                def handle(ticket):
                    # What the agent's run would pass the tool: a context holding the deps.
                    return summarize(SimpleNamespace(deps=deps_for("acme")), ticket)
                """
            ),
        },
        "rt_deps/agent.py",
        "rt_deps.agent",
        lambda m: m.handle("printer on fire"),
        ("openai",),
    ),
    Case(
        "deps_container_of_another_module",
        {
            "rt_desk/__init__.py": "",
            "rt_desk/deps.py": src(
                """
                from dataclasses import dataclass
                from typing import Any


                @dataclass
                class DeskDeps:
                    tenant: str
                    llm: Any
                """
            ),
            "rt_desk/tools.py": src(
                """
                from types import SimpleNamespace

                from pydantic_ai import Agent, RunContext

                from rt_desk.deps import DeskDeps
                from rt_desk.wiring import desk_deps

                desk = Agent("test", deps_type=DeskDeps)


                @desk.tool
                def draft(ctx: RunContext[DeskDeps], ticket: str) -> str:
                    m = ctx.deps.llm.messages.create(  # llm-call
                        model="claude-3-5-haiku-latest",
                        max_tokens=64,
                        messages=[{"role": "user", "content": ticket}],
                    )
                    return m.content[0].text


                def handle(ticket):
                    return draft(SimpleNamespace(deps=desk_deps("acme")), ticket)
                """
            ),
            "rt_desk/wiring.py": src(
                """
                from anthropic import Anthropic

                from rt_desk.deps import DeskDeps


                def desk_deps(tenant):
                    return DeskDeps(tenant=tenant, llm=Anthropic(max_retries=0))
                """
            ),
        },
        "rt_desk/wiring.py",
        "rt_desk.tools",
        lambda m: m.handle("printer on fire"),
        ("anthropic",),
    ),
    Case(
        "module_proxy_of_another_module",
        {
            "rt_lazy/__init__.py": "",
            "rt_lazy/lazy.py": src(
                """
                import importlib


                class LazyModule:
                    def __init__(self, name):
                        self._name = name

                    def __getattr__(self, attr):
                        return getattr(importlib.import_module(self._name), attr)


                litellm = LazyModule("litellm")
                """
            ),
            "rt_lazy/app.py": src(
                """
                from rt_lazy.lazy import litellm


                def summarize(text):
                    r = litellm.completion(  # llm-call
                        model="openai/gpt-4o-mini",
                        messages=[{"role": "user", "content": text}],
                    )
                    return r.choices[0].message.content
                """
            ),
        },
        "rt_lazy/app.py",
        "rt_lazy.app",
        lambda m: m.summarize("a long text"),
        ("openai",),
    ),
    Case(
        "instance_of_another_module",
        {
            "rt_inst/__init__.py": "",
            "rt_inst/services.py": src(
                """
                from functools import cached_property

                from anthropic import Anthropic
                from openai import OpenAI


                class Assistant:
                    def __init__(self, model="gpt-4o-mini"):
                        self.model = model
                        self.client = OpenAI(max_retries=0)
                        self.critic = Anthropic(max_retries=0)

                    @cached_property
                    def embedder(self):
                        return OpenAI(max_retries=0, timeout=10)

                    def ask(self, question):
                        r = self.client.chat.completions.create(  # llm-call
                            model=self.model, messages=[{"role": "user", "content": question}]
                        )
                        return r.choices[0].message.content


                assistant = Assistant()
                """
            ),
            "rt_inst/main.py": src(
                """
                from rt_inst import services
                from rt_inst.services import assistant


                def quick(question):
                    r = assistant.client.chat.completions.create(  # llm-call
                        model=assistant.model, messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content


                def review(draft):
                    m = services.assistant.critic.messages.create(  # llm-call
                        model="claude-3-5-haiku-latest",
                        max_tokens=64,
                        messages=[{"role": "user", "content": draft}],
                    )
                    return m.content[0].text


                def vectors(texts):
                    return assistant.embedder.embeddings.create(  # llm-call
                        model="text-embedding-3-small", input=texts
                    )


                def main(question):
                    return (
                        quick(question),
                        review("draft"),
                        assistant.ask(question),
                        vectors([question]),
                    )
                """
            ),
        },
        "rt_inst/services.py",
        "rt_inst.main",
        lambda m: m.main("hi"),
        ("openai", "anthropic", "openai", "openai"),
    ),
]


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer() as srv:
        yield srv


@pytest.fixture
def run_against(
    server: LLMServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Path, str, Callable[[Any], Any]], Any]]:
    """Import ``module`` from ``root`` with the provider clients pointed at the local fake
    server (their real HTTP stack, over loopback) and drive it inside an agent session."""
    roots: list[Path] = []
    CapturingAI.instances = []
    monkeypatch.setattr(amplitude_ai, "AmplitudeAI", CapturingAI)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", server.openai_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)

    def run(root: Path, module: str, drive: Callable[[Any], Any]) -> Any:
        roots.append(root)
        monkeypatch.syspath_prepend(str(root))
        sys.modules.pop("amplitude_bootstrap", None)
        importlib.invalidate_caches()
        mod = importlib.import_module(module)
        assert CapturingAI.instances, "the instrumented module did not import the bootstrap"
        ai = CapturingAI.instances[0]
        with ai.agent("test-agent").session(user_id="user-1"):
            drive(mod)
        return ai

    yield run
    amplitude_ai.unpatch()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None) or ""
        if any(origin.startswith(str(r)) for r in roots):
            sys.modules.pop(name, None)


def _model_events(ai: Any, expected: int) -> tuple[list[dict], list[dict]]:
    """AI Response and Embedding events, once ``expected`` have arrived (LiteLLM reports
    through its callbacks on a worker thread) or after a bounded wait."""
    deadline = time.monotonic() + 20
    while True:
        responses = ai.events_of_type(event_type("ai_response"))
        embeddings = ai.events_of_type(event_type("embedding"))
        if len(responses) + len(embeddings) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    time.sleep(0.2)  # a second (double-counted) event would arrive by now
    return ai.events_of_type(event_type("ai_response")), ai.events_of_type(event_type("embedding"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_category_round_trip(case: Case, tmp_path: Path, server: LLMServer, run_against) -> None:
    root = tmp_path / case.name
    write_project(root, case.files)
    marked = _marked(root)
    files = {rel for rel, _ in marked}
    before = _sites(root, files)
    # The marked calls, and only they, are the confirmed sites; none is instrumented yet.
    assert set(before) == marked, (sorted(before), sorted(marked))
    assert not any(before.values()), before

    first = instrument(root, case.target)
    assert first.result.edits, first.result
    assert first.result.uninstrumented_after == 0, first.result.model_dump()
    written = {p: p.read_bytes() for p in root.rglob("*.py")}
    again = instrument(root, case.target)
    assert again.changes == [] and again.result.diff == "", again.result.diff
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == written

    marked = _marked(root)  # the edits may have moved them
    after = _sites(root, files)
    assert set(after) == marked, (sorted(after), sorted(marked))
    assert all(after.values()), after

    server.llm.reset()
    server.llm.default = FakeReply("Hello from the fake server")
    ai = run_against(root, case.module, case.drive)
    assert [r.provider for r in server.requests] == list(case.providers)
    responses, embeddings = _model_events(ai, len(server.requests))
    assert len(responses) + len(embeddings) == len(server.requests), [
        e["event_type"] for e in ai.events
    ]
    assert sorted(prop(e, "provider") for e in [*responses, *embeddings]) == sorted(case.providers)
    ai.assert_all_valid()
