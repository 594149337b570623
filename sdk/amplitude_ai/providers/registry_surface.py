"""The API surface type of the provider registry: one method of a provider client, with
the facts its name does not say. Pure data, no import (the MCP server loads it by file,
see ``registry``)."""

from __future__ import annotations

from dataclasses import dataclass

Operation = str  # "chat" | "completion" | "responses" | "embedding"


@dataclass(frozen=True)
class Surface:
    """One API method, as an attribute path from a client instance (or, in
    ``module_functions``, a qualified name), with what the path alone does not say."""

    path: str
    operation: Operation = "chat"
    stream: bool = False
    is_async: bool | None = None  # None: as the client class is
    # Keyword arguments that identify this API on a receiver whose type is unknown.
    evidence: tuple[str, ...] = ()
    # Also infer an untyped parameter's type from a call with all of ``evidence``.
    infer_type: bool = False
    reason: str = ""  # set on untracked APIs: why the SDK does not track it


def surface_facts(path: str) -> Surface:
    """What a surface's name says: ``*embed*`` is an embedding, ``responses.*`` the
    Responses API, a ``stream`` method streams, ``*_async`` / ``aio.*`` is async."""
    method = path.rsplit(".", 1)[-1]
    if "embed" in method or path.startswith("embeddings."):
        operation = "embedding"
    elif path.startswith("responses."):
        operation = "responses"
    elif path.split(".", 1)[0] in ("completions", "fim"):
        operation = "completion"
    else:
        operation = "chat"
    is_async = True if method.endswith("_async") or path.startswith("aio.") else None
    return Surface(path, operation, "stream" in method, is_async)
