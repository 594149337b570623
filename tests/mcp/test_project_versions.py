"""Provider versions read from every place a project states them (never by importing), and
judged against the SDK's supported ranges (the provider registry)."""

from __future__ import annotations

import json
import textwrap

import pytest

from amplitude_ai.providers.registry import BY_ID
from amplitude_ai_mcp.project_versions import judge, read_versions, verdicts
from amplitude_ai_mcp.setup_check import validate_setup

KEY = {"AMPLITUDE_AI_API_KEY": "k" * 32}


def _write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def _status(root, distributions=("openai", "anthropic")):
    """Verdicts of the distributions these fixtures pin (the others are judged "absent")."""
    return {v.distribution: v.status for v in verdicts(root) if v.distribution in distributions}


def test_gemini_and_mistral_pins_are_judged_by_the_registry_ranges(tmp_path):
    (tmp_path / "requirements.txt").write_text("google-genai==0.8.0\nmistralai==1.2.0\n")
    statuses = _status(tmp_path, ("google-genai", "mistralai", "openai"))
    assert statuses == {"google-genai": "out_of_range", "mistralai": "ok", "openai": "absent"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("requirements.txt", "openai==1.11.1\nanthropic==0.30.1  # pinned by the app\n"),
        ("requirements/prod.txt", "openai == 1.11.1\nanthropic[vertex]==0.30.1\n"),
        (
            "pyproject.toml",
            """
            [project]
            name = "app"
            dependencies = ["openai==1.11.1", "anthropic==0.30.1; python_version >= '3.8'"]
            """,
        ),
        (
            "pyproject.toml",
            """
            [tool.poetry.dependencies]
            python = "^3.11"
            openai = "1.11.1"
            anthropic = {version = "0.30.1", extras = ["bedrock"]}
            """,
        ),
        (
            "setup.cfg",
            """
            [options]
            install_requires =
                openai==1.11.1
                anthropic==0.30.1
            """,
        ),
        (
            "uv.lock",
            """
            version = 1
            [[package]]
            name = "openai"
            version = "1.11.1"
            [[package]]
            name = "anthropic"
            version = "0.30.1"
            """,
        ),
        (
            "poetry.lock",
            """
            [[package]]
            name = "openai"
            version = "1.11.1"
            [[package]]
            name = "anthropic"
            version = "0.30.1"
            """,
        ),
        (
            "pdm.lock",
            """
            [[package]]
            name = "openai"
            version = "1.11.1"
            [[package]]
            name = "anthropic"
            version = "0.30.1"
            """,
        ),
        (
            "Pipfile.lock",
            json.dumps(
                {
                    "default": {"openai": {"version": "==1.11.1"}},
                    "develop": {"anthropic": {"version": "==0.30.1"}},
                }
            ),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and "\n" not in v and len(v) < 30 else "",
)
def test_old_pins_in_every_format_are_supported(tmp_path, name, text):
    _write(tmp_path, name, text)
    found = read_versions(tmp_path, ["openai", "anthropic"])
    assert [f.specifier for f in found["openai"]] == ["==1.11.1"]
    assert [f.specifier for f in found["anthropic"]] == ["==0.30.1"]
    assert _status(tmp_path) == {"openai": "ok", "anthropic": "ok"}


def test_the_installed_version_wins_and_is_read_from_metadata(tmp_path):
    _write(tmp_path, "requirements.txt", "openai>=1.0,<4\n")
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "openai-0.28.1.dist-info").mkdir(parents=True)
    (site / "openai-0.28.1.dist-info" / "METADATA").write_text("Name: openai\n")
    [verdict] = verdicts(tmp_path, [BY_ID["openai"]])
    assert verdict.status == "out_of_range"
    assert "openai 0.28.1 (.venv/ (installed))" in verdict.detail
    assert "openai>=1.0,<4" in verdict.fix


@pytest.mark.parametrize(
    ("requirement", "status"),
    [
        ("openai>=1.0,<2", "ok"),
        ("openai~=1.11", "ok"),
        ("openai==3.60.0", "ok"),
        ("openai==0.28.1", "out_of_range"),
        ("openai==4.0.0", "out_of_range"),
        ("openai<1", "out_of_range"),
        ("openai", "unknown"),
        ("openai>=1.50", "unknown"),  # would take a 4.x release once there is one
    ],
)
def test_declared_ranges(tmp_path, requirement, status):
    _write(tmp_path, "requirements.txt", requirement + "\n")
    assert _status(tmp_path)["openai"] == status


def test_poetry_caret_and_tilde(tmp_path):
    _write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.poetry.dependencies]
        openai = "^1.11"
        anthropic = "~0.15.0"
        """,
    )
    assert _status(tmp_path) == {"openai": "ok", "anthropic": "out_of_range"}


def test_validate_setup_fails_on_an_unsupported_or_unknown_version(tmp_path):
    _write(tmp_path, "requirements.txt", "amplitude-ai\nopenai\nanthropic==0.12.0\n")
    result = validate_setup(tmp_path, env=KEY)
    checks = {c.name: c for c in result.checks}
    assert not result.ok
    assert not checks["provider_openai"].ok and "unpinned" in checks["provider_openai"].detail
    assert not checks["provider_anthropic"].ok
    assert "anthropic 0.12.0" in checks["provider_anthropic"].detail
    assert "anthropic>=0.16,<3" in checks["provider_anthropic"].fix
    _write(tmp_path, "requirements.txt", "amplitude-ai\nopenai==1.11.1\nanthropic>=0.16,<1\n")
    assert validate_setup(tmp_path, env=KEY).ok


def test_unreadable_files_are_not_fatal(tmp_path):
    _write(tmp_path, "uv.lock", "this is [not toml")
    _write(tmp_path, "Pipfile.lock", "{not json")
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfeopenai==1.0.0")
    assert _status(tmp_path) == {"openai": "absent", "anthropic": "absent"}


def test_judge_without_any_evidence_is_absent():
    assert judge(BY_ID["anthropic"], []).status == "absent"


def test_instrument_file_asks_about_an_unsupported_provider_release(tmp_path):
    from amplitude_ai_mcp.codemods.plan import Options, plan_file

    app = _write(
        tmp_path,
        "app.py",
        """
        from openai import OpenAI

        client = OpenAI()

        def ask(q):
            return client.chat.completions.create(model="gpt-4o", messages=[])
        """,
    )
    _write(tmp_path, "requirements.txt", "openai==0.28.1\n")
    needs = plan_file(tmp_path, app, Options()).result.needs_input
    [question] = [n for n in needs if "openai 0.28.1" in n.question]
    assert "outside the supported range openai>=1.0,<4" in question.question
    assert question.suggestion == "openai>=1.0,<4"
    _write(tmp_path, "requirements.txt", "openai==1.11.1\n")
    needs = plan_file(tmp_path, app, Options()).result.needs_input
    assert not any("openai" in n.question and "supported" in n.question for n in needs)


def test_the_suggested_pin_keeps_the_projects_lower_bound(tmp_path):
    _write(tmp_path, "requirements.txt", "openai>=1.50\nanthropic\n")
    by_dist = {v.distribution: v for v in verdicts(tmp_path)}
    assert by_dist["openai"].requirement == "openai>=1.50,<4"
    assert "`openai>=1.50,<4`" in by_dist["openai"].fix
    assert by_dist["anthropic"].requirement == "anthropic>=0.16,<3"
