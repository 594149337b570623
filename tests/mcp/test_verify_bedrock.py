"""generate_verify_test for a Bedrock (boto3) app instrumented in each tier: the modules that
use a boto3 client built elsewhere are found (also when only the bootstrap names
amplitude_ai, as in the patch tier), and the generated tests check provider ``bedrock``.
The whole chain on an example app, with the tests run, is in tests/e2e."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from amplitude_ai_mcp.codemods.plan import Options, apply_changes, plan_file
from amplitude_ai_mcp.verify.generate import generate
from amplitude_ai_mcp.workspace import Roots

CLIENTS = """
import boto3


def runtime():
    return boto3.client("bedrock-runtime", region_name="us-east-1")
"""
SERVICE = """
from .clients import runtime


def answer(question):
    reply = runtime().converse(
        modelId="amazon.nova-lite-v1:0",
        messages=[{"role": "user", "content": [{"text": question}]}],
    )
    return reply["output"]["message"]["content"][0]["text"]
"""


@pytest.mark.parametrize("tier", ["swap", "wrap", "patch"])
def test_verify_test_for_a_bedrock_app(tmp_path: Path, tier: str) -> None:
    package = tmp_path / "helpdesk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "clients.py").write_text(textwrap.dedent(CLIENTS).lstrip())
    (package / "service.py").write_text(textwrap.dedent(SERVICE).lstrip())
    planned = plan_file(tmp_path, package / "clients.py", Options(tier, None, None, "full"))
    apply_changes(planned.changes)
    result = generate(Roots((tmp_path.resolve(),)), apply=False)
    assert [e.name for e in result.entry_points] == ["answer"]
    assert 'providers=["bedrock"]' in result.test_source
    assert result.module == "helpdesk.service"
