"""README stays true: CI runs its test command, and its tables list the real options."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from amplitude_ai import AIConfig

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _bash_blocks() -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", README, flags=re.S)]


def test_readme_has_exactly_two_setup_commands():
    blocks = _bash_blocks()
    assert len(blocks) == 2
    demo, tests = blocks
    assert demo.startswith("python3 -m venv .venv") and "amplitude_ai_mcp.demo" in demo
    assert tests.startswith("python3 -m venv .venv") and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _bash_blocks()[1] in ci_lines


def test_ci_also_runs_the_reliability_suite_the_readme_names():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = ".venv/bin/python -m pytest -q -m reliability"
    assert command in ci_lines
    assert f"`{command}`" in README


def test_config_table_lists_every_option():
    documented = set(re.findall(r"^\| `(\w+)` \|", README, flags=re.M))
    options = {f.name for f in dataclasses.fields(AIConfig) if f.init}
    assert options <= documented, options - documented


def test_environment_variables_are_documented():
    import amplitude_ai.config as config

    env_names = {v for k, v in vars(config).items() if k.startswith("ENV_")}
    assert env_names
    for name in env_names:
        assert f"`{name}`" in README, name


def test_cursor_config_is_valid_json_naming_the_server():
    import json

    (block,) = re.findall(r"```json\n(.*?)```", README, flags=re.S)
    server = json.loads(block)["mcpServers"]["amplitude-ai"]
    assert server["command"].endswith("amplitude-ai-mcp")
    assert server["args"] == ["--root", "."]


def test_readme_tool_table_matches_the_server():
    from amplitude_ai_mcp.gen_docs import generate

    schema = __import__("json").loads(generate()["mcp.schema.json"])
    documented = set(re.findall(r"^\| `(\w+)` \| ", README, flags=re.M))
    assert {t["name"] for t in schema["tools"]} <= documented
