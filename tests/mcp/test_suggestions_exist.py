"""validate_setup, suggest_instrumentation and validate_file only ever suggest what exists.

Every SDK name a suggestion spells (``amplitude_ai.X``, ``from amplitude_ai import X``,
``amplitude_ai.patch_x(...)``) is imported from the installed SDK, every extra
(``amplitude-ai[x]``) is looked up in pyproject, and a provider the SDK does not instrument
is never offered a drop-in, ``wrap()`` or patch function -- checked for every provider id the
registry knows, on a project that declares and calls all of them.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

import amplitude_ai
from amplitude_ai.providers.registry import BY_ID, KNOWN_PROVIDERS, PROVIDERS, provider_ids
from amplitude_ai_mcp.detect.project import scan
from amplitude_ai_mcp.detect.validate import validate_source
from amplitude_ai_mcp.setup_check import validate_setup
from amplitude_ai_mcp.suggest import from_arguments, from_scan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
EXTRAS = set(
    tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
)

_SDK_NAMES = re.compile(r"amplitude_ai\.([A-Za-z_]\w*)|from amplitude_ai import ([\w, ]+)")
_EXTRA = re.compile(r"amplitude-ai\[([\w-]+)\]")

# Every provider the registry knows, as an app would use it.
APP = textwrap.dedent(
    """
    import boto3
    import cohere
    import litellm
    import ollama
    from google import genai
    from groq import Groq
    from mistralai.client import Mistral
    from openai import AzureOpenAI, OpenAI
    from anthropic import Anthropic

    oa = OpenAI()
    az = AzureOpenAI()
    an = Anthropic()
    gm = genai.Client()
    ms = Mistral(api_key="k")
    gq = Groq()
    co = cohere.ClientV2()
    br = boto3.client("bedrock-runtime")


    def handle(q):
        oa.chat.completions.create(model="m", messages=[])
        az.chat.completions.create(model="m", messages=[])
        an.messages.create(model="m", max_tokens=5, messages=[])
        gm.models.generate_content(model="m", contents=q)
        ms.chat.complete(model="m", messages=[])
        gq.chat.completions.create(model="m", messages=[])
        co.chat(model="m", messages=[])
        br.converse(modelId="m", messages=[])
        litellm.completion(model="m", messages=[])
        ollama.chat(model="m", messages=[])
    """
)


def _check_exists(text: str) -> list[str]:
    """The SDK names and extras ``text`` suggests that do not exist."""
    missing = []
    for attr, imported in _SDK_NAMES.findall(text):
        for name in [attr] if attr else [n.strip().split(" as ")[0] for n in imported.split(",")]:
            if name and not hasattr(amplitude_ai, name):
                missing.append(f"amplitude_ai.{name}")
    missing += [f"amplitude-ai[{e}]" for e in _EXTRA.findall(text) if e not in EXTRAS]
    return missing


def _offers_instrumentation(text: str) -> bool:
    return bool(re.search(r"drop-in|wrap\(|patch_\w+\(|amplitude_ai\.[A-Z]", text))


@pytest.mark.parametrize("provider", provider_ids())
def test_suggest_from_arguments_names_only_what_exists(provider: str) -> None:
    result = from_arguments("flask", provider, "full")
    text = "\n".join(s.detail or "" for s in result.steps)
    assert _check_exists(text) == []
    spec = BY_ID.get(provider)
    if spec is None:  # recognised, not instrumented: the registry's reason, no offer
        assert not _offers_instrumentation(text), text
        assert next(k for k in KNOWN_PROVIDERS if k.id == provider).reason in text
    else:
        for drop_in in spec.drop_ins:
            assert f"amplitude_ai.{drop_in}" in text
        if spec.patch_function:
            assert f"amplitude_ai.{spec.patch_function}(" in text


def test_suggestion_checker_catches_what_does_not_exist() -> None:
    assert _check_exists("from amplitude_ai import Client") == ["amplitude_ai.Client"]
    assert _check_exists("use amplitude_ai.patch_cohere()") == ["amplitude_ai.patch_cohere"]
    assert _check_exists("pip install 'amplitude-ai[bedrockx]'") == ["amplitude-ai[bedrockx]"]
    assert _check_exists("from amplitude_ai import Gemini as Client, wrap") == []


def test_project_with_every_provider(tmp_path: Path) -> None:
    dists = sorted({p.distribution for p in PROVIDERS} | {k.distribution for k in KNOWN_PROVIDERS})
    (tmp_path / "requirements.txt").write_text("\n".join(dists) + "\n")
    (tmp_path / "app.py").write_text(APP)

    setup = validate_setup(tmp_path, env={"AMPLITUDE_AI_API_KEY": "k" * 32})
    setup_text = "\n".join(f"{c.detail}\n{c.fix or ''}" for c in setup.checks)
    assert _check_exists(setup_text) == []
    for known in KNOWN_PROVIDERS:
        if known.id not in BY_ID:  # reported as recognised with the reason, never "supported"
            check = next(c for c in setup.checks if c.name == f"provider_{known.id}")
            assert known.reason in check.detail and not _offers_instrumentation(check.detail)

    validation = validate_source(APP, "app.py", tmp_path, "app.py")
    assert {s.provider for s in validation.call_sites} >= set(provider_ids()) - {
        "google_generativeai"
    }
    tips = validation.suggestions
    assert _check_exists("\n".join(tips)) == []
    for tip in tips:
        provider = tip.split(": ", 2)[1] if tip.count(": ") >= 2 else ""
        if provider in {k.id for k in KNOWN_PROVIDERS} - set(BY_ID):
            assert not _offers_instrumentation(tip), tip

    scanned = scan(tmp_path)
    suggestion = from_scan(scanned, "full")
    text = "\n".join(s.detail or "" for s in suggestion.steps)
    assert _check_exists(text) == []
    called = {s.provider for s in scanned.call_sites}
    for known in KNOWN_PROVIDERS:
        if known.id not in BY_ID and known.id in called:
            assert f"{known.id}: {known.reason}" in text
