"""LangChain / LangGraph: a callback handler that turns runs into ``[Agent]`` events.

* chat model and LLM runs -> ``[Agent] User Message`` (the last human turn, once per
  conversation turn) and ``[Agent] AI Response`` (model, provider, tokens incl. cache and
  reasoning, latency, TTFB, streaming, finish reason, tool calls, errors);
* tool runs -> ``[Agent] Tool Call``; retriever runs -> ``[Agent] Span``;
* the outermost chain of an invocation and every LangGraph node -> ``[Agent] Span``, nested
  by ``parent_span_id``; with ``agent_nodes`` graph nodes act as child agents (their events
  carry the node as ``agent_id`` and the enclosing agent as ``parent_agent_id``).

One invocation is one trace; without a session (the handler's ``session_id`` or an active
``agent.session()``), the outermost run's id is used as session id. When the provider SDK
underneath is instrumented too (``patch()`` or a drop-in client), that layer reports the
model call and this handler only adds the structure around it, so no call is counted twice.

The handler is synchronous and runs inline (it only buffers events), so it serves ``invoke``
and ``ainvoke``, ``stream`` and ``astream`` alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from amplitude_ai import _claims
from amplitude_ai._ids import new_uuid
from amplitude_ai.context import current_context

from ._base import IntegrationBase, error_text

__all__ = ["AmplitudeCallbackHandler", "create_amplitude_callback"]

_MAX_OPEN_RUNS = 10_000  # runs that never end (a crashed worker) must not pile up


@dataclass
class _Run:
    kind: str  # "llm", "tool", "chain" or "retriever"
    name: str
    started: float
    scope: dict[str, Any]  # session/trace/agent fields of the events of this run
    span_id: str | None = None  # set on the runs reported as spans
    parent_span_id: str | None = None
    inputs: Any = None
    model: str | None = None
    provider: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    user_message: str | None = None
    streaming: bool = False
    first_token: float | None = None
    parent_message_id: str | None = None  # tool runs: the AI Response that asked for them


def _text(content: Any) -> str | None:
    """Plain text of message content (a string or a list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = [
            block if isinstance(block, str) else block.get("text", "")
            for block in content
            if isinstance(block, str) or (isinstance(block, Mapping) and "text" in block)
        ]
        return "".join(parts) or None
    return None


def _provider_of(serialized: Mapping[str, Any] | None, metadata: Mapping[str, Any]) -> str:
    provider = metadata.get("ls_provider")
    if provider:
        return str(provider)
    path = (serialized or {}).get("id") or []
    # ["langchain", "chat_models", "openai", "ChatOpenAI"] -> "openai"
    if len(path) >= 3 and isinstance(path[-2], str):
        return path[-2].replace("langchain_", "")
    return "unknown"


class AmplitudeCallbackHandler(IntegrationBase, BaseCallbackHandler):
    """LangChain callback handler reporting runs as ``[Agent]`` events.

    Pass it where LangChain takes callbacks: ``chain.invoke(x, config={"callbacks":
    [handler]})``, ``ChatOpenAI(callbacks=[handler])`` or a LangGraph graph's config.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI``.
        user_id, session_id, agent_id, parent_agent_id, agent_version, env,
            customer_org_id, context: Defaults for the events (an active session fills the
            rest).
        agent_nodes: ``True`` to treat every LangGraph node as a child agent, or the names
            of the nodes that are agents (e.g. a supervisor's workers).
        track_chains: Report the outermost chain and graph nodes as spans (default).
    """

    run_inline = True  # cheap and non-blocking; sees the caller's session context
    raise_error = False

    def __init__(
        self,
        amplitude: Any = None,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        customer_org_id: str | None = None,
        context: Mapping[str, Any] | None = None,
        agent_nodes: bool | Collection[str] = False,
        track_chains: bool = True,
    ) -> None:
        IntegrationBase.__init__(
            self,
            amplitude,
            user_id=user_id,
            session_id=session_id,
            agent_id=agent_id,
            parent_agent_id=parent_agent_id,
            agent_version=agent_version,
            env=env,
            customer_org_id=customer_org_id,
            context=context,
        )
        self.agent_nodes = agent_nodes
        self.track_chains = track_chains
        self._runs: dict[UUID, _Run] = {}
        self._requested_by: dict[str, str] = {}  # tool call id -> AI Response message id
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ run bookkeeping
    def _open(
        self,
        kind: str,
        name: str,
        run_id: UUID,
        parent_run_id: UUID | None,
        metadata: Mapping[str, Any] | None = None,
    ) -> _Run:
        with self._lock:
            parent = self._runs.get(parent_run_id) if parent_run_id else None
        if parent is None:
            scope: dict[str, Any] = self.conversation(str(run_id), str(run_id))
            parent_span = None
        else:
            scope = dict(parent.scope)
            parent_span = parent.span_id or parent.parent_span_id
        run = _Run(kind, name, time.perf_counter(), scope, parent_span_id=parent_span)
        if kind == "chain" and self.track_chains:
            node = (metadata or {}).get("langgraph_node")
            is_node = node == name and (parent is None or parent.name != name)
            if parent is None or is_node:
                run.span_id = new_uuid()
            if is_node and self._is_agent_node(name):
                active = current_context()
                enclosing = (
                    scope.get("agent_id")
                    or self.defaults.agent_id
                    or (active.agent_id if active is not None else None)
                )
                run.scope = {**scope, "agent_id": name, "parent_agent_id": enclosing}
        with self._lock:
            if len(self._runs) >= _MAX_OPEN_RUNS:
                self._runs.pop(next(iter(self._runs)))
            self._runs[run_id] = run
        return run

    def _close(self, run_id: UUID) -> _Run | None:
        with self._lock:
            return self._runs.pop(run_id, None)

    def _is_agent_node(self, name: str) -> bool:
        if isinstance(self.agent_nodes, bool):
            return self.agent_nodes
        return name in self.agent_nodes

    @staticmethod
    def _elapsed(run: _Run) -> float:
        return (time.perf_counter() - run.started) * 1000.0

    # ------------------------------------------------------------------ models
    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[Any]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        run = self._start_model(serialized, run_id, parent_run_id, metadata, kwargs)
        batch = messages[0] if messages else []
        for message in reversed(batch):
            if getattr(message, "type", None) == "human":
                run.user_message = _text(message.content)
                break
        for message in batch:
            if getattr(message, "type", None) == "system":
                run.params["system_prompt"] = _text(message.content)
                break

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        run = self._start_model(serialized, run_id, parent_run_id, metadata, kwargs)
        run.user_message = prompts[0] if prompts else None

    def _start_model(
        self,
        serialized: dict[str, Any] | None,
        run_id: UUID,
        parent_run_id: UUID | None,
        metadata: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
    ) -> _Run:
        metadata = metadata or {}
        invocation = kwargs.get("invocation_params") or {}
        name = (serialized or {}).get("name") or "llm"
        run = self._open("llm", str(name), run_id, parent_run_id, metadata)
        run.provider = _provider_of(serialized, metadata)
        _claims.enter_run(str(run_id), run.provider)
        run.model = (
            invocation.get("model")
            or invocation.get("model_name")
            or metadata.get("ls_model_name")
            or None
        )
        run.streaming = bool(invocation.get("stream") or invocation.get("streaming"))
        params = {
            "temperature": invocation.get("temperature", metadata.get("ls_temperature")),
            "max_output_tokens": invocation.get("max_tokens")
            or invocation.get("max_completion_tokens")
            or metadata.get("ls_max_tokens"),
            "top_p": invocation.get("top_p"),
        }
        run.params = {k: v for k, v in params.items() if isinstance(v, (int, float))}
        return run

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            run = self._runs.get(run_id)
        if run is not None:
            run.streaming = True
            if run.first_token is None:
                run.first_token = time.perf_counter()

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is None:
            return
        fields = _result_fields(response)
        response_id = fields.pop("response_id", None)
        if self._reported_elsewhere(run, run_id, response_id):
            return  # the provider layer (or an OTEL bridge) already reported this call
        self.emit_user_message(run.user_message, run.scope)
        fields.setdefault("model", run.model or "unknown")
        if run.first_token is not None:
            fields["ttfb_ms"] = (run.first_token - run.started) * 1000.0
        message_id = self.emit(
            "ai_response",
            {
                **run.scope,
                **run.params,
                **fields,
                "provider": run.provider,
                "latency_ms": self._elapsed(run),
                "is_streaming": run.streaming,
            },
            "message_id",
        )
        _claims.claim_response(response_id)
        if message_id:
            with self._lock:
                for call in fields.get("tool_calls") or ():
                    if call.get("id"):
                        self._requested_by[str(call["id"])] = message_id
                while len(self._requested_by) > _MAX_OPEN_RUNS:
                    self._requested_by.pop(next(iter(self._requested_by)))

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is None or _claims.error_claimed(error) or self._reported_elsewhere(run, run_id):
            return
        self.emit_user_message(run.user_message, run.scope)
        self.emit(
            "ai_response",
            {
                **run.scope,
                **run.params,
                "model": run.model or "unknown",
                "provider": run.provider,
                "latency_ms": self._elapsed(run),
                "is_streaming": run.streaming,
                "is_error": True,
                "error_message": error_text(error),
            },
            "message_id",
        )
        _claims.claim_error(error)

    @staticmethod
    def _reported_elsewhere(run: _Run, run_id: UUID, response_id: str | None = None) -> bool:
        # The provider layer saw this run's request start (run claim), reported the same
        # response id, or (patch()) reports every call of this provider's SDK.
        return (
            _claims.run_claimed(str(run_id))
            or _claims.response_claimed(response_id)
            or _claims.provider_patched(run.provider)
        )

    # ------------------------------------------------------------------ tools
    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = (serialized or {}).get("name") or kwargs.get("name") or "tool"
        run = self._open("tool", str(name), run_id, parent_run_id, metadata)
        run.inputs = inputs if inputs is not None else input_str
        call_id = kwargs.get("tool_call_id")
        if call_id:
            with self._lock:
                run.parent_message_id = self._requested_by.pop(str(call_id), None)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is not None:
            self._tool_call(run, output=getattr(output, "content", output))

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is not None:
            self._tool_call(run, error=error)

    def _tool_call(
        self, run: _Run, *, output: Any = None, error: BaseException | None = None
    ) -> None:
        self.emit(
            "tool_call",
            {
                **run.scope,
                "tool_name": run.name,
                "latency_ms": self._elapsed(run),
                "success": error is None,
                "is_error": error is not None,
                "error_message": error_text(error) if error is not None else None,
                "input": run.inputs,
                "output": output,
                "parent_message_id": run.parent_message_id,
            },
            "invocation_id",
        )

    # ------------------------------------------------------------------ chains / graphs
    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "chain"
        run = self._open("chain", str(name), run_id, parent_run_id, metadata)
        run.inputs = inputs

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is not None and run.span_id is not None:
            self._span(run, output=outputs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is not None and run.span_id is not None:
            self._span(run, error=error)

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "retriever"
        run = self._open("retriever", str(name), run_id, parent_run_id, metadata)
        run.span_id = new_uuid()
        run.inputs = {"query": query}

    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is not None:
            self._span(run, output={"documents": len(documents)})

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._close(run_id)
        if run is not None:
            self._span(run, error=error)

    def _span(self, run: _Run, *, output: Any = None, error: BaseException | None = None) -> None:
        self.emit(
            "span",
            {
                **run.scope,
                "span_id": run.span_id,
                "span_name": run.name,
                "parent_span_id": run.parent_span_id,
                "latency_ms": self._elapsed(run),
                "is_error": error is not None,
                "error_message": error_text(error) if error is not None else None,
                "input_state": run.inputs,
                "output_state": output,
            },
            "span_id",
        )


def _result_fields(response: Any) -> dict[str, Any]:
    """AI Response fields from a LangChain ``LLMResult`` (plus ``response_id``)."""
    generations = getattr(response, "generations", None) or [[]]
    gen = generations[0][0] if generations and generations[0] else None
    message = getattr(gen, "message", None)
    llm_output = getattr(response, "llm_output", None) or {}
    meta = getattr(message, "response_metadata", None) or {}
    info = getattr(gen, "generation_info", None) or {}
    usage = getattr(message, "usage_metadata", None) or {}
    legacy = llm_output.get("token_usage") or llm_output.get("usage") or {}
    fields: dict[str, Any] = {
        "content": _text(getattr(message, "content", None))
        if message
        else getattr(gen, "text", None),
        "model": llm_output.get("model_name")
        or meta.get("model_name")
        or meta.get("model")
        or info.get("model_name"),
        "finish_reason": info.get("finish_reason")
        or meta.get("finish_reason")
        or meta.get("stop_reason"),
        "response_id": llm_output.get("id") or meta.get("id"),
        "input_tokens": usage.get("input_tokens")
        or legacy.get("prompt_tokens")
        or legacy.get("input_tokens"),
        "output_tokens": usage.get("output_tokens")
        or legacy.get("completion_tokens")
        or legacy.get("output_tokens"),
        "total_tokens": usage.get("total_tokens") or legacy.get("total_tokens"),
    }
    details_in = usage.get("input_token_details") or {}
    details_out = usage.get("output_token_details") or {}
    fields["cache_read_tokens"] = details_in.get("cache_read") or None
    fields["cache_creation_tokens"] = details_in.get("cache_creation") or None
    fields["reasoning_tokens"] = details_out.get("reasoning") or None
    calls = getattr(message, "tool_calls", None)
    if calls:
        fields["tool_calls"] = [
            {
                "id": c.get("id"),
                "type": "function",
                "function": {"name": c.get("name"), "arguments": c.get("args")},
            }
            for c in calls
        ]
    return {k: v for k, v in fields.items() if v is not None}


def create_amplitude_callback(amplitude: Any = None, **options: Any) -> AmplitudeCallbackHandler:
    """A LangChain callback handler reporting to Amplitude (see
    :class:`AmplitudeCallbackHandler` for the options)."""
    return AmplitudeCallbackHandler(amplitude, **options)
