"""Result models of the tools (→ output schemas and structured content).

Kept free of heavy imports: the server imports this at start-up to declare output schemas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from .detect.sites import CallSite, UncertainSite
from .provider_registry import registry

__all__ = [
    "AgentRef",
    "AnyPattern",
    "CallSite",
    "ContentMode",
    "Detected",
    "DocHit",
    "EntryPoint",
    "EventSchemaResult",
    "EventSummary",
    "FileValidation",
    "Framework",
    "InstrumentResult",
    "NeedsInput",
    "PatternList",
    "PatternResult",
    "PatternSummary",
    "PlannedEdit",
    "PropertyDetail",
    "Provider",
    "ScanCounts",
    "ScanResult",
    "SearchResult",
    "SetupCheck",
    "SetupResult",
    "SkippedFile",
    "Suggestion",
    "SuggestionResult",
    "Tier",
    "UncertainSite",
    "VerifyTestResult",
]

# Enumerated tool inputs (Literal: the input schema lists them and bad values fail validation).
Tier = Literal["swap", "wrap", "patch", "session"]
ContentMode = Literal["full", "metadata_only", "customer_enriched"]
Framework = Literal["fastapi", "flask", "django", "starlette", "streamlit", "none"]
# Every provider id of the SDK's provider registry (instrumented ones and recognised ones).
if TYPE_CHECKING:  # a Literal of values computed at import: a string to the type checker
    Provider = str
else:
    Provider = Literal[registry.provider_ids()]
# needs_input id -> answer: a Python expression (str) or a JSON value (written as its repr).
Inputs = dict[str, Any]


class SkippedFile(BaseModel):
    path: str
    reason: str = Field(description="Why the file was not analysed (never silently dropped).")


class Detected(BaseModel):
    """A provider/framework/library found in the project, with the evidence."""

    name: str
    declared_in: list[str] = Field(default_factory=list, description="Dependency files.")
    imported_in: int = Field(0, description="Number of files importing it.")
    call_sites: int = Field(0, description="Call sites attributed to it.")


class AgentRef(BaseModel):
    file: str
    line: int
    framework: str
    name: str = ""


class ScanCounts(BaseModel):
    python_files: int
    analysed_files: int = Field(description="Files parsed with libcst (after the text prefilter).")
    call_sites: int = Field(description="Call sites outside test files.")
    uninstrumented: int
    instrumented: int
    test_call_sites: int = Field(description="Call sites in test files (reported separately).")
    skipped_files: int
    by_provider: dict[str, int] = Field(default_factory=dict)
    probable: int = Field(
        0, description="Provider-shaped calls whose client could not be traced (not in call_sites)."
    )
    untracked: int = Field(
        0, description="Recognised LLM APIs the SDK does not track (not in call_sites)."
    )


class ScanResult(BaseModel):
    """Counts first; call sites paged with offset/limit; skipped files with reasons."""

    root: str
    counts: ScanCounts
    providers: list[Detected]
    frameworks: list[Detected]
    web_frameworks: list[Detected]
    observability: list[Detected]
    dependency_files: list[str]
    lock_files: list[str]
    workspaces: list[str] = Field(description="Sub-packages with their own pyproject (monorepo).")
    agents: list[AgentRef]
    multi_agent: bool = Field(description="Several agents or handoffs between them.")
    call_sites: list[CallSite] = Field(description="This page of call sites (non-test first).")
    offset: int
    limit: int
    next_offset: int | None = Field(description="offset of the next page; null at the end.")
    skipped: list[SkippedFile]
    problems: list[str] = Field(default_factory=list, description="Unreadable dependency files.")
    uncertain_sites: list[UncertainSite] = Field(
        default_factory=list,
        description="Probable and untracked sites (max 100), with evidence.",
    )
    caps_hit: list[str] = Field(default_factory=list, description="Limits reached.")


class FileValidation(BaseModel):
    file: str
    call_sites: list[CallSite] = Field(description="Up to 100 sites (see truncated).")
    total: int
    truncated: bool = Field(False, description="More than 100 sites; counts cover all.")
    uninstrumented: int
    suggestions: list[str] = Field(description="Concrete next steps for this file.")
    is_test_file: bool = False
    uncertain_sites: list[UncertainSite] = Field(
        default_factory=list,
        description="Probable and untracked sites, with evidence.",
    )
    probable: int = 0
    untracked: int = 0


class PropertyDetail(BaseModel):
    name: str
    key: str
    type: str
    required: bool | None = None
    content: str = Field(description="none | partial | full: whether it carries user content.")
    server_only: bool = False
    description: str


class EventSummary(BaseModel):
    event_type: str
    emitted_by: Literal["sdk", "server"]
    method: str | None
    property_count: int
    required_count: int
    description: str


class EventSchemaResult(BaseModel):
    catalog_version: str
    events: list[EventSummary]
    event_type: str | None = None
    properties: list[PropertyDetail] = Field(default_factory=list)


class PatternSummary(BaseModel):
    id: str
    title: str
    summary: str


class PatternList(BaseModel):
    patterns: list[PatternSummary]


class PatternResult(BaseModel):
    id: str
    title: str
    summary: str
    code: str


class AnyPattern(BaseModel):
    """Either the list of patterns (no id given) or one pattern with its code."""

    patterns: PatternList | None = None
    pattern: PatternResult | None = None


class SetupCheck(BaseModel):
    name: str
    ok: bool
    detail: str
    fix: str | None = Field(None, description="Copy-pasteable fix when the check failed.")


class SetupResult(BaseModel):
    root: str
    ok: bool
    checks: list[SetupCheck]


class Suggestion(BaseModel):
    step: str
    tool: str | None = Field(None, description="The MCP tool that does this step, if any.")
    files: list[str] = Field(default_factory=list)
    detail: str


class SuggestionResult(BaseModel):
    based_on: Literal["scan", "arguments"]
    framework: str | None
    provider: str | None
    content_tier: str
    steps: list[Suggestion]
    patterns: list[str] = Field(description="Integration pattern ids to read.")


class DocHit(BaseModel):
    source: str
    heading: str
    snippet: str
    score: float


class SearchResult(BaseModel):
    query: str
    results: list[DocHit]


class PlannedEdit(BaseModel):
    file: str = Field(description="Path relative to the project root.")
    line: int = Field(description="1-based line in the original file (0: a new file).")
    kind: str = Field(
        description="swap_client_import, wrap_client_construction, add_bootstrap_module, "
        "add_session_context, add_flush_on_exit, migrate_legacy_api."
    )
    reason: str


class NeedsInput(BaseModel):
    id: str = Field(description="Stable id; answer with inputs={id: ...} on the same tool.")
    file: str
    line: int
    question: str = Field(description="The judgement call the tool did not make for you.")
    suggestion: str | None = Field(
        default=None, description="An expression that looks right here, when one is evident."
    )
    answer: str | None = Field(
        default=None,
        description="What inputs[id] takes; null: not answerable by a value (do what it says).",
    )


class InstrumentResult(BaseModel):
    file: str
    tier: str
    diff: str = Field(description="Unified diff of every file the plan writes.")
    edits: list[PlannedEdit]
    needs_input: list[NeedsInput]
    skipped: list[PlannedEdit] = Field(
        default_factory=list,
        description="Sites and APIs left alone, with reasons.",
    )
    files: list[str] = Field(description="Files written (or to write), bootstrap included.")
    sha256: str = Field(description="The input file's sha256: expected_sha256 for apply.")
    applied: bool
    bootstrap: str | None = Field(default=None, description="The bootstrap module's path.")
    bootstrap_import: str | None = Field(default=None, description="Its import name.")
    uninstrumented_before: int
    uninstrumented_after: int = Field(description="Same count on the planned output.")


# --------------------------------------------------------------------------- verify test


class EntryPoint(BaseModel):
    name: str = Field(description="Function, Class.method or route handler.")
    kind: Literal["function", "method", "route", "script"]
    line: int
    how: str = Field(description="How the test drives it (call, HTTP request).")
    session: Literal["app", "test"] = Field(
        description="'app': the code opens its own agent session; 'test': the test opens one."
    )


class VerifyTestResult(BaseModel):
    """The generated pytest file and what it covers."""

    module: str = Field(description="Import name of the module under test.")
    bootstrap: str = Field(description="Import name of the bootstrap module.")
    test_path: str = Field(description="Where the test is (or would be) written, root-relative.")
    test_source: str
    entry_points: list[EntryPoint]
    needs_input: list[NeedsInput]
    requires: list[str] = Field(description="Packages/markers the test needs to run.")
    applied: bool
    run: str = Field(description="Command that runs the test from the project root.")
