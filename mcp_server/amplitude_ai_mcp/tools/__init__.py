"""The MCP tools, one module per concern, registered on the server by :func:`register`.

Each tool is a module-level function; user-fixable errors (:class:`~amplitude_ai_mcp.errors.
UserError`) become ``ToolError`` in one place (:func:`._base.user_errors`), applied here.
"""

from collections.abc import Callable
from typing import Any

import mcp_types
from fastmcp import FastMCP
from fastmcp.tools import Tool
from pydantic import BaseModel

from amplitude_ai_mcp.models import (
    AnyPattern,
    EventSchemaResult,
    FileValidation,
    InstrumentResult,
    ScanResult,
    SearchResult,
    SetupResult,
    SuggestionResult,
    VerifyTestResult,
)

from ._base import EDITS, READ_ONLY, AmplitudeMCP, input_schema, output_schema, user_errors
from .instrument import instrument_file
from .reference import get_event_schema, get_integration_pattern, search_docs
from .scan import scan_project, suggest_instrumentation
from .validate import validate_file, validate_setup
from .verify import generate_verify_test

__all__ = ["TOOLS", "AmplitudeMCP", "register"]

# In workflow order (tools/list keeps it): detect, edit, verify, reference.
TOOLS: tuple[tuple[Callable[..., Any], mcp_types.ToolAnnotations, type[BaseModel]], ...] = (
    (scan_project, READ_ONLY, ScanResult),
    (validate_file, READ_ONLY, FileValidation),
    (instrument_file, EDITS, InstrumentResult),
    (generate_verify_test, EDITS, VerifyTestResult),
    (get_event_schema, READ_ONLY, EventSchemaResult),
    (get_integration_pattern, READ_ONLY, AnyPattern),
    (validate_setup, READ_ONLY, SetupResult),
    (suggest_instrumentation, READ_ONLY, SuggestionResult),
    (search_docs, READ_ONLY, SearchResult),
)


def register(mcp: FastMCP) -> None:
    for fn, annotations, model in TOOLS:
        tool = Tool.from_function(
            user_errors(fn), annotations=annotations, output_schema=output_schema(model)
        )
        mcp.add_tool(tool.model_copy(update={"parameters": input_schema(tool.parameters)}))
