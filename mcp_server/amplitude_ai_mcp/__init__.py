"""amplitude-ai MCP server: lets coding agents find and instrument LLM calls.

Run ``amplitude-ai-mcp`` (or ``python -m amplitude_ai_mcp``); see ``--help``.
"""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
