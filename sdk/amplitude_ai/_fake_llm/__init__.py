"""Offline fake LLM for tests; the public names are re-exported by ``amplitude_ai.testing``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .core import FakeCall, FakeLLM
from .reply import FakeReply, FakeToolCall
from .transport import intercept


@contextmanager
def fake_llm(default: FakeReply | str | None = None) -> Iterator[FakeLLM]:
    """Answer every OpenAI, Azure OpenAI, Anthropic, Gemini (google-genai, also Vertex AI),
    Mistral and AWS Bedrock runtime (boto3) call in the process with canned replies inside
    the block, without network access and without changing the app.

    boto3 signs requests before sending them: inside the block, dummy AWS credentials and
    a region are provided through the environment where none are set (and the EC2
    metadata lookup is off), so clients created in the block need no AWS account.

    LiteLLM's calls are answered too (through the openai SDK or its own HTTP client), with
    ``LITELLM_LOCAL_MODEL_COST_MAP`` set inside the block so that a LiteLLM imported there
    does not fetch its cost map from the internet.

    Works for clients the test did not create (and for ones created before the block),
    sync and async, streamed and not::

        with fake_llm("Hi there") as llm:
            llm.reply("Bonjour", model="gpt-4o")
            run_my_app()
        assert llm.calls[0].model == "gpt-4o"
    """
    fake = FakeLLM(default)
    with intercept(fake):
        yield fake


__all__ = ["FakeCall", "FakeLLM", "FakeReply", "FakeToolCall", "fake_llm"]
