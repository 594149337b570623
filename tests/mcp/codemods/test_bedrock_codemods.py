"""instrument_file on boto3 ``bedrock-runtime`` clients: ``boto3.client(...)`` and a boto3
session's ``.client(...)`` swap to ``amplitude_ai.Bedrock`` with the same arguments (wrap
tier: ``wrap(...)`` around the construction); other AWS services are never touched; the
instrumented code runs and tracks under the fake LLM."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from codemod_harness import event_type, instrument, prop, uninstrumented, write_project

from amplitude_ai_mcp.detect.validate import validate_source

pytest.importorskip("boto3")


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


APP = src(
    """
    import boto3

    MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")


    def ask(question):
        reply = runtime.converse(
            modelId=MODEL, messages=[{"role": "user", "content": [{"text": question}]}]
        )
        return reply["output"]["message"]["content"][0]["text"]
    """
)


def test_swap_builds_the_drop_in_with_the_same_arguments(tmp_path: Path, run_app) -> None:
    write_project(tmp_path, {"app.py": APP})
    assert uninstrumented(tmp_path, "app.py") == ["9:converse"]
    out = instrument(tmp_path, "app.py", tier="swap")
    new = (tmp_path / "app.py").read_text()
    assert (
        'runtime = amplitude_ai.Bedrock("bedrock-runtime", region_name="us-east-1", amplitude=ai)'
        in new
    )
    assert 's3 = boto3.client("s3", region_name="us-east-1")' in new  # not an LLM client
    assert [e.kind for e in out.result.edits if e.file == "app.py"] == ["swap_client_import"]
    assert out.result.uninstrumented_after == 0 and uninstrumented(tmp_path, "app.py") == []
    again = instrument(tmp_path, "app.py", tier="swap")
    assert again.changes == []  # idempotent

    answer, ai = run_app(tmp_path, "app", lambda mod, ai: mod.ask("hi"))
    assert answer == "Hello from the fake LLM"
    [event] = ai.events_of_type(event_type("ai_response"))
    assert prop(event, "provider") == "bedrock"
    assert prop(event, "model_name") == "anthropic.claude-3-haiku-20240307-v1:0"


def test_session_client_gets_the_session(tmp_path: Path, run_app) -> None:
    write_project(
        tmp_path,
        {
            "svc.py": src(
                """
                from boto3.session import Session

                session = Session(region_name="us-east-1")


                class Summaries:
                    def __init__(self):
                        self.runtime = session.client("bedrock-runtime")
                        self.inline = Session().client(service_name="bedrock-runtime")

                    def run(self, text):
                        self.inline.converse(modelId="m", messages=[])
                        return self.runtime.invoke_model(modelId="meta.llama3-8b-instruct-v1:0",
                                                         body='{"prompt": "%s"}' % text)
                """
            )
        },
    )
    assert len(uninstrumented(tmp_path, "svc.py")) == 2
    instrument(tmp_path, "svc.py", tier="swap")
    new = (tmp_path / "svc.py").read_text()
    assert (
        'self.runtime = amplitude_ai.Bedrock("bedrock-runtime", session=session, amplitude=ai)'
        in new
    )
    assert (
        'amplitude_ai.Bedrock(service_name="bedrock-runtime", session=Session(), amplitude=ai)'
        in new
    )
    assert uninstrumented(tmp_path, "svc.py") == []

    def drive(mod, ai):
        return mod.Summaries().run("cohorts")

    _, ai = run_app(tmp_path, "svc", drive)
    assert len(ai.events_of_type(event_type("ai_response"))) == 2


def test_wrap_tier_wraps_the_construction(tmp_path: Path, run_app) -> None:
    write_project(tmp_path, {"app.py": APP})
    instrument(tmp_path, "app.py", tier="wrap")
    new = (tmp_path / "app.py").read_text()
    assert (
        'runtime = wrap(boto3.client("bedrock-runtime", region_name="us-east-1"), amplitude=ai)'
        in new
    )
    assert 's3 = boto3.client("s3", region_name="us-east-1")' in new
    assert uninstrumented(tmp_path, "app.py") == []
    _, ai = run_app(tmp_path, "app", lambda mod, ai: mod.ask("hi"))
    assert len(ai.events_of_type(event_type("ai_response"))) == 1


def test_a_hand_written_drop_in_counts_as_instrumented(tmp_path: Path) -> None:
    text = src(
        """
        from amplitude_ai import Bedrock

        from .bootstrap import ai

        client = Bedrock(amplitude=ai, region_name="us-east-1")


        def go():
            return client.converse_stream(modelId="m", messages=[])
        """
    )
    result = validate_source(text, "app.py", tmp_path, "app.py")
    [site] = result.call_sites
    assert site.provider == "bedrock" and site.api == "converse_stream" and site.instrumented
