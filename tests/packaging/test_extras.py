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


def test_the_crewai_extra_floor_is_the_release_its_own_line_tests():
    """CrewAI is tested in venvs of its own (its pins clash with the server's), never in dev."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import crewai_line
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    (requirement,) = (Requirement(r) for r in EXTRAS["crewai"])
    floor = min((line.crewai for line in crewai_line.LINES), key=Version)
    assert f">={floor}" in str(requirement.specifier)
    assert all(requirement.specifier.contains(line.crewai) for line in crewai_line.LINES)
    assert "crewai" not in _requirements("dev") and "crewai" not in _requirements("demo")
