"""The FastMCP app: registration and wiring only; the work lives in the other modules.

Heavy modules (libcst analysis, the SDK's catalog, the project scan) are imported inside the
tools that need them, so start-up stays as light as fastmcp allows. No
``from __future__ import annotations``: fastmcp resolves the signatures at runtime.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types
from fastmcp import Context, FastMCP
from fastmcp.exceptions import ResourceError, ToolError
from fastmcp.prompts import Message
from fastmcp.tools import ToolResult
from pydantic import BaseModel, Field

from . import __version__
from .models import (
    AnyPattern,
    EventSchemaResult,
    FileValidation,
    InstrumentResult,
    PatternList,
    ScanResult,
    SearchResult,
    SetupResult,
    SuggestionResult,
    VerifyTestResult,
)
from .suggest import CONTENT_TIERS, FRAMEWORKS, PROVIDERS
from .workspace import Roots, WorkspaceError

NAME = "amplitude-ai"
INSTRUCTIONS = """\
Instruments Python LLM apps with Amplitude agent analytics (the amplitude_ai SDK).
Workflow: scan_project (detect providers, frameworks and every LLM call site) ->
suggest_instrumentation (plan) -> instrument_file per file (plans a diff; apply=true writes
it) or edit by hand with get_integration_pattern -> validate_file on each changed file
(0 uninstrumented) and validate_setup -> generate_verify_test (an offline pytest file that
proves the events arrive; it fails on uninstrumented code).
get_event_schema is the reference for event and property names. Paths are confined to
the server's roots; the server never runs project code."""

MAX_SOURCE_CHARS = 1_000_000
# Prompt arguments (module-level so the prompt's signature resolves under postponed annotations).
FrameworkArg = Annotated[
    str, Field(description=f"Web framework of the app: {', '.join(FRAMEWORKS)}.")
]
ProviderArg = Annotated[str, Field(description=f"Main LLM provider: {', '.join(PROVIDERS)}.")]
ContentTierArg = Annotated[str, Field(description=f"Content mode: {', '.join(CONTENT_TIERS)}.")]
_READ_ONLY = mcp_types.ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
# instrument_file writes (with apply=true) but only adds code, and re-applying changes nothing.
_EDITS = mcp_types.ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
# generate_verify_test writes only its own generated file (never a user's), same bytes each time.
_WRITES_OWN_FILE = _EDITS


