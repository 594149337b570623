"""Every instrumentable shape of the detection corpus, end to end:
plan -> apply (tmp copy) -> re-apply is byte-identical -> validate_file reports 0 uninstrumented
-> the instrumented module imports and runs offline and emits AI Response events."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from codemod_harness import (  # type: ignore[import-not-found]
    event_type,
    instrument,
    prop,
    uninstrumented,
    write_project,
)


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def in_session(call: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """Drive a swap-tier app the way its caller would: inside an agent session."""

    def drive(mod: Any, ai: Any) -> Any:
        with ai.agent("test-agent").session(user_id="user-1"):
            return call(mod)

    return drive


def in_async_session(call: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    async def drive_async(mod: Any, ai: Any) -> Any:
        with ai.agent("test-agent").session(user_id="user-1"):
            return await call(mod)

    return lambda mod, ai: drive_async(mod, ai)


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]
    target: str
    module: str  # what the test imports and drives
    drive: Callable[[Any, Any], Any]
    provider: str = "openai"
    options: dict[str, Any] = field(default_factory=dict)
    validate: tuple[str, ...] = ()  # more files that must report 0 uninstrumented
    # Sites detection still reports as uninstrumented after instrumenting.
    remaining: tuple[str, ...] = ()
    min_edits: int = 1


SYNC_BOT = src(
    '''
    """Support bot: answers one question."""

    from __future__ import annotations

    from openai import OpenAI

    client = OpenAI()


    def ask(question: str) -> str:
        reply = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
        )
        return reply.choices[0].message.content or ""
    '''
)

CASES = [
    Case(
        "sync_docstring_future",
        {"fx_sync/__init__.py": "", "fx_sync/bot.py": SYNC_BOT},
        "fx_sync/bot.py",
        "fx_sync.bot",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "aliased_import",
        {
            "fx_alias.py": src(
                """
                from openai import APIError, OpenAI as LLM

                llm = LLM(max_retries=0)


                def ask(question):
                    try:
                        out = llm.chat.completions.create(
                            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                        )
                    except APIError:
                        return "error"
                    return out.choices[0].message.content
                """
            )
        },
        "fx_alias.py",
        "fx_alias",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "import_module_as",
        {
            "fx_modalias.py": src(
                """
                import openai as oa

                client = oa.OpenAI(timeout=20)
                ERRORS = (oa.APIError, oa.RateLimitError)  # other uses of the module stay


                def ask(question):
                    try:
                        r = client.chat.completions.create(
                            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                        )
                    except ERRORS:
                        return ""
                    return r.choices[0].message.content
                """
            )
        },
        "fx_modalias.py",
        "fx_modalias",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "self_client",
        {
            "fx_self/__init__.py": "",
            "fx_self/bot.py": src(
                """
                from openai import OpenAI


                class Bot:
                    def __init__(self, model: str = "gpt-4o-mini") -> None:
                        self.model = model
                        self.client = OpenAI()

                    def ask(self, question: str) -> str:
                        r = self.client.chat.completions.create(
                            model=self.model, messages=[{"role": "user", "content": question}]
                        )
                        return r.choices[0].message.content or ""
                """
            ),
        },
        "fx_self/bot.py",
        "fx_self.bot",
        in_session(lambda m: m.Bot().ask("hi")),
    ),
    Case(
        "module_client_imported_elsewhere",
        {
            "fx_cross/__init__.py": "",
            "fx_cross/clients.py": src(
                """
                from openai import OpenAI

                shared = OpenAI()
                """
            ),
            "fx_cross/app.py": src(
                """
                from fx_cross.clients import shared


                def ask(question):
                    r = shared.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content
                """
            ),
        },
        "fx_cross/clients.py",
        "fx_cross.app",
        in_session(lambda m: m.ask("hi")),
        validate=("fx_cross/app.py",),
    ),
    Case(
        "client_passed_as_parameter",
        {
            "fx_param.py": src(
                """
                from openai import OpenAI


                def ask(client, question):
                    r = client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content


                def main(question):
                    return ask(OpenAI(), question)
                """
            )
        },
        "fx_param.py",
        "fx_param",
        # The callee's call is traced to the caller's (now swapped) client: instrumented.
        in_session(lambda m: m.main("hi")),
    ),
    Case(
        "factory_method_and_tuple_factory",
        {
            "fx_factory.py": src(
                """
                from openai import OpenAI

                MODEL = "gpt-4o-mini"


                def client_and_model():
                    return OpenAI(max_retries=1), MODEL


                class Summarizer:
                    def make_client(self):
                        return OpenAI()

                    def summarize(self, text):
                        r = self.make_client().chat.completions.create(
                            model=MODEL, messages=[{"role": "user", "content": text}]
                        )
                        return r.choices[0].message.content


                def main(question):
                    llm, model = client_and_model()
                    r = llm.chat.completions.create(
                        model=model, messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content, Summarizer().summarize(question)
                """
            )
        },
        "fx_factory.py",
        "fx_factory",
        in_session(lambda m: m.main("hi")),
        min_edits=2,
    ),
    Case(
        "client_injected_through_constructor",
        {
            "fx_injected.py": src(
                """
                from openai import OpenAI


                class Writer:
                    def __init__(self, llm, model="gpt-4o-mini"):
                        self.llm = llm
                        self.model = model

                    def write(self, facts):
                        r = self.llm.chat.completions.create(
                            model=self.model, messages=[{"role": "user", "content": facts}]
                        )
                        return r.choices[0].message.content


                def main(question):
                    return Writer(OpenAI()).write(question)
                """
            )
        },
        "fx_injected.py",
        "fx_injected",
        in_session(lambda m: m.main("hi")),
    ),
    Case(
        # Instrumenting the caller's construction instruments the other module's call.
        "client_injected_from_another_module",
        {
            "fx_xmod/__init__.py": "",
            "fx_xmod/service.py": src(
                """
                class Service:
                    def __init__(self, client):
                        self.client = client

                    def run(self, question):
                        r = self.client.chat.completions.create(
                            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                        )
                        return r.choices[0].message.content
                """
            ),
            "fx_xmod/main.py": src(
                """
                from openai import OpenAI

                from fx_xmod.service import Service


                def main(question):
                    return Service(OpenAI()).run(question)
                """
            ),
        },
        "fx_xmod/main.py",
        "fx_xmod.main",
        in_session(lambda m: m.main("hi")),
        validate=("fx_xmod/service.py",),
    ),
    Case(
        # The tool's call is only *probable* (an untyped ``ctx`` of no agent: which container
        # ``ctx.deps`` is cannot be known); instrumenting where the client is built is what
        # makes the run emit, and validate counts nothing uninstrumented.
        "deps_container_probable_site",
        {
            "fx_deps.py": src(
                """
                from dataclasses import dataclass

                from openai import OpenAI


                @dataclass
                class Deps:
                    openai: object


                @dataclass
                class Ctx:
                    deps: Deps


                def lookup_tool(ctx, query):
                    r = ctx.deps.openai.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": query}]
                    )
                    return r.choices[0].message.content


                def main(question):
                    return lookup_tool(Ctx(Deps(openai=OpenAI())), question)
                """
            )
        },
        "fx_deps.py",
        "fx_deps",
        in_session(lambda m: m.main("hi")),
    ),
    Case(
        # Confirmed since the proxy's factory is traced (test_category_round_trips.py checks
        # the site itself before and after).
        "lazy_proxy",
        {
            "fx_proxy.py": src(
                """
                from openai import OpenAI


                class _Lazy:
                    def __init__(self, build):
                        self._build = build
                        self._real = None

                    def __getattr__(self, name):
                        if self._real is None:
                            self._real = self._build()
                        return getattr(self._real, name)


                llm = _Lazy(lambda: OpenAI(max_retries=2))


                def main(question):
                    r = llm.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content
                """
            )
        },
        "fx_proxy.py",
        "fx_proxy",
        in_session(lambda m: m.main("hi")),
    ),
    Case(
        "dataclass_default_factory",
        {
            "fx_fields.py": src(
                """
                from dataclasses import dataclass, field

                import openai
                from anthropic import Anthropic


                @dataclass
                class Service:
                    llm: Anthropic = field(default_factory=Anthropic)
                    oai: openai.OpenAI = field(default_factory=openai.OpenAI)

                    def run(self, question):
                        msg = self.llm.messages.create(
                            model="claude-3-5-haiku-latest",
                            max_tokens=50,
                            messages=[{"role": "user", "content": question}],
                        )
                        return msg.content[0].text
                """
            )
        },
        "fx_fields.py",
        "fx_fields",
        in_session(lambda m: m.Service().run("hi")),
        provider="anthropic",
    ),
    Case(
        "factory",
        {
            "fx_factory.py": src(
                """
                from openai import OpenAI


                def make_client() -> OpenAI:
                    return OpenAI(
                        timeout=30,
                        max_retries=1,
                    )


                client = make_client()


                def ask(question):
                    r = client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content
                """
            )
        },
        "fx_factory.py",
        "fx_factory",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "async_client",
        {
            "fx_async.py": src(
                """
                from openai import AsyncOpenAI

                client = AsyncOpenAI()


                async def ask(question: str) -> str:
                    r = await client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content or ""
                """
            )
        },
        "fx_async.py",
        "fx_async",
        in_async_session(lambda m: m.ask("hi")),
    ),
    Case(
        "streaming",
        {
            "fx_stream.py": src(
                """
                from openai import OpenAI

                client = OpenAI()


                def ask(question):
                    stream = client.chat.completions.create(
                        model="gpt-4o-mini",
                        messages=[{"role": "user", "content": question}],
                        stream=True,
                    )
                    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
                """
            )
        },
        "fx_stream.py",
        "fx_stream",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "responses_api",
        {
            "fx_responses.py": src(
                """
                from openai import OpenAI

                client = OpenAI()


                def ask(question):
                    return client.responses.create(model="gpt-4o-mini", input=question).output_text
                """
            )
        },
        "fx_responses.py",
        "fx_responses",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "azure",
        {
            "fx_azure.py": src(
                """
                import os

                from openai import AzureOpenAI

                client = AzureOpenAI(
                    api_version="2024-06-01",
                    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"]
                )


                def ask(question):
                    r = client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
                    )
                    return r.choices[0].message.content
                """
            )
        },
        "fx_azure.py",
        "fx_azure",
        in_session(lambda m: m.ask("hi")),
        provider="azure_openai",
    ),
    Case(
        "anthropic_create_and_stream",
        {
            "fx_claude.py": src(
                """
                import anthropic

                client = anthropic.Anthropic()


                def ask(question):
                    msg = client.messages.create(
                        model="claude-3-5-haiku-latest",
                        max_tokens=100,
                        messages=[{"role": "user", "content": question}],
                    )
                    return msg.content[0].text


                def ask_streaming(question):
                    with client.messages.stream(
                        model="claude-3-5-haiku-latest",
                        max_tokens=100,
                        messages=[{"role": "user", "content": question}],
                    ) as stream:
                        return stream.get_final_text()
                """
            )
        },
        "fx_claude.py",
        "fx_claude",
        in_session(lambda m: (m.ask("hi"), m.ask_streaming("hi"))),
        provider="anthropic",
    ),
    Case(
        "tab_indented",
        {"fx_tabs.py": SYNC_BOT.replace("    ", "\t").replace('"""Support bot', '"""Tabbed bot')},
        "fx_tabs.py",
        "fx_tabs",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "crlf",
        {"fx_crlf.py": SYNC_BOT.replace("\n", "\r\n").encode()},
        "fx_crlf.py",
        "fx_crlf",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "encoding_cookie",
        {
            "fx_latin.py": (
                "# -*- coding: latin-1 -*-\n# Caf\u00e9 bot\n"
                + SYNC_BOT.replace('"""Support bot', '"""Caf\u00e9 bot')
            ).encode("latin-1")
        },
        "fx_latin.py",
        "fx_latin",
        in_session(lambda m: m.ask("hi")),
    ),
    Case(
        "session_tier_route_handler",
        {
            "fx_web/__init__.py": "",
            "fx_web/routes.py": src(
                '''
                from openai import OpenAI


                class Router:
                    """Stand-in for a web framework's router (same decorator shape)."""

                    def post(self, path):
                        return lambda fn: fn

                    get = post


                app = Router()
                client = OpenAI()


                def answer(message):
                    r = client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": message}]
                    )
                    return r.choices[0].message.content


                @app.post("/chat")
                def chat(user_id: str, message: str) -> dict:
                    """Chat endpoint."""
                    return {"answer": answer(message)}


                @app.get("/health")
                def health() -> dict:
                    return {"ok": True}
                '''
            ),
        },
        "fx_web/routes.py",
        "fx_web.routes",
        lambda m, ai: (m.chat("user-7", "hi"), m.health()),
        options={"tier": "session", "agent_id": "support-bot"},
    ),
    Case(
        "serverless_handler_flushes",
        {
            "fx_lambda.py": src(
                """
                import json

                from openai import OpenAI

                client = OpenAI()


                def lambda_handler(event, context):
                    body = json.loads(event["body"])
                    r = client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": body["q"]}]
                    )
                    return {"statusCode": 200, "body": r.choices[0].message.content}
                """
            )
        },
        "fx_lambda.py",
        "fx_lambda",
        in_session(lambda m: m.lambda_handler({"body": '{"q": "hi"}'}, None)),
    ),
    Case(
        "wrap_tier",
        {"fx_wrap/__init__.py": "", "fx_wrap/bot.py": SYNC_BOT},
        "fx_wrap/bot.py",
        "fx_wrap.bot",
        in_session(lambda m: m.ask("hi")),
        options={"tier": "wrap"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_app_chain(case: Case, tmp_path: Path, run_app) -> None:
    root = tmp_path / case.name
    write_project(root, case.files)
    original = (root / case.target).read_bytes()

    first = instrument(root, case.target, **case.options)
    assert len(first.result.edits) >= case.min_edits, first.result
    assert first.result.uninstrumented_after == len(case.remaining), first.result.model_dump()
    after = {p: p.read_bytes() for p in root.rglob("*.py")}
    assert after[root / case.target] != original

    again = instrument(root, case.target, **case.options)
    assert again.changes == [], again.result.diff
    assert again.result.diff == ""
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == after

    assert uninstrumented(root, case.target) == list(case.remaining)
    for rel in case.validate:
        assert uninstrumented(root, rel) == [], rel

    _, ai = run_app(root, case.module, case.drive)
    responses = ai.events_of_type(event_type("ai_response"))
    assert responses, f"no AI Response events; captured {[e['event_type'] for e in ai.events]}"
    for event in responses:
        assert prop(event, "provider") == case.provider
        assert prop(event, "model_name")
    ai.assert_all_valid()
