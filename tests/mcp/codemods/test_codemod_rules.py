"""The codemods' rules, one small file each: what is (and is never) edited, where imports go,
escaping of user strings, bootstrap reuse, skipped providers, legacy APIs, safe writes."""

from __future__ import annotations

import ast
import os
import stat
import textwrap
from pathlib import Path

import pytest
from codemod_harness import event_type, instrument, uninstrumented, write_project

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.workspace import WorkspaceError


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def plan(root: Path, rel: str, **options):
    return plan_file(root, (root / rel).resolve(), Options(**options))


def changed_lines(diff: str, rel: str) -> list[str]:
    """The +/- lines of one file's section of a multi-file unified diff."""
    section = diff.split(f"--- a/{rel}\n", 1)[1].split("\n--- ", 1)[0]
    return [
        line
        for line in section.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_strings_comments_and_docstrings_are_never_edited(tmp_path: Path) -> None:
    text = src(
        '''
        """Docs: from openai import OpenAI; client = OpenAI()"""
        from openai import OpenAI  # from openai import OpenAI

        EXAMPLE = "client = OpenAI()"
        # client = OpenAI()
        client = OpenAI()


        def helper():
            """OpenAI() is built above."""
            return f"{EXAMPLE} OpenAI()"
        '''
    )
    write_project(tmp_path, {"app.py": text})
    out = instrument(tmp_path, "app.py")
    new = (tmp_path / "app.py").read_text()
    assert (
        changed_lines(out.result.diff, "app.py")
        == [
            "-from openai import OpenAI  # from openai import OpenAI",
            "+from amplitude_ai import OpenAI  # from openai import OpenAI",
            "+from amplitude_bootstrap import ai",
            "-client = OpenAI()",
            "+client = OpenAI(amplitude=ai)",
        ]
        or "app.py" not in out.result.diff
    )
    for kept in (
        '"""Docs: from openai import OpenAI; client = OpenAI()"""',
        'EXAMPLE = "client = OpenAI()"',
        "# client = OpenAI()",
        '"""OpenAI() is built above."""',
        'return f"{EXAMPLE} OpenAI()"',
    ):
        assert kept in new


def test_new_imports_go_after_docstring_and_future_imports(tmp_path: Path) -> None:
    text = src(
        '''
        #!/usr/bin/env python
        """Module docstring stays first."""
        from __future__ import annotations

        import anthropic
        client = anthropic.Anthropic()
        '''
    )
    write_project(tmp_path, {"app.py": text})
    instrument(tmp_path, "app.py")
    lines = (tmp_path / "app.py").read_text().splitlines()
    assert lines[:7] == [
        "#!/usr/bin/env python",
        '"""Module docstring stays first."""',
        "from __future__ import annotations",
        "",
        "import anthropic",
        "import amplitude_ai",
        "from amplitude_bootstrap import ai",
    ]
    assert lines[7] == "client = amplitude_ai.Anthropic(amplitude=ai)"


def test_imports_after_docstring_when_the_file_has_none(tmp_path: Path) -> None:
    text = src(
        '''
        """Doc."""
        def ask(client):
            return client.messages.create(model="m", max_tokens=1, messages=[])
        '''
    )
    write_project(tmp_path, {"app.py": text})
    out = plan(tmp_path, "app.py")
    # Nothing is built here: nothing to change, nothing to import; the site is reported.
    assert out.changes == []
    assert [n.line for n in out.result.needs_input] == [3]


def test_multiline_parenthesized_mixed_import(tmp_path: Path) -> None:
    text = src(
        """
        from openai import (
            APIError,
            OpenAI,
            RateLimitError,
        )

        client = OpenAI(
            timeout=5,
            max_retries=0,
        )
        """
    )
    write_project(tmp_path, {"app.py": text})
    instrument(tmp_path, "app.py")
    new = (tmp_path / "app.py").read_text()
    assert new == src(
        """
        from openai import (
            APIError,
            RateLimitError,
        )
        from amplitude_ai import OpenAI
        from amplitude_bootstrap import ai

        client = OpenAI(
            timeout=5,
            max_retries=0,
            amplitude=ai,
        )
        """
    )


def test_an_existing_name_ai_is_not_shadowed(tmp_path: Path) -> None:
    text = src(
        """
        from openai import OpenAI

        ai = "the app's own thing"
        client = OpenAI()
        """
    )
    write_project(tmp_path, {"app.py": text})
    instrument(tmp_path, "app.py")
    new = (tmp_path / "app.py").read_text()
    assert "from amplitude_bootstrap import ai as amplitude_ai_tracker" in new
    assert "client = OpenAI(amplitude=amplitude_ai_tracker)" in new
    assert 'ai = "the app\'s own thing"' in new


@pytest.mark.parametrize(
    "agent_id",
    ['x"); import os; os.system("echo pwned', "a\nb", "", "-leading", "x" * 65, "a b"],
)
def test_agent_ids_that_could_inject_code_are_refused(tmp_path: Path, agent_id: str) -> None:
    write_project(tmp_path, {"app.py": "from openai import OpenAI\nclient = OpenAI()\n"})
    with pytest.raises(WorkspaceError, match="agent_id"):
        plan(tmp_path, "app.py", agent_id=agent_id)
    assert not (tmp_path / "amplitude_bootstrap.py").exists()


@pytest.mark.parametrize(
    "description",
    ['Says "hi"', "it's \\ fine", '"""); import os #', "caf\u00e9 \u2603 \U0001f600", "'\"'"],
)
def test_descriptions_are_escaped_into_a_checked_literal(tmp_path: Path, description: str) -> None:
    write_project(tmp_path, {"app.py": "from openai import OpenAI\nclient = OpenAI()\n"})
    instrument(tmp_path, "app.py", agent_id="bot", agent_description=description)
    tree = ast.parse((tmp_path / "amplitude_bootstrap.py").read_text(encoding="utf-8"))
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "agent"
    ]
    assert len(calls) == 1
    assert ast.literal_eval(calls[0].keywords[0].value) == description
    assert not any(
        isinstance(n, ast.Import) and n.names[0].name == "os" and n.lineno > 8
        for n in ast.walk(tree)
    )