def _result(model: BaseModel, summary: str) -> ToolResult:
    return ToolResult(content=summary, structured_content=model)


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn user-fixable problems into ToolError; anything else stays masked."""
    from .patterns import PatternError
    from .schema import SchemaError

    try:
        yield
    except (WorkspaceError, SchemaError, PatternError) as exc:
        raise ToolError(str(exc)) from None
    except RecursionError:
        raise ToolError("the code is too deeply nested to analyse") from None
    except Exception as exc:
        if type(exc).__name__ == "ParserSyntaxError":
            raise ToolError(
                f"not valid Python: syntax error at line {exc.raw_line}, column "  # type: ignore[attr-defined]
                f"{exc.raw_column}; fix it (or pass a different file)"  # type: ignore[attr-defined]
            ) from None
        raise


def create_server(roots: Roots) -> FastMCP:
    """Build the server for ``roots`` (the first is the default project root)."""
    mcp = FastMCP(NAME, instructions=INSTRUCTIONS, version=__version__, mask_error_details=True)

    # ------------------------------------------------------------------ tools

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(ScanResult))
    async def scan_project(
        ctx: Context,
        root: Annotated[
            str | None,
            Field(
                description="Project directory (path or file:// URI) inside the server's roots; "
                "default: the first root."
            ),
        ] = None,
        offset: Annotated[int, Field(ge=0, description="First call site of the page.")] = 0,
        limit: Annotated[int, Field(ge=1, le=200, description="Call sites per page.")] = 50,
        include_tests: Annotated[
            bool, Field(description="Also list call sites in test files (always counted apart).")
        ] = True,
    ) -> ToolResult:
        """Scan a Python project for LLM usage: providers, frameworks, web frameworks,
        observability SDKs and agents (from dependency files and imports), and every LLM call
        site with file, line, provider, API, sync/async, streaming and whether it is already
        instrumented. Counts come first; call sites are paged with offset/limit; files that
        could not be analysed are listed with the reason. Runs off the event loop and reports
        progress; cancellable."""
        with _user_errors():
            path = roots.project_root(root)
        from .detect.project import ScanCancelled, scan

        stop = threading.Event()

        def progress(done: int, total: int | None, message: str) -> None:
            anyio.from_thread.run(ctx.report_progress, done, total, message)

        def work() -> ScanResult:
            return scan(
                path,
                offset=offset,
                limit=limit,
                include_tests=include_tests,
                progress=progress,
                cancelled=stop.is_set,
            )

        try:
            result = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
        except ScanCancelled:  # pragma: no cover - only when cancelled mid-run
            raise ToolError("scan cancelled") from None
        finally:
            stop.set()
        c = result.counts
        summary = (
            f"{c.call_sites} LLM call sites ({c.uninstrumented} uninstrumented) in "
            f"{c.python_files} Python files; providers: "
            f"{', '.join(p.name for p in result.providers) or 'none'}; "
            f"{c.test_call_sites} in tests; {c.skipped_files} skipped"
        )
        return _result(result, summary)

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(FileValidation))
    def validate_file(
        path: Annotated[
            str | None,
            Field(description="File inside the project root (relative, absolute, or file:// URI)."),
        ] = None,
        source: Annotated[
            str | None,
            Field(
                max_length=MAX_SOURCE_CHARS,
                description="Python source to analyse instead of a file.",
            ),
        ] = None,
        root: Annotated[
            str | None,
            Field(description="Project root for relative paths and cross-file resolution."),
        ] = None,
    ) -> ToolResult:
        """Find the LLM call sites of one Python file (or source text) with their instrumented
        status and a concrete suggestion per uninstrumented client. Same detection engine as
        scan_project; clients imported from other project modules are resolved."""
        with _user_errors():
            if (path is None) == (source is None):
                raise WorkspaceError("pass exactly one of `path` or `source`")
            from .detect.validate import validate_source
            from .workspace import read_python, relative

            base = roots.project_root(root)
            if path is not None:
                file = roots.file(path, base)
                if file.suffix != ".py":
                    raise WorkspaceError(f"{path!r} is not a .py file; only Python is analysed")
                rel = relative(file, base)
                result = validate_source(read_python(file).text, rel, base, rel)
            else:
                result = validate_source(source or "", "<source>", base, None)
        summary = (
            f"{result.file}: {result.total} call sites, {result.uninstrumented} uninstrumented"
        )
        return _result(result, summary)

    @mcp.tool(annotations=_EDITS, output_schema=_schema(InstrumentResult))
    def instrument_file(
        path: Annotated[
            str,
            Field(description="Python file inside the project root (relative, absolute, file://)."),
        ],
        tier: Annotated[
            str,
            Field(
                description="swap (default): the SDK's drop-in client classes; wrap: "
                "wrap(client, amplitude=ai) around each construction; patch: the bootstrap calls "
                "patch() and the file imports it first; session: swap plus an agent session "
                "around each request handler / entry point that reaches an LLM call."
            ),
        ] = "swap",
        agent_id: Annotated[
            str | None,
            Field(
                max_length=64,
                description="Agent id for the bootstrap's agent (letters, digits, - _ . :); "
                "needed by the session tier.",
            ),
        ] = None,
        agent_description: Annotated[
            str | None, Field(max_length=500, description="One-line description of the agent.")
        ] = None,
        content_mode: Annotated[
            str, Field(description="full, metadata_only or customer_enriched (new bootstrap).")
        ] = "full",
        apply: Annotated[
            bool, Field(description="Write the files (atomically); default: only plan.")
        ] = False,
        expected_sha256: Annotated[
            str | None,
            Field(
                description="sha256 from a previous plan; apply refuses if the file changed "
                "since then."
            ),
        ] = None,
        root: Annotated[
            str | None, Field(description="Project root; default: the first root.")
        ] = None,
    ) -> ToolResult:
        """Instrument one Python file with libcst codemods: provider clients (OpenAI, Azure
        OpenAI, Anthropic) get the SDK's drop-in classes (or wrap/patch), the project's one
        bootstrap module (AmplitudeAI instance + agents) is created or reused, serverless
        handlers flush in finally, and the session tier opens agent sessions around handlers.
        Returns a unified diff, each edit with its reason, needs_input items for judgement
        calls (user id, agent id) with suggestions, skipped sites with reasons, and the input's
        sha256. Plans only unless apply=true; applying is atomic, refuses stale files, and
        re-applying to its own output changes nothing. Comments, strings, quotes, tabs, CRLF
        and encoding are preserved."""
        with _user_errors():
            from .codemods.plan import Options, apply_changes, plan_file

            base = roots.project_root(root)
            file = roots.file(path, base)
            outcome = plan_file(
                base,
                file,
                Options(tier, agent_id, agent_description, content_mode),
            )
            result = outcome.result
            if expected_sha256 is not None and expected_sha256.lower() != result.sha256:
                raise WorkspaceError(
                    f"{result.file} changed since it was planned (sha256 {result.sha256[:12]}... "
                    f"!= expected {expected_sha256[:12]}...); plan again, review, then apply"
                )
            if apply and outcome.changes:
                apply_changes(outcome.changes)
                result.applied = True
        verb = "applied" if result.applied else "planned"
        state = "no changes needed" if not result.files else f"{len(result.edits)} edits {verb}"
        summary = (
            f"{result.file} ({result.tier}): {state} in {len(result.files)} files; "
            f"{len(result.needs_input)} need input; uninstrumented "
            f"{result.uninstrumented_before} -> {result.uninstrumented_after}"
        )
        return _result(result, summary)

    @mcp.tool(annotations=_WRITES_OWN_FILE, output_schema=_schema(VerifyTestResult))
    async def generate_verify_test(
        path: Annotated[
            str | None,
            Field(
                description="An instrumented module or a package directory (relative, "
                "absolute, or file:// URI); default: the whole project."
            ),
        ] = None,
        apply: Annotated[
            bool,
            Field(
                description="Write the test to <root>/tests (default: only return it). Never "
                "overwrites a file this tool did not generate."
            ),
        ] = False,
        root: Annotated[
            str | None, Field(description="Project root; default: the first root.")
        ] = None,
    ) -> ToolResult:
        """A pytest file that proves the instrumentation works: it imports the instrumented
        module, drives each entry point offline (functions with arguments from their
        annotations, FastAPI/Starlette and Flask routes through their test clients, async
        code via asyncio.run) with the SDK's fake LLM, captures what the bootstrap's `ai`
        would send, and asserts catalog-exact [Agent] User Message / AI Response events (model,
        provider, session and user, no duplicates). It fails on uninstrumented code. What it
        cannot drive is listed in needs_input. The server never runs the test or the code."""
        from .verify.generate import generate

        def work() -> VerifyTestResult:
            return generate(roots, path, root, apply)

        with _user_errors():
            result = await anyio.to_thread.run_sync(work)
        summary = (
            f"{result.test_path}: {len(result.entry_points)} entry points "
            f"({', '.join(e.name for e in result.entry_points)}), "
            f"{len(result.needs_input)} need input; "
            + ("written" if result.applied else "not written (apply=false)")
            + f"; run: {result.run}"
        )
        return _result(result, summary)

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(EventSchemaResult))
    def get_event_schema(
        event_type: Annotated[
            str | None,
            Field(
                description="Event type ('[Agent] AI Response', 'ai_response' or 'AI Response'); "
                "omit for the event list."
            ),
        ] = None,
        property: Annotated[
            str | None, Field(description="One property (wire name or snake_case key).")
        ] = None,
        include_server_side: Annotated[
            bool, Field(description="Include events Amplitude computes server-side.")
        ] = False,
    ) -> ToolResult:
        """The [Agent] event schema from the SDK's event catalog: by default the event types
        with property counts; with event_type, its properties (type, required, whether they
        carry user content); with property, just that one. Unknown names fail with the closest
        matches."""
        with _user_errors():
            from .schema import event_schema

            result = event_schema(event_type, property, include_server_side)
        if result.event_type:
            summary = f"{result.event_type}: {len(result.properties)} properties"
        elif result.properties:
            summary = f"{len(result.properties)} properties"
        else:
            summary = f"{len(result.events)} event types (catalog {result.catalog_version})"
        return _result(result, summary)

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(AnyPattern))
    def get_integration_pattern(
        pattern_id: Annotated[
            str | None, Field(description="Pattern id; omit to list the patterns.")
        ] = None,
    ) -> ToolResult:
        """Tested integration patterns (real Python files the test suite runs): without an id
        the list of ids with summaries; with an id the pattern's code."""
        from . import patterns

        with _user_errors():
            if pattern_id is None:
                listing = PatternList(patterns=patterns.summaries())
                return _result(
                    AnyPattern(patterns=listing),
                    f"{len(listing.patterns)} patterns: "
                    + ", ".join(p.id for p in listing.patterns),
                )
            found = patterns.get(pattern_id)
        return _result(AnyPattern(pattern=found), f"pattern {found.id}: {found.title}")

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(SetupResult))
    def validate_setup(
        root: Annotated[
            str | None, Field(description="Project root; default: the first root.")
        ] = None,
    ) -> ToolResult:
        """Project-level checks: the SDK declared or installed in the project's environment,
        AMPLITUDE_AI_API_KEY present (its value is never shown), content mode valid, and the
        provider SDK versions the project installs, locks or declares against the supported
        ranges. Each failed check comes with a copy-pasteable fix."""
        with _user_errors():
            from .setup_check import validate_setup as check

            result = check(roots.project_root(root))
        failed = [c.name for c in result.checks if not c.ok]
        summary = "setup ok" if result.ok else f"{len(failed)} checks failed: {', '.join(failed)}"
        return _result(result, summary)

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(SuggestionResult))
    async def suggest_instrumentation(
        root: Annotated[
            str | None,
            Field(
                description="Project root to scan; default: the first root (ignored when "
                "framework/provider are given without root)."
            ),
        ] = None,
        framework: Annotated[
            str | None, Field(description=f"Web framework: {', '.join(FRAMEWORKS)}.")
        ] = None,
        provider: Annotated[
            str | None, Field(description=f"LLM provider: {', '.join(PROVIDERS)}.")
        ] = None,
        content_tier: Annotated[
            str, Field(description=f"Content mode: {', '.join(CONTENT_TIERS)}.")
        ] = "full",
    ) -> ToolResult:
        """Ordered next steps to instrument the project, derived from a scan (files, clients,
        web framework, agents), or from framework/provider when given without a root."""
        from . import suggest

        with _user_errors():
            if content_tier not in CONTENT_TIERS:
                raise WorkspaceError(
                    f"unknown content_tier {content_tier!r}; use one of {', '.join(CONTENT_TIERS)}"
                )
            if root is None and (framework or provider):
                result = suggest.from_arguments(framework, provider, content_tier)
            else:
                path = roots.project_root(root)
                from .detect.project import scan

                scanned = await anyio.to_thread.run_sync(lambda: scan(path, limit=200))
                result = suggest.from_scan(scanned, content_tier)
        return _result(result, f"{len(result.steps)} steps (based on {result.based_on})")

    @mcp.tool(annotations=_READ_ONLY, output_schema=_schema(SearchResult))
    def search_docs(
        query: Annotated[
            str, Field(min_length=1, max_length=200, description="Words to look for.")
        ],
        max_results: Annotated[int, Field(ge=1, le=20, description="At most this many.")] = 5,
    ) -> ToolResult:
        """Search this server's own documentation (instrumentation guide, AGENTS.md, the
        reference, integration patterns) and return the best-matching sections."""
        from .docs import search

        result = search(query, max_results)
        return _result(result, f"{len(result.results)} results for {query!r}")

    # ------------------------------------------------------------------ resources

    @mcp.resource(
        "amplitude-ai://event-schema",
        mime_type="application/json",
        title="Event schema",
        description="The full [Agent] event catalog (JSON).",
    )
    def event_schema_resource() -> str:
        from amplitude_ai.catalog import catalog_path

        return catalog_path().read_text(encoding="utf-8")

    @mcp.resource(
        "amplitude-ai://integration-patterns",
        mime_type="application/json",
        title="Integration patterns",
        description="Ids, titles and summaries of the tested integration patterns.",
    )
    def patterns_resource() -> str:
        from . import patterns

        return json.dumps([p.model_dump() for p in patterns.summaries()], indent=2)

    @mcp.resource(
        "amplitude-ai://instrument-guide",
        mime_type="text/markdown",
        title="Instrumentation guide",
        description="Detect, plan, apply, verify: "
        "how to instrument an app with this server's tools.",
    )
    def guide_resource() -> str:
        from ._data import data_dir

        return (data_dir("prompts") / "instrument_guide.md").read_text(encoding="utf-8")

    @mcp.resource(
        "amplitude-ai://event-schema/{event_type}",
        mime_type="application/json",
        title="One event type",
        description="Properties of one event type (wire name or snake_case key, e.g. ai_response).",
    )
    def event_resource(event_type: str) -> str:
        from urllib.parse import unquote

        from .schema import SchemaError, event_schema

        try:
            result = event_schema(unquote(event_type), None, include_server_side=True)
        except SchemaError as exc:
            raise ResourceError(str(exc)) from None
        return result.model_dump_json(indent=2)

    @mcp.resource(
        "amplitude-ai://patterns/{pattern_id}",
        mime_type="text/x-python",
        title="Integration pattern",
        description="The code of one integration pattern.",
    )
    def pattern_resource(pattern_id: str) -> str:
        from . import patterns

        try:
            return patterns.get(pattern_id).code
        except patterns.PatternError as exc:
            raise ResourceError(str(exc)) from None

    # ------------------------------------------------------------------ prompt

    @mcp.prompt(
        title="Instrument this app",
        description="Walk through Detect -> Plan -> Apply -> Verify with this server's tools.",
    )
    def instrument_app(
        framework: FrameworkArg = "none",
        provider: ProviderArg = "openai",
        content_tier: ContentTierArg = "full",
    ) -> list[Message]:
        from ._data import data_dir

        guide = (data_dir("prompts") / "instrument_guide.md").read_text(encoding="utf-8")
        task = (
            f"Instrument this {provider} app (web framework: {framework}) with amplitude-ai, "
            f"content mode {content_tier}.\n"
            "1. Detect: call scan_project and summarise providers, call sites and agents.\n"
            "2. Plan: call suggest_instrumentation and show me the plan; ask me for the agent "
            "id and where user ids come from before editing.\n"
            "3. Apply: instrument_file on each file that builds a client (plan, answer its "
            "needs_input with me, then apply=true); get_integration_pattern for the rest.\n"
            "4. Verify: validate_file on each changed file must report 0 uninstrumented; then "
            "validate_setup.\n"
            "5. Test: generate_verify_test with no path (the whole project) and apply=true; answer "
            "its needs_input through its inputs (by id), then run the tests it wrote "
            "(python -m pytest -q tests/test_amplitude_verify.py) and fix what fails.\n\n" + guide
        )
        return [Message(task)]

    @mcp.completion
    def complete(ref: Any, argument: Any, context: Any) -> list[str]:
        values: dict[str, tuple[str, ...]] = {
            "framework": FRAMEWORKS,
            "provider": PROVIDERS,
            "content_tier": CONTENT_TIERS,
        }
        if getattr(ref, "name", None) == "instrument_app" and argument.name in values:
            return [v for v in values[argument.name] if v.startswith(argument.value or "")]
        if getattr(ref, "uri", None) == "amplitude-ai://patterns/{pattern_id}":
            from . import patterns

            return [p for p in patterns.pattern_ids() if p.startswith(argument.value or "")]
        return []

    return mcp
