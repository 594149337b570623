"""Shared fixtures for the MCP server tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_asyncio
from fastmcp import Client

from amplitude_ai_mcp._data import data_dir
from amplitude_ai_mcp.server import create_server
from amplitude_ai_mcp.workspace import Roots

# The detection corpus is data (small apps the engine scans), not tests to collect.
collect_ignore = ["detection_corpus"]


@pytest.fixture
def example_app(tmp_path: Path) -> Path:
    app = tmp_path / "support_bot"
    shutil.copytree(data_dir("examples") / "support_bot", app)
    return app.resolve()


@pytest.fixture
def server(example_app: Path):
    return create_server(Roots((example_app,)))


@pytest_asyncio.fixture
async def client(server):
    async with Client(server) as connected:
        yield connected