def test_description_with_control_characters_is_refused(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": "from openai import OpenAI\nclient = OpenAI()\n"})
    with pytest.raises(WorkspaceError, match="one line"):
        plan(tmp_path, "app.py", agent_id="bot", agent_description="two\nlines")


def test_existing_bootstrap_is_reused_and_agents_are_appended_once(tmp_path: Path) -> None:
    boot = src(
        '''
        """Our own bootstrap."""
        import os

        from amplitude_ai import AmplitudeAI

        ai = AmplitudeAI(api_key=os.environ.get("AMPLITUDE_AI_API_KEY"))
        billing_agent = ai.agent("billing")
        '''
    )
    app = "from openai import OpenAI\nclient = OpenAI()\n"
    write_project(tmp_path, {"amplitude_bootstrap.py": boot, "app.py": app, "other.py": app})
    instrument(tmp_path, "app.py", agent_id="support")
    instrument(tmp_path, "other.py", agent_id="support")
    instrument(tmp_path, "other.py", agent_id="billing")
    text = (tmp_path / "amplitude_bootstrap.py").read_text()
    assert text == boot + 'support_agent = ai.agent("support")\n'


def test_a_foreign_amplitude_bootstrap_file_is_not_overwritten(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "amplitude_bootstrap.py": "X = 1\n",
            "app.py": "from openai import OpenAI\nclient = OpenAI()\n",
        },
    )
    with pytest.raises(WorkspaceError, match="defines no module-level `ai`"):
        plan(tmp_path, "app.py")
    assert (tmp_path / "amplitude_bootstrap.py").read_text() == "X = 1\n"


def test_other_providers_are_reported_not_edited(tmp_path: Path) -> None:
    text = src(
        """
        from groq import Groq
        from cohere import ClientV2

        groq = Groq()
        co = ClientV2(api_key="k")


        def ask(q):
            groq.chat.completions.create(model="m", messages=[])
            return co.chat(model="m", messages=[])
        """
    )
    write_project(tmp_path, {"app.py": text})
    out = plan(tmp_path, "app.py")
    assert out.changes == []
    reasons = {(s.line, s.kind): s.reason for s in out.result.skipped}
    assert "not yet instrumentable automatically" in reasons[(4, "not_instrumentable")]
    assert "not yet instrumentable automatically" in reasons[(5, "not_instrumentable")]


