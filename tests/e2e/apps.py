"""The example apps of ``tests/apps``: each has ``original/`` (as a user wrote it) and
``instrumented/`` (written by hand following the instrument_file contract), and the module
whose verify test is generated."""

from __future__ import annotations

import shutil
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


def copy_app(app: str, variant: str, dest: Path) -> Path:
    """Copy ``tests/apps/<app>/<variant>`` to ``dest`` (a fresh project root)."""
    shutil.copytree(APPS_DIR / app / variant, dest)
    return dest.resolve()


def bootstrap_files(app: str) -> list[Path]:
    """The bootstrap module(s) of the instrumented variant, relative to its root."""
    root = APPS_DIR / app / "instrumented"
    return [p.relative_to(root) for p in sorted(root.rglob("amplitude_bootstrap.py"))]
