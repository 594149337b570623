"""``amplitude-ai-mcp``: run the MCP server over stdio.

stdout carries only JSON-RPC frames; every log line goes to stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys

from . import __version__
from .workspace import ENV_ROOTS, WorkspaceError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amplitude-ai-mcp",
        description="MCP server (stdio) that finds LLM call sites in a Python project and "
        "helps instrument them with Amplitude agent analytics.",
        epilog=f"Roots: --root flags, else ${ENV_ROOTS} (separated by '{os.pathsep}'), else "
        "the current directory. '/' and the home directory are never accepted.",
    )
    parser.add_argument(
        "--root",
        action="append",
        metavar="PATH",
        default=None,
        help="project directory the server may read (repeatable; the first is the default)",
    )
    parser.add_argument("--version", action="version", version=f"amplitude-ai-mcp {__version__}")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level (default: WARNING)",
    )
    return parser


# What the server imports beyond the SDK: the `mcp` extra of amplitude-ai.
SERVER_MODULES = ("fastmcp", "mcp", "libcst", "pydantic", "packaging")
MISSING_EXTRA = (
    "amplitude-ai-mcp: the MCP server needs the 'mcp' extra "
    "(missing: {missing}); install it with: pip install 'amplitude-ai[mcp]'"
)


def missing_server_modules() -> list[str]:
    return [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    missing = missing_server_modules()
    if missing:
        print(MISSING_EXTRA.format(missing=", ".join(missing)), file=sys.stderr)
        return 2
    logging.basicConfig(stream=sys.stderr, level=args.log_level)
    # fastmcp configures its own (stderr) logger from the environment at import time.
    os.environ.setdefault("FASTMCP_LOG_LEVEL", args.log_level)
    from .workspace import Roots

    try:
        roots = Roots.from_sources(args.root)
    except WorkspaceError as exc:
        print(f"amplitude-ai-mcp: {exc}", file=sys.stderr)
        return 2
    from .frames import install
    from .server import create_server

    if not install():  # pragma: no cover - only if fastmcp's layout changes
        logging.getLogger("amplitude_ai_mcp").warning(
            "malformed JSON-RPC frames will not be answered (unexpected fastmcp layout)"
        )
    server = create_server(roots)
    server.run(transport="stdio", show_banner=False)
    return 0