LITELLM_APP = src(
    """
    import litellm


    def ask(q):
        return litellm.completion(model="gpt-4o", messages=[{"role": "user", "content": q}])


    async def embed(texts):
        return await litellm.aembedding(model="text-embedding-3-small", input=texts)
    """
)


def test_litellm_calls_are_left_alone_and_the_bootstrap_registers_the_callback(tmp_path):
    write_project(tmp_path, {"app.py": LITELLM_APP})
    out = plan(tmp_path, "app.py")
    assert out.result.skipped == [] and out.result.needs_input == []
    assert (out.result.uninstrumented_before, out.result.uninstrumented_after) == (2, 0)
    assert [e.kind for e in out.result.edits if e.file == "app.py"] == ["register_integration"]
    assert changed_lines(out.result.diff, "app.py") == ["+from amplitude_bootstrap import ai"]
    apply_changes(out.changes)
    boot = (tmp_path / "amplitude_bootstrap.py").read_text()
    assert "from amplitude_ai import patch_litellm" in boot
    assert boot.count("patch_litellm(amplitude=ai)") == 1
    assert plan(tmp_path, "app.py").changes == []  # applied: nothing left to do


def test_an_existing_bootstrap_gets_the_litellm_registration_once(tmp_path):
    write_project(
        tmp_path,
        {
            "amplitude_bootstrap.py": "import amplitude_ai\n\nai = amplitude_ai.AmplitudeAI()\n",
            "app.py": LITELLM_APP,
            "other.py": LITELLM_APP,
        },
    )
    apply_changes(plan(tmp_path, "app.py").changes)
    apply_changes(plan(tmp_path, "other.py").changes)
    boot = (tmp_path / "amplitude_bootstrap.py").read_text()
    assert boot.count("patch_litellm(amplitude=ai)") == 1
    assert "from amplitude_ai import patch_litellm" in boot


def test_the_patch_tier_covers_litellm_without_a_second_registration(tmp_path):
    write_project(tmp_path, {"app.py": LITELLM_APP})
    out = plan(tmp_path, "app.py", tier="patch")
    assert out.result.uninstrumented_after == 0
    apply_changes(out.changes)
    boot = (tmp_path / "amplitude_bootstrap.py").read_text()
    assert "patch(amplitude=ai)" in boot and "patch_litellm" not in boot


def test_legacy_amplitude_ai_apis_are_reported_precisely(tmp_path: Path) -> None:
    text = src(
        """
        import openai
        from amplitude import Amplitude
        import amplitude.ai as ai
        from amplitude.ai import get_openai, llm_session

        amplitude_client = Amplitude("key")
        OpenAI, AsyncOpenAI = get_openai()
        tracker = ai.track(amplitude_client, providers=["openai"])


        def chat(q):
            with llm_session(amplitude_client=amplitude_client, user_id="u") as session:
                session.track_user_message(q)
            return openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])
        """
    )
    text = text.replace("get_openai()\n", "get_openai()\nclient = OpenAI(ai_config=cfg)\n")
    write_project(tmp_path, {"app.py": text})
    out = plan(tmp_path, "app.py")
    assert out.changes == []
    legacy = {s.line: s.reason for s in out.result.skipped if s.kind == "migrate_legacy_api"}
    assert "old `amplitude.ai` module" in legacy[3]
    assert "old `amplitude.ai` module" in legacy[4]
    # ai_config carried privacy settings: not migrated silently.
    assert "old options (ai_config)" in legacy[7]
    assert "amplitude_ai.patch(amplitude=...)" in legacy[9]
    assert "agent>.session(user_id=...)" in legacy[13]
    assert "pre-1.0 openai module API" in legacy[15]


def test_files_without_llm_calls_are_left_alone(tmp_path: Path) -> None:
    text = "import os\n\n\ndef handler(event, context):\n    return os.getcwd()\n"
    write_project(tmp_path, {"app.py": text})
    out = plan(tmp_path, "app.py", tier="session", agent_id="bot")
    assert out.result.diff.count("app.py") == 0
    assert out.result.edits[0].kind == "add_bootstrap_module"  # only the requested agent


