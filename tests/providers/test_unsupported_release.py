"""A provider SDK release the wrappers cannot hook (simulated: a client class whose
``request`` no longer has the ``(cast_to, options)`` shape) keeps working, untracked: the
drop-in is the plain client, ``patch()`` skips it and says so, and each warns once."""

from __future__ import annotations

import warnings
from importlib import metadata

import anthropic
import openai
import pytest

import amplitude_ai
from amplitude_ai.providers import _compat, _openai_fields
from amplitude_ai.providers import openai as openai_drop_ins
from amplitude_ai.providers._compat import UnsupportedProviderWarning
from amplitude_ai.providers._factory import OPENAI_RESOURCES, build_client_class
from amplitude_ai.providers.registry import BY_ID
from providers._helpers import anthropic_kwargs, openai_kwargs, tracked

QUESTION = [{"role": "user", "content": "What is retention?"}]
INSTALLED = metadata.version("openai")


class FutureOpenAI(openai.OpenAI):
    """Stands in for a release whose request funnel changed shape."""

    def request(self, *args, **kwargs):  # type: ignore[override]
        return super().request(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_warnings():
    _compat.reset_warnings()
    yield
    _compat.reset_warnings()


def _drop_in():
    return build_client_class(
        "OpenAI",
        FutureOpenAI,
        provider="openai",
        resolver=_openai_fields.resolve,
        resources=OPENAI_RESOURCES,
        is_async=False,
        module="amplitude_ai.providers.openai",
        doc="test",
    )


def test_the_drop_in_is_the_plain_client_and_warns_once(server, llm, ai):
    cls = _drop_in()
    expected = rf"openai {INSTALLED} \(supported: openai>=1\.0,<4\) cannot be instrumented"
    with pytest.warns(UnsupportedProviderWarning, match=expected):
        client = cls(amplitude=ai, **openai_kwargs(server))
    assert isinstance(client, openai.OpenAI)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second client does not warn again
        second = cls(amplitude=ai, **openai_kwargs(server))
    reply = second.chat.completions.create(
        model="gpt-4o", messages=QUESTION, amplitude_user_id="u1"
    )
    assert reply.choices[0].message.content
    assert not any(k.startswith("amplitude") for k in llm.calls[0].body)  # still stripped
    assert ai.events == []  # untracked, and nothing raised


def test_patch_skips_the_release_and_says_so(server, llm, ai, session, monkeypatch):
    monkeypatch.setattr(openai, "OpenAI", FutureOpenAI)
    with pytest.warns(UnsupportedProviderWarning, match="has no request hook"):
        result = amplitude_ai.patch(amplitude=ai)
    assert result[0] == "anthropic"
    assert set(result[1:]) <= {"gemini", "mistral", "bedrock", "litellm"}  # the dev extra
    assert set(result.skipped) == {"openai", "azure_openai"}
    assert result.skipped["openai"] == "openai.OpenAI has no request hook"
    FutureOpenAI(**openai_kwargs(server)).chat.completions.create(model="gpt-4o", messages=QUESTION)
    anthropic.Anthropic(**anthropic_kwargs(server)).messages.create(
        model="claude-sonnet-4-6", max_tokens=20, messages=[{"role": "user", "content": "Hi"}]
    )
    assert [e["provider"] for e in tracked(ai, "ai_response")] == ["anthropic"]


def test_wrap_returns_the_client_unchanged(server, ai, monkeypatch):
    monkeypatch.setattr(openai_drop_ins, "OpenAI", _drop_in())
    original = openai.OpenAI(**openai_kwargs(server))
    with pytest.warns(UnsupportedProviderWarning, match="cannot be instrumented"):
        assert amplitude_ai.wrap(original, amplitude=ai) is original


def test_supported_releases_do_not_warn(server, ai):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnsupportedProviderWarning)
        amplitude_ai.OpenAI(amplitude=ai, **openai_kwargs(server))
        assert amplitude_ai.patch(amplitude=ai).skipped == {}


def test_registry_range_describes_the_installed_release():
    spec = BY_ID["openai"]
    assert _compat.describe(spec) == f"openai {INSTALLED} (supported: openai>=1.0,<4)"
    from amplitude_ai.providers.registry import in_range

    assert in_range(spec, INSTALLED)
    assert in_range(spec, "1.0.0") and in_range(spec, "3.99.1rc1")
    assert not in_range(spec, "0.28.1") and not in_range(spec, "4.0.0")
    assert in_range(BY_ID["anthropic"], "0.16.0") and not in_range(BY_ID["anthropic"], "0.15.2")
