"""The call-site model shared by scan, validate_file and the codemods."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from . import providers as P

CallStyle = Literal["direct", "alias", "reference", "module_function"]
ResolvedBy = Literal[
    "constructor",
    "annotation",
    "factory",
    "cross_file",
    "usage",
    "import",
    "unresolved",
    "url",
    "argument",
]
Confidence = Literal["confirmed", "probable"]


class CallSite(BaseModel):
    """One place in the code that calls an LLM (or an LLM framework)."""

    file: str = Field(description="Path relative to the project root (or '<source>').")
    line: int = Field(description="1-based line of the call expression's start.")
    column: int = Field(description="1-based column of the call expression's start.")
    end_line: int
    end_column: int
    provider: str = Field(description="Provider or framework, e.g. openai, anthropic, langchain.")
    kind: Literal["provider", "framework"]
    api: str = Field(description="Method path or function, e.g. chat.completions.create.")
    operation: str = Field(description="chat, completion, responses, embedding, agent_run, query.")
    is_async: bool
    stream: bool = Field(description="Streams its answer (stream=True or a streaming method).")
    raw_response: bool = Field(default=False, description="Via with_raw_response / streaming.")
    call_style: CallStyle = Field(
        description="direct call, call through a method alias, method passed by reference, "
        "or a module-level function."
    )
    receiver: str | None = Field(default=None, description="Source of the client expression.")
    client_origin: str | None = Field(
        default=None, description="Qualified name of what built the client, e.g. openai.OpenAI."
    )
    client_file: str | None = Field(
        default=None, description="File where the client is constructed (when known)."
    )
    client_line: int | None = Field(default=None, description="Line of that constructor call.")
    resolved_by: ResolvedBy = Field(description="How the client's type was established.")
    qualified_name: str = Field(description="Fully qualified API, e.g. openai.OpenAI.chat...")
    enclosing: str | None = Field(default=None, description="Enclosing Class.function, if any.")
    instrumented: bool
    instrumentation: str = Field(description="Why the site is, or is not, instrumented.")
    in_test: bool = Field(default=False, description="The file is a test file.")
    integration: str | None = Field(
        default=None, description="The SDK integration that instruments a framework site."
    )

    @model_validator(mode="after")
    def _framework_integration(self) -> CallSite:
        # Framework sites name the SDK integration that instruments them (registered once
        # in the bootstrap); provider sites are instrumented through their client.
        if self.kind == "framework" and self.integration is None:
            found = P.integration_for(self.provider)
            if found is not None:
                self.integration = found.target
        return self

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.provider, self.api)


class UncertainSite(BaseModel):
    """A call we recognise but cannot confirm, or do not track (kept out of call_sites)."""

    file: str
    line: int
    column: int
    provider: str
    api: str = Field(description="Method path, or 'HTTP <verb> <host>' for raw requests.")
    confidence: Literal["confirmed", "probable"] = Field(
        description="probable: the call has a provider API's shape but its receiver could not "
        "be traced; confirmed: the client (or the URL) proves the provider."
    )
    tracked: bool = Field(
        description="False: an API the SDK does not track (Assistants, Realtime, Batch, "
        "images/audio/moderations, raw HTTP)."
    )
    receiver: str | None = None
    enclosing: str | None = None
    evidence: str = Field(description="Why it is reported, and for untracked APIs why not tracked.")
    in_test: bool = False
