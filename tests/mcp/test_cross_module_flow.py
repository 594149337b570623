"""A client passed from one module to a function or constructor of another: the callee's
call is resolved to the caller's client, so instrumenting the caller instruments it (scan and
validate_file agree)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplitude_ai_mcp.detect import project, source
from amplitude_ai_mcp.detect.project import scan
from amplitude_ai_mcp.detect.validate import validate_source

SERVICE = """\
class Service:
    def __init__(self, client, model="gpt-4o-mini"):
        self.client = client
        self.model = model

    def run(self, question):
        return self.client.chat.completions.create(model=self.model, messages=[question])


def embed(llm, texts):
    return llm.embeddings.create(model="text-embedding-3-small", input=texts)
"""
MAIN = """\
from amplitude_ai import OpenAI
from openai import OpenAI as PlainOpenAI

from app.service import Service, embed


def main():
    service = Service(OpenAI())
    embed(PlainOpenAI(), ["x"])
    return service.run("hi")
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    project.forget_scans()
    source.clear_caches()
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "service.py").write_text(SERVICE)
    (tmp_path / "app" / "main.py").write_text(MAIN)
    return tmp_path.resolve()


def _sites(sites):
    return [
        (
            s.line,
            s.api,
            s.resolved_by,
            s.client_origin,
            s.instrumented,
            s.client_file,
            s.client_line,
        )
        for s in sites
    ]


def test_scan_and_validate_follow_the_argument_to_the_caller(app):
    want = [
        (7, "chat.completions.create", "argument", "amplitude_ai.OpenAI", True, "app/main.py", 8),
        (11, "embeddings.create", "argument", "openai.OpenAI", False, "app/main.py", 9),
    ]
    assert _sites(scan(app).call_sites) == want
    rel = "app/service.py"
    assert _sites(validate_source((app / rel).read_text(), rel, app, rel).call_sites) == want


def test_without_callers_the_parameter_is_judged_by_usage(app):
    (app / "app" / "main.py").write_text("print('no callers')\n")
    rel = "app/service.py"
    sites = validate_source((app / rel).read_text(), rel, app, rel).call_sites
    assert [(s.resolved_by, s.instrumented) for s in sites] == [("usage", False)] * 2
