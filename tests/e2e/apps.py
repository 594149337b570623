"""The example apps of ``tests/apps``: each has ``original/`` (as a user wrote it) and
``instrumented/`` (written by hand following the instrument_file contract), and the module
whose verify test is generated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

APPS_DIR = Path(__file__).resolve().parents[1] / "apps"

# app -> (module to verify, what it exercises)
APPS: dict[str, tuple[str, str]] = {
    "openai_sync": ("chatbot.py", "sync OpenAI chat at module level"),
    "openai_async": ("async_chat.py", "AsyncOpenAI with asyncio.gather"),
    "openai_streaming": ("streamer.py", "stream=True chat completion"),
    "openai_responses": ("responder.py", "Responses API"),
    "azure_openai": ("azure_bot.py", "AzureOpenAI with a deployment"),
    "anthropic_messages": ("claude_bot.py", "Anthropic messages.create and messages.stream"),
    "fastapi_app": ("support_api/main.py", "FastAPI async route with a pydantic body"),
    "flask_app": ("flask_bot/app.py", "Flask route reading request JSON"),
    "cli_loop": ("cli.py", "terminal loop (input()) around a chat turn"),
    "class_client": ("assistant.py", "class holding self.client"),
    "client_param": ("summarizer.py", "client passed as a parameter"),
    "aliased_imports": ("multi_provider.py", "import openai as oa; Anthropic as Claude"),
    "shared_client": ("shop/recommend.py", "module-level client imported from another module"),
    "multi_agent": ("newsroom/orchestrator.py", "orchestrator over two agents, two providers"),
    "tab_indented": ("tabbed.py", "tab indentation"),
    "crlf_endings": ("crlf_bot.py", "CRLF line endings, AsyncAnthropic"),
    "docstring_future": ("notes.py", "coding cookie, module docstring, __future__ import"),
}

# Apps with only ``original/``: instrumented by the real tools, verified at project level
# (generate_verify_test without a path). app -> what it exercises.
PROJECT_APPS: dict[str, str] = {
    "ticket_triage": "package with a client module; unannotated params used as list and dict",
    "tool_agent": "OpenAI tool-call loop; json.loads of tool arguments",
    "json_extractor": "response_format json_object and json.loads of the reply",
    "flask_stream": "Flask stream_with_context over a module-level generator; form fields",
    "fastapi_stream": "FastAPI StreamingResponse, async stream, nested generator, settings",
    "post_then_get": "Flask POST stores the prompt in the session, GET streams the reply",
    "embed_search": "embeddings only",
    "env_config": "env config read at import (os.environ[...], os.getenv), Anthropic",
    "hyphen_example": "examples/chat-basic/app.py: a module-level script, hyphenated folder",
    "callback_handler": "callback registered with a decorator, event dict and a callable",
    "module_script": "Anthropic call at module level with only a system prompt + user text",
    "stdin_chat": "stdin chat loop under __main__",
    "parse_structured": "beta.chat.completions.parse with a pydantic response_format",
    "anthropic_tools": "Anthropic tool_use loop, customer dict",
    "argparse_cli": "argparse CLI with a positional and a required option",
    "custom_param": "a parameter of an app class: answered through generate_verify_test inputs",
    "notify_service": "an SMTP client built at import: its stub answered through inputs",
    "click_cli": "click command with an argument and a required choice option, Anthropic",
    "router_schemas": "FastAPI app factory, APIRouter, request model imported from schemas.py",
    "system_only": "a job whose request has only a system message (no user turn to track)",
    "gradio_chat": "UI callback respond(message, history) iterating (user, bot) pairs",
    "client_injection": "a class given the module's client in __init__ (dependency injection)",
    "bedrock_service": "boto3 bedrock-runtime from a client factory; converse, stream, invoke",
    "gemini_recipes": "google-genai client from a factory in a package: generate_content, "
    "stream, chat session, embeddings, client.aio with asyncio.gather, settings module",
    "mistral_helpdesk": "mistralai client imported under an alias in a connection module: "
    "chat.complete, chat.stream, chat.complete_async, embeddings, a dataclass config",
    "gemini_concierge": "class holding a google-genai Client (wrap tier): chat sessions, "
    "send_message_stream, aio chat session, a module-level instance and a __main__ block",
    "mistral_quizmaster": "a factory building a mistralai client per call (patch tier): "
    "chat.complete and an async chat.stream_async iterated with async for",
    "litellm_router": "LiteLLM module functions behind a router module, models from env settings",
    "compat_hosts": "OpenAI clients on Groq and Ollama base URLs from a config dataclass, "
    "lru_cache factories, moderation and legacy completions on the platform client",
}


# Apps built on an agent framework (instrumented by the framework's integration, registered
# in the bootstrap): verified like PROJECT_APPS, each in its own pytest process, since the
# integrations are registered process-wide. app -> what it exercises.
FRAMEWORK_APPS: dict[str, str] = {
    "langchain_chains": "LCEL chains (prompt | model factory | parser): invoke and stream",
    "langgraph_graph": "compiled StateGraph whose node calls ChatOpenAI; hyphenated folder",
    "llamaindex_engine": "SimpleChatEngine over a custom LLM calling OpenAI (gateway)",
    "openai_agents_runner": "Agents SDK: async Runner.run on a triage agent with handoffs",
    "pydantic_ai_agent": "pydantic-ai Agent.run_sync, model name from settings",
    "fastapi_langchain": "FastAPI route awaiting an LCEL chain's ainvoke; ASGI middleware",
    "flask_langchain": "Flask app built by a factory, view invoking ChatOpenAI; WSGI middleware",
    "summary_service": "FastAPI factory that returns FastAPI(...) unnamed, an APIRouter included "
    "with a prefix, settings via lru_cache, an async LCEL chain; middleware user from a header",
    "wiki_flask_factory": "Flask get_application() returning Flask(__name__), config class, "
    "ChatOpenAI view; WSGI middleware user id from a forwarded-user header",
    "digest_cli": "argparse script (python -m digest.cli) invoking an LCEL chain under "
    "__main__: the script itself must load the bootstrap",
}


@dataclass(frozen=True)
class Chain:
    tier: str = "swap"
    agent_id: str | None = None
    files: tuple[str, ...] = ()  # default: the files with LLM call sites
    user_id: str | None = None  # the developer's answer to "where does the user id come from?"
    inputs: dict[str, str] | None = None  # answers to generate_verify_test's needs_input


CHAINS = {
    "fastapi_app": Chain("session", "support", user_id="req.user_id"),
    # the session opens before the handler's first line, so the answer reads the request
    "flask_app": Chain("session", "flask-bot", user_id='request.get_json()["user_id"]'),
    # the client is built in shop/llm.py; instrument_file on recommend.py points there
    "shared_client": Chain(files=("shop/llm.py",)),
    "ticket_triage": Chain(files=("triage/llm.py",)),
    # user_id is a parameter of the generator: the session opens inside it with that id
    "flask_stream": Chain("session", "streamer"),
    "fastapi_stream": Chain("session", "chat", user_id="body.user_id"),
    "post_then_get": Chain("session", "chat", user_id="request.remote_addr"),
    "custom_param": Chain(inputs={"assistant.py:reply:memory": "module.Memory()"}),
    "notify_service": Chain(inputs={"notify.py:mailer:stub": "mock.MagicMock()"}),
    "router_schemas": Chain("session", "qa", user_id="q.user_id"),
    # the client is built by a factory in recipe_box/genai_client.py
    "gemini_recipes": Chain(files=("recipe_box/genai_client.py",)),
    "mistral_helpdesk": Chain(files=("helpdesk/mistral_conn.py",)),
    "gemini_concierge": Chain("wrap"),
    "mistral_quizmaster": Chain("patch", files=("quiz/llm_factory.py",)),
    # middleware next to ``app = FastAPI()`` / inside the Flask factory, user id from a header
    "fastapi_langchain": Chain(
        files=("qa_service/chains.py", "qa_service/main.py"),
        user_id='request.headers.get("x-user-id")',
    ),
    "flask_langchain": Chain(user_id='environ.get("HTTP_X_USER_ID")'),
    # the route is on a router; the app that includes it is built by a factory in main.py
    "summary_service": Chain(
        files=("summary_api/routers/summaries.py", "summary_api/main.py"),
        user_id='request.headers.get("X-Api-User")',
    ),
    "wiki_flask_factory": Chain(user_id='environ.get("HTTP_X_FORWARDED_USER")'),
    # a graph node is a function of the state: the developer answers with a state
    "langgraph_graph": Chain(
        inputs={
            "apps/research-graph/nodes.py:write_answer:state": (
                '{"question": "Why is the sky blue?", "notes": "Rayleigh scattering."}'
            )
        }
    ),
    # the boto3 client is built by a factory in faq_bot/clients.py
    "bedrock_service": Chain(files=("faq_bot/clients.py",)),
    "compat_hosts": Chain(files=("moderation-desk/desk/backends.py",)),
}


def copy_app(app: str, variant: str, dest: Path) -> Path:
    """Copy ``tests/apps/<app>/<variant>`` to ``dest`` (a fresh project root)."""
    shutil.copytree(APPS_DIR / app / variant, dest)
    return dest.resolve()


def bootstrap_files(app: str) -> list[Path]:
    """The bootstrap module(s) of the instrumented variant, relative to its root."""
    root = APPS_DIR / app / "instrumented"
    return [p.relative_to(root) for p in sorted(root.rglob("amplitude_bootstrap.py"))]


_SECRETS = ("AMPLITUDE_AI_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY")


def offline_env() -> dict[str, str]:
    """This environment without API keys: the generated tests must not need any."""
    env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def outcomes(xml: Path) -> dict[str, list[tuple[str, str, str]]]:
    """app -> [(test name, passed|failed|error|skipped, message)] from a JUnit XML report."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        app = case.get("classname", "").split(".")[0]
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = "failed" if tag == "failure" else tag
                message = (node.get("message") or "") + "\n" + (node.text or "")
        found.setdefault(app, []).append((case.get("name", ""), outcome, message))
    return found


def run_pytest_per_variant(
    base: Path, variants: Iterable[str]
) -> tuple[dict[str, str], dict[str, dict[str, list[tuple[str, str, str]]]]]:
    """Run pytest over ``base/<variant>`` for each variant, concurrently and offline.

    Returns (variant -> combined output, variant -> :func:`outcomes`).
    """
    procs = {
        variant: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--import-mode=importlib",
                "--rootdir",
                str(base / variant),
                f"--junitxml={base / variant}.xml",
                "-o",
                "junit_family=xunit1",
                str(base / variant),
            ],
            cwd=base / variant,
            env=offline_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for variant in variants
    }
    logs = {variant: proc.communicate(timeout=300)[0] for variant, proc in procs.items()}
    return logs, {v: outcomes(Path(f"{base / v}.xml")) for v in procs}
