"""The wheel carries the server's data; start-up imports nothing heavy; the CLI behaves."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from amplitude_ai_mcp import __version__

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (built,) = out.glob("amplitude_ai-*.whl")
    return built


def test_wheel_contains_server_and_its_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "amplitude_ai_mcp/server.py",
        "amplitude_ai_mcp/detect/analyze.py",
        "amplitude_ai_mcp/_data/prompts/instrument_guide.md",
        "amplitude_ai_mcp/_data/patterns/agent_session.py",
        "amplitude_ai_mcp/_data/examples/support_bot/support_bot/app.py",
        "amplitude_ai_mcp/_data/AGENTS.md",
        "amplitude_ai_mcp/_data/llms.txt",
        "amplitude_ai_mcp/_data/mcp.schema.json",
    ):
        assert name in names, name
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "amplitude-ai-mcp = amplitude_ai_mcp.cli:main" in text
    assert "amplitude-ai-demo = amplitude_ai.demo:main" in text


def test_installed_wheel_serves_its_packaged_data(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r})\n"
        "import asyncio, json\n"
        "from pathlib import Path\n"
        "from fastmcp import Client\n"
        "from amplitude_ai_mcp._data import data_dir\n"
        "from amplitude_ai_mcp.server import create_server\n"
        "from amplitude_ai_mcp.workspace import Roots\n"
        "async def main():\n"
        f"    server = create_server(Roots((Path({str(tmp_path)!r}),)))\n"
        "    async with Client(server) as c:\n"
        "        guide = (await c.read_resource('amplitude-ai://instrument-guide'))[0].text\n"
        "        pats = await c.call_tool('get_integration_pattern', {})\n"
        "        hits = await c.call_tool('search_docs', {'query': 'flush'})\n"
        "    print(json.dumps([str(data_dir('patterns')), 'scan_project' in guide,\n"
        "        len(pats.structured_content['patterns']['patterns']),\n"
        "        len(hits.structured_content['results'])]))\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout
    where, has_tools, n_patterns, n_hits = json.loads(out.splitlines()[-1])
    assert where == str(site / "amplitude_ai_mcp" / "_data" / "patterns")
    assert has_tools and n_patterns >= 5 and n_hits >= 1


def test_startup_does_not_import_heavy_modules(tmp_path):
    code = (
        "import sys\n"
        "from amplitude_ai_mcp.server import create_server\n"
        "from amplitude_ai_mcp.workspace import Roots\n"
        f"create_server(Roots.from_sources([{str(tmp_path)!r}]))\n"
        "heavy = ['libcst', 'amplitude_ai', 'openai', 'anthropic', 'genai_prices',\n"
        "         'amplitude_ai_mcp.detect.analyze', 'amplitude_ai_mcp.detect.project']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_version_and_help():
    version = subprocess.run(
        [sys.executable, "-m", "amplitude_ai_mcp", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == f"amplitude-ai-mcp {__version__}"
    helptext = subprocess.run(
        [sys.executable, "-m", "amplitude_ai_mcp", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--root PATH" in helptext and "AMPLITUDE_AI_MCP_ROOTS" in helptext


def test_server_version_is_the_distribution_version():
    import amplitude_ai

    assert __version__ == amplitude_ai.__version__
