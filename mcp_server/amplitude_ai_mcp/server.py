"""The FastMCP app: wiring only. Tools live in :mod:`.tools` (one module per concern), the
resources in :mod:`.resources`, the prompt in :mod:`.prompts`.

Heavy modules (libcst analysis, the SDK's catalog, the project scan) are imported inside the
tools that need them, so start-up stays as light as fastmcp allows.
"""

from fastmcp import FastMCP

from . import __version__, prompts, resources, tools
from .workspace import Roots

NAME = "amplitude-ai"
INSTRUCTIONS = """\
Instruments Python LLM apps with Amplitude agent analytics (the amplitude_ai SDK).
Workflow: scan_project (detect providers, frameworks and every LLM call site) ->
suggest_instrumentation (plan) -> instrument_file per file (plans a diff; apply=true writes
it) or edit by hand with get_integration_pattern -> validate_file on each changed file
(0 uninstrumented) and validate_setup -> generate_verify_test (an offline pytest file that
proves the events arrive; it fails on uninstrumented code).
needs_input items carry an id: answer them with inputs={id: expression} on the same tool.
get_event_schema is the reference for event and property names. Paths are confined to
the server's roots; the server never runs project code."""


def create_server(roots: Roots) -> FastMCP:
    """Build the server for ``roots`` (the first is the default project root)."""
    mcp = tools.AmplitudeMCP(
        roots,
        name=NAME,
        instructions=INSTRUCTIONS,
        version=__version__,
        mask_error_details=True,
        # Arguments are validated strictly: "yes" is not a boolean, "5" not an integer.
        strict_input_validation=True,
    )
    tools.register(mcp)
    resources.register(mcp)
    prompts.register(mcp)
    return mcp