def test_session_tier_never_invents_a_user_id(tmp_path: Path) -> None:
    text = src(
        """
        from openai import OpenAI

        client = OpenAI()


        class App:
            def post(self, path):
                return lambda fn: fn


        app = App()


        @app.post("/chat")
        def chat(request, message: str):
            return client.chat.completions.create(model="m", messages=[])


        @app.post("/stream")
        def stream(message: str):
            yield client.chat.completions.create(model="m", messages=[], stream=True)
        """
    )
    write_project(tmp_path, {"app.py": text})
    out = instrument(tmp_path, "app.py", tier="session", agent_id="bot")
    new = (tmp_path / "app.py").read_text()
    assert "    with bot_agent.session():\n        return client" in new
    needs = {n.line: n for n in out.result.needs_input}
    assert needs[15].suggestion == "request.state.user.id"
    assert "where does the user id come from" in needs[20].question
    # a generator's session is opened inside it: it lasts while the stream is read
    assert "def stream(message: str):\n    with bot_agent.session():\n        yield client" in new
    literals = {n.value for n in ast.walk(ast.parse(new)) if isinstance(n, ast.Constant)}
    assert literals <= {"/chat", "/stream", "m", True}


def test_patch_tier(tmp_path: Path, run_app) -> None:
    import amplitude_ai

    text = src(
        """
        from openai import OpenAI

        client = OpenAI()


        def ask(q):
            r = client.chat.completions.create(model="gpt-4o-mini", messages=[])
            return r.choices[0].message.content
        """
    )
    write_project(tmp_path, {"app.py": text})
    out = instrument(tmp_path, "app.py", tier="patch")
    assert out.result.uninstrumented_after == 0
    assert "patch(amplitude=ai)" in (tmp_path / "amplitude_bootstrap.py").read_text()
    assert instrument(tmp_path, "app.py", tier="patch").changes == []
    assert uninstrumented(tmp_path, "app.py") == []

    def drive(mod, ai):
        with ai.agent("t").session(user_id="u"):
            return mod.ask("hi")

    try:
        _, ai = run_app(tmp_path, "app", drive)
    finally:
        amplitude_ai.unpatch()
    assert ai.events_of_type(event_type("ai_response"))


def test_apply_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": "from openai import OpenAI\nclient = OpenAI()\n"})
    out = plan(tmp_path, "app.py")
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()  # edited\n")
    with pytest.raises(WorkspaceError, match="changed since it was read"):
        apply_changes(out.changes)
    assert (tmp_path / "app.py").read_text().endswith("# edited\n")
    assert not (tmp_path / "amplitude_bootstrap.py").exists()


