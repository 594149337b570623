"""instrument_file on google-genai and mistralai clients: every tier (swap, wrap, patch) for
every way the client class is spelled, ending with 0 uninstrumented sites and a re-plan that
changes nothing. The drop-in names come from the provider registry, so a provider class whose
name differs from its drop-in (google-genai's ``Client`` -> ``amplitude_ai.Gemini``) is
imported under the name the code already uses."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from codemod_harness import instrument, uninstrumented, write_project

import amplitude_ai
from amplitude_ai_mcp.codemods.plan import Options, plan_file

GEMINI = """
from google.genai import Client
from google.genai import Client as GC, types
from google import genai

direct = Client(api_key="k")
aliased = GC(api_key="k")
by_module = genai.Client(api_key="k")


def ask(q: str) -> str:
    direct.models.generate_content(model="m", contents=q)
    config = types.GenerateContentConfig()
    aliased.models.generate_content_stream(model="m", contents=q, config=config)
    by_module.models.embed_content(model="e", contents=q)
    chat = direct.chats.create(model="m")
    chat.send_message(q)
    return "ok"


async def ask_async(q: str) -> str:
    await direct.aio.models.generate_content(model="m", contents=q)
    session = aliased.aio.chats.create(model="m")
    await session.send_message(q)
    return "ok"
"""

MISTRAL = """
import mistralai.client as mc
from mistralai.client import Mistral
from mistralai.client import Mistral as M

one = Mistral(api_key="k")
two = M(api_key="k")
three = mc.Mistral(api_key="k")


def ask(q: str) -> None:
    one.chat.complete(model="m", messages=[{"role": "user", "content": q}])
    two.chat.stream(model="m", messages=[{"role": "user", "content": q}])
    three.embeddings.create(model="mistral-embed", inputs=[q])


async def ask_async(q: str) -> None:
    await one.chat.complete_async(model="m", messages=[])
    await two.chat.stream_async(model="m", messages=[])
"""


def _names_imported_from_sdk(text: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module == "amplitude_ai":
            found |= {a.name for a in node.names}
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "amplitude_ai"
        ):
            found.add(node.attr)
    return found


@pytest.mark.parametrize("source", [GEMINI, MISTRAL], ids=["gemini", "mistral"])
@pytest.mark.parametrize("tier", ["swap", "wrap", "patch"])
def test_every_tier_leaves_nothing_uninstrumented(tmp_path: Path, source: str, tier: str) -> None:
    write_project(tmp_path, {"app.py": textwrap.dedent(source).lstrip()})
    before = uninstrumented(tmp_path, "app.py")
    assert len(before) >= 5, before
    outcome = instrument(tmp_path, "app.py", tier=tier)
    assert not [s for s in outcome.result.skipped if s.kind == "not_instrumentable"]
    assert uninstrumented(tmp_path, "app.py") == []
    text = (tmp_path / "app.py").read_text()
    # Only names the SDK has: no ``from amplitude_ai import Client``.
    for name in _names_imported_from_sdk(text) | _names_imported_from_sdk(
        (tmp_path / "amplitude_bootstrap.py").read_text()
    ):
        assert hasattr(amplitude_ai, name), name
    again = plan_file(tmp_path, (tmp_path / "app.py").resolve(), Options(tier=tier))
    assert again.changes == []


def test_swap_imports_the_gemini_drop_in_under_the_name_in_use(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": textwrap.dedent(GEMINI).lstrip()})
    instrument(tmp_path, "app.py", tier="swap")
    text = (tmp_path / "app.py").read_text()
    assert "from amplitude_ai import Gemini as Client\n" in text
    assert "from amplitude_ai import Gemini as GC\n" in text
    assert "from google.genai import types\n" in text  # the other name stays
    assert 'by_module = amplitude_ai.Gemini(api_key="k", amplitude=ai)' in text


def test_swap_of_mistral_keeps_the_alias(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": textwrap.dedent(MISTRAL).lstrip()})
    instrument(tmp_path, "app.py", tier="swap")
    text = (tmp_path / "app.py").read_text()
    assert "from amplitude_ai import Mistral\n" in text
    assert "from amplitude_ai import Mistral as M\n" in text
    assert 'three = amplitude_ai.Mistral(api_key="k", amplitude=ai)' in text
