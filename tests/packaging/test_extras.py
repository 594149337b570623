"""pyproject's dependencies and extras agree with the provider registry and with what the
SDK and the server import."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from amplitude_ai.providers.registry import PROVIDERS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = PROJECT["optional-dependencies"]


def _requirements(extra: str) -> dict[str, Requirement]:
    return {Requirement(r).name: Requirement(r) for r in EXTRAS[extra]}


def test_provider_extras_are_the_registry_ranges():
    for spec in PROVIDERS:
        requirement = _requirements(spec.extra)[spec.distribution]
        assert str(requirement.specifier) == str(Requirement(spec.requirement).specifier)


def test_dev_and_demo_install_supported_provider_releases_and_the_server():
    for extra in ("dev", "demo"):
        reqs = _requirements(extra)
        assert "amplitude-ai" in reqs and reqs["amplitude-ai"].extras == {"mcp"}
        for spec in PROVIDERS:
            if extra == "demo" and spec.callback:
                continue  # a router (LiteLLM) is no SDK the demo's apps call
            assert reqs[spec.distribution].specifier == Requirement(spec.requirement).specifier


def test_the_base_install_is_the_sdk_runtime_only():
    names = sorted(Requirement(r).name for r in PROJECT["dependencies"])
    assert names == ["amplitude-analytics", "genai-prices"]
    server = {Requirement(r).name for r in EXTRAS["mcp"]}
    assert {"fastmcp", "mcp", "libcst", "pydantic", "packaging"} <= server


def test_no_extra_is_empty():
    assert [name for name, reqs in EXTRAS.items() if not reqs] == []


def test_the_server_names_its_extra_when_it_is_missing(monkeypatch, capsys):
    from amplitude_ai_mcp import cli

    monkeypatch.setattr(cli, "missing_server_modules", lambda: ["fastmcp", "libcst"])
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "missing: fastmcp, libcst" in err and "pip install 'amplitude-ai[mcp]'" in err


def _matrix_lines(line_set: str) -> list:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import provider_matrix
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return provider_matrix.select(sets=[line_set])


def _floor_is_tested(extra: str, distribution: str, line_set: str) -> None:
    """The extra's floor is the oldest release its matrix line set runs, and every release
    the set runs is inside the extra's range."""
    (requirement,) = (Requirement(r) for r in EXTRAS[extra] if Requirement(r).name == distribution)
    releases = [line.release(distribution) for line in _matrix_lines(line_set)]
    assert releases and None not in releases
    (floor,) = (Version(s.version) for s in requirement.specifier if s.operator == ">=")
    assert floor == min(Version(r) for r in releases)
    assert all(requirement.specifier.contains(release) for release in releases)


def test_the_crewai_extra_floor_is_the_release_its_own_line_tests():
    """CrewAI is tested in venvs of its own (its pins clash with the server's), never in dev."""
    _floor_is_tested("crewai", "crewai", "crewai")
    assert "crewai" not in _requirements("dev") and "crewai" not in _requirements("demo")


def test_the_llamaindex_extra_floor_is_the_release_its_own_line_tests():
    """LlamaIndex's own OpenAI packages cap openai below the dev venv's release: they are
    tested in venvs of their own, with llama-index-core at the extra's floor and newest."""
    _floor_is_tested("llamaindex", "llama-index-core", "llamaindex")
    assert "llama-index-llms-openai" not in _requirements("dev")


def test_the_otel_extra_floor_is_the_release_its_own_line_tests():
    _floor_is_tested("otel", "opentelemetry-sdk", "otel")
    _floor_is_tested("otel", "opentelemetry-api", "otel")