def test_apply_keeps_mode_bits_and_leaves_no_temp_files(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": "from openai import OpenAI\nclient = OpenAI()\n"})
    os.chmod(tmp_path / "app.py", 0o750)
    instrument(tmp_path, "app.py")
    assert stat.S_IMODE((tmp_path / "app.py").stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["amplitude_bootstrap.py", "app.py"]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.py", b"def f(:\n    pass\n", r"syntax error \(invalid syntax\) at line 1, column 6"),
        ("notes.txt", b"hello\n", "not a .py file"),
        ("blob.py", b"\x00\x01binary", "binary"),
        ("latin.py", b"x = '\xe9'\n", "not valid UTF-8"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_error(
    tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    write_project(tmp_path, {name: content})
    with pytest.raises(WorkspaceError, match=match):
        plan(tmp_path, name)
    assert (tmp_path / name).read_bytes() == content


def test_huge_files_are_refused(tmp_path: Path) -> None:
    write_project(tmp_path, {"big.py": b"x = 1\n" * 200_000})
    with pytest.raises(WorkspaceError, match="limit"):
        plan(tmp_path, "big.py")


def test_every_import_that_binds_the_client_name_moves_at_once(tmp_path: Path) -> None:
    # Found by the mutation fuzz test: two bindings of the name used to need two runs.
    text = "from openai import OpenAI\nfrom openai import OpenAI\n\nclient = OpenAI()\n"
    write_project(tmp_path, {"app.py": text})
    instrument(tmp_path, "app.py")
    assert (tmp_path / "app.py").read_text() == (
        "from amplitude_ai import OpenAI\nfrom amplitude_ai import OpenAI\n"
        "from amplitude_bootstrap import ai\n\nclient = OpenAI(amplitude=ai)\n"
    )
    assert instrument(tmp_path, "app.py").changes == []


def test_get_openai_classes_migrate_to_the_drop_ins_when_safe(tmp_path: Path) -> None:
    text = src(
        '''
        """Old-style app."""
        from amplitude import Amplitude
        from amplitude.ai import get_openai

        amplitude_client = Amplitude("key")

        # Instrumented classes from the old module.
        OpenAI, AsyncOpenAI = get_openai()

        client = OpenAI(api_key="x", amplitude_client=amplitude_client)
        aclient = AsyncOpenAI(amplitude_client=amplitude_client)


        def ask(q):
            return client.chat.completions.create(model="gpt-4o", messages=[])
        '''
    )
    write_project(tmp_path, {"app.py": text})
    out = instrument(tmp_path, "app.py")
    assert [e.kind for e in out.result.edits] == ["migrate_legacy_api"]
    new = (tmp_path / "app.py").read_text()
    assert "amplitude.ai" not in new
    assert "# Instrumented classes from the old module.\nfrom amplitude_ai import OpenAI, " in new
    assert 'client = OpenAI(api_key="x", amplitude=amplitude_client)' in new
    assert "aclient = AsyncOpenAI(amplitude=amplitude_client)" in new
    compile(new, "app.py", "exec")
    assert uninstrumented(tmp_path, "app.py") == []
    assert instrument(tmp_path, "app.py").changes == []


def test_session_tier_without_agent_id_asks_and_suggests_one(tmp_path: Path) -> None:
    text = src(
        """
        from openai import OpenAI

        client = OpenAI()


        def answer(user_id, q):
            return client.chat.completions.create(model="m", messages=[])
        """
    )
    write_project(tmp_path, {"help_desk/__init__.py": "", "help_desk/bot.py": text})
    out = plan(tmp_path, "help_desk/bot.py", tier="session", content_mode="metadata_only")
    (ask,) = [n for n in out.result.needs_input if "agent id" in n.question]
    assert ask.suggestion == "help-desk"
    boot = next(c for c in out.changes if c.path.name == "amplitude_bootstrap.py").new.decode()
    assert 'help_desk_agent = ai.agent("help-desk")' in boot
    assert "AIConfig(content_mode=ContentMode.METADATA_ONLY)" in boot
    assert "with help_desk_agent.session(user_id=user_id):" in out.result.diff


def test_an_import_that_cannot_be_split_is_left_and_the_drop_in_called_by_path(
    tmp_path: Path,
) -> None:
    text = "import sys\nif sys: from openai import APIError, OpenAI\n\nclient = OpenAI()\n"
    write_project(tmp_path, {"app.py": text})
    instrument(tmp_path, "app.py")
    new = (tmp_path / "app.py").read_text()
    assert "if sys: from openai import APIError, OpenAI\n" in new
    assert "client = amplitude_ai.OpenAI(amplitude=ai)" in new
    assert uninstrumented(tmp_path, "app.py") == []
    assert instrument(tmp_path, "app.py").changes == []


def test_session_tier_follows_handlers_into_other_modules(tmp_path: Path, run_app) -> None:
    files = {
        "fx_multi/__init__.py": "",
        "fx_multi/escalation.py": src(
            """
            from anthropic import Anthropic


            class Escalation:
                def __init__(self):
                    self.client = Anthropic()

                def handle(self, message):
                    msg = self.client.messages.create(
                        model="claude-3-5-haiku-latest",
                        max_tokens=50,
                        messages=[{"role": "user", "content": message}],
                    )
                    return msg.content[0].text
            """
        ),
        "fx_multi/routes.py": src(
            """
            from .escalation import Escalation


            class Router:
                def post(self, path):
                    return lambda fn: fn


            app = Router()
            escalation = Escalation()


            @app.post("/escalate")
            def escalate(user_id: str, message: str) -> dict:
                return {"reply": escalation.handle(message)}


            @app.post("/ping")
            def ping(user_id: str) -> dict:
                return {"ok": True}
            """
        ),
    }
    write_project(tmp_path, files)
    instrument(tmp_path, "fx_multi/escalation.py")
    out = instrument(tmp_path, "fx_multi/routes.py", tier="session", agent_id="support")
    assert [(e.file, e.line, e.kind) for e in out.result.edits] == [
        ("fx_multi/routes.py", 14, "add_session_context"),
        ("fx_multi/amplitude_bootstrap.py", 0, "add_bootstrap_module"),
    ]
    new = (tmp_path / "fx_multi/routes.py").read_text()
    assert 'def ping(user_id: str) -> dict:\n    return {"ok": True}' in new  # no LLM: untouched
    again = instrument(tmp_path, "fx_multi/routes.py", tier="session", agent_id="support")
    assert again.changes == []
    assert uninstrumented(tmp_path, "fx_multi/escalation.py") == []

    _, ai = run_app(tmp_path, "fx_multi.routes", lambda mod, ai: mod.escalate("user-9", "hi"))
    responses = ai.events_of_type(event_type("ai_response"))
    assert responses
    assert {e["user_id"] for e in responses} == {"user-9"}


def test_session_tier_suggests_the_user_field_of_a_request_body(tmp_path: Path) -> None:
    text = src(
        """
        from openai import OpenAI
        from pydantic import BaseModel

        client = OpenAI()


        class ChatRequest(BaseModel):
            user_id: str
            message: str


        class App:
            def post(self, path):
                return lambda fn: fn


        app = App()


        @app.post("/chat")
        def chat(req: ChatRequest):
            return client.chat.completions.create(model="m", messages=[])
        """
    )
    write_project(tmp_path, {"app.py": text})
    out = plan(tmp_path, "app.py", tier="session", agent_id="bot")
    [need] = out.result.needs_input
    assert need.suggestion == "req.user_id"  # not req.state.user.id: req is the body here


def test_session_tier_opens_the_session_inside_the_generator_of_a_streaming_response(
    tmp_path: Path,
) -> None:
    text = src(
        """
        from fastapi import FastAPI
        from fastapi.responses import StreamingResponse
        from flask import Flask, Response, stream_with_context
        from openai import OpenAI

        client = OpenAI()
        app = FastAPI()
        web = Flask(__name__)


        @app.post("/stream")
        def stream(user_id: str, message: str):
            def tokens():
                for chunk in client.chat.completions.create(model="m", messages=[], stream=True):
                    yield chunk.choices[0].delta.content or ""

            return StreamingResponse(tokens(), media_type="text/plain")


        def relay(user_id):
            for chunk in client.chat.completions.create(model="m", messages=[], stream=True):
                yield chunk.choices[0].delta.content or ""


        @web.get("/relay")
        def relay_route():
            return Response(stream_with_context(relay("u1")), mimetype="text/plain")


        @web.get("/opaque")
        def opaque():
            chunks = client.chat.completions.create(model="m", messages=[], stream=True)
            return Response(stream_with_context(chunks))
        """
    )
    write_project(tmp_path, {"app.py": text})
    out = instrument(tmp_path, "app.py", tier="session", agent_id="bot")
    new = (tmp_path / "app.py").read_text()
    assert "    def tokens():\n        with bot_agent.session(user_id=user_id):\n" in new
    assert "def relay(user_id):\n    with bot_agent.session(user_id=user_id):\n" in new
    assert "def stream(user_id: str, message: str):\n    def tokens" in new  # handler as is
    assert "def relay_route():\n    return Response" in new
    reasons = " ".join(e.reason for e in out.result.edits)
    assert "inside the generator tokens" in reasons and "inside the generator relay" in reasons
    assert any("opaque returns a stream" in s.reason for s in out.result.skipped)
    assert "def opaque():\n    chunks = client" in new
    assert ast.parse(new)


def test_a_handler_that_calls_the_model_itself_keeps_its_session_around_the_body(
    tmp_path: Path,
) -> None:
    text = src(
        """
        from flask import Flask, Response
        from openai import OpenAI

        client = OpenAI()
        web = Flask(__name__)


        @web.get("/story")
        def story(user_id: str):
            reply = client.chat.completions.create(model="m", messages=[])

            def lines():
                yield from reply.choices[0].message.content.splitlines()

            return Response(lines())
        """
    )
    write_project(tmp_path, {"app.py": text})
    instrument(tmp_path, "app.py", tier="session", agent_id="bot")
    new = (tmp_path / "app.py").read_text()
    assert "def story(user_id: str):\n    with bot_agent.session(user_id=user_id):\n" in new
    assert "def lines():\n            yield from" in new
