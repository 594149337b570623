"""OTEL GenAI bridge: an OpenTelemetry span exporter that turns GenAI spans (semantic
conventions ``gen_ai.*``, from OpenLIT, OpenLLMetry/Traceloop, Logfire/pydantic-ai, the
OpenAI instrumentation or hand-written spans) into ``[Agent]`` events.

Routing by ``gen_ai.operation.name`` (inferred from the span name when absent):

* ``chat``, ``text_completion``, ``generate_content`` -> User Message (the last user turn
  of ``gen_ai.input.messages``) + AI Response;
* ``embeddings`` -> Embedding; ``execute_tool`` -> Tool Call;
* ``invoke_agent``, ``create_agent`` -> AI Response carrying the agent, or a Span for the
  agent when the model calls inside it were reported already (never counted twice).

Two gates for content: text is sent only if the span carries it (the instrumentation's
opt-in capture) *and* the ``AmplitudeAI`` content mode allows it (``metadata_only`` and
``customer_enriched`` drop it). Session and agent fields come from the active
``agent.session()`` the span ended in, else from ``gen_ai.conversation.id`` / the
exporter's defaults, else the span's trace id.

Use: ``provider.add_span_processor(AmplitudeSpanProcessor(AmplitudeAgentExporter(
amplitude=amplitude, user_id="u-1")))`` (batched export that keeps each span's session and
call context), or ``SimpleSpanProcessor(AmplitudeAgentExporter(...))`` (inline export).
A plain ``BatchSpanProcessor(AmplitudeAgentExporter(...))`` exports on its own thread,
where the session is unknown and an HTTP-level span of a failed request cannot be matched
to the provider-layer call it belongs to.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import StatusCode

from amplitude_ai import _claims
from amplitude_ai.integrations._base import IntegrationBase

__all__ = ["AmplitudeAgentExporter", "AmplitudeSpanProcessor"]

_MODEL_OPS = frozenset({"chat", "text_completion", "generate_content"})
_AGENT_OPS = frozenset({"invoke_agent", "create_agent"})
_KNOWN_OPS = _MODEL_OPS | _AGENT_OPS | {"embeddings", "execute_tool"}
_MAX_TRACES = 4096
# Contexts of ended spans waiting for a batched export (the batch queue holds 2048 spans
# by default; a span the processor dropped never comes back for its context).
_MAX_PENDING = 8192
_TOKEN = re.compile(r"[._\-/\s]+")


def _tokens(name: str) -> list[str]:
    return [t for t in _TOKEN.split(name.lower()) if t]


def _scope_matches(scope: str, patterns: Collection[str]) -> bool:
    """``scope`` equals a pattern or contains it as whole dotted/dashed words
    (``openai`` matches ``opentelemetry.instrumentation.openai_v2``)."""
    words = _tokens(scope)
    for pattern in patterns:
        wanted = _tokens(pattern)
        if not wanted:
            continue
        n = len(wanted)
        if any(words[i : i + n] == wanted for i in range(len(words) - n + 1)):
            return True
    return False


def _loads(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _part_text(parts: Any) -> str | None:
    """Text of a semconv message: ``parts`` of ``{"type": "text", "content": ...}``, or a
    plain ``content`` string (older conventions)."""
    if isinstance(parts, str):
        return parts
    if not isinstance(parts, Sequence):
        return None
    texts = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, Mapping) and part.get("type", "text") == "text":
            text = part.get("content", part.get("text"))
            if isinstance(text, str):
                texts.append(text)
    return "".join(texts) or None


def _message_text(message: Any) -> str | None:
    if not isinstance(message, Mapping):
        return message if isinstance(message, str) else None
    if "parts" in message:
        return _part_text(message["parts"])
    return _part_text(message.get("content"))


def _messages(attrs: Mapping[str, Any], key: str, legacy: str) -> list[Any]:
    value = _loads(attrs.get(key))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    # OpenLLMetry's indexed form: gen_ai.prompt.0.role / gen_ai.prompt.0.content ...
    found: list[dict[str, Any]] = []
    index = 0
    while f"{legacy}.{index}.role" in attrs or f"{legacy}.{index}.content" in attrs:
        found.append(
            {
                "role": attrs.get(f"{legacy}.{index}.role"),
                "content": attrs.get(f"{legacy}.{index}.content"),
            }
        )
        index += 1
    return found


def _first(value: Any) -> Any:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return value[0] if value else None
    return value


def _operation(span: ReadableSpan, attrs: Mapping[str, Any]) -> str | None:
    op = attrs.get("gen_ai.operation.name")
    if isinstance(op, str) and op:
        return op
    if not any(k.startswith("gen_ai.") for k in attrs):
        return None
    head = span.name.split(" ", 1)[0].lower()  # "chat gpt-4o", "embeddings text-emb..."
    if head in _KNOWN_OPS:
        return head
    if "gen_ai.tool.name" in attrs:
        return "execute_tool"
    if "gen_ai.agent.name" in attrs or "gen_ai.agent.id" in attrs:
        return "invoke_agent"
    return (
        "chat" if attrs.get("gen_ai.request.model") or attrs.get("gen_ai.response.model") else None
    )


def _span_key(span: ReadableSpan) -> tuple[int, int] | None:
    context = span.get_span_context()
    return (context.trace_id, context.span_id) if context is not None else None


def _provider_layer_covers(span: ReadableSpan, provider: str | None) -> bool:
    """The provider layer reports the call this span observed:

    * ``patch()`` covers every call of that SDK;
    * a provider-layer call started while this span (or a span below it) was current: the
      span wraps the SDK call, recorded when the call started (any span processor);
    * in the context the span ended in (inline export, or the context
      ``AmplitudeSpanProcessor`` keeps for a batched export): a provider-layer call began
      inside the span, or its request is under way around it (an HTTP-level span below the
      SDK call). Failures and id-less streams included."""
    key = _span_key(span)
    claim = _claims.span_claim(*key) if key is not None else None
    return (
        _claims.provider_patched(provider)
        or (claim is not None and _claims.call_matches(claim, provider))
        or _claims.provider_call_since(provider, span.start_time or 0)
    )


def _pass_cover_to_parent(span: ReadableSpan) -> None:
    """A span under which the provider layer tracked a call covers its ancestors too (a
    wrapper's chat span around an inner span around the SDK call). Children end, and are
    exported, before their parents."""
    key = _span_key(span)
    parent = span.parent
    if key is None or parent is None or not parent.is_valid:
        return
    claim = _claims.span_claim(*key)
    if claim is not None:
        _claims.cover_span(parent.trace_id, parent.span_id, claim.provider)


def _num(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class AmplitudeAgentExporter(IntegrationBase, SpanExporter):
    """OpenTelemetry ``SpanExporter`` mapping GenAI spans to ``[Agent]`` events.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI``.
        user_id, session_id, agent_id, agent_version, env, customer_org_id, context:
            Defaults for the events; an active session and the span's own attributes
            (``enduser.id``, ``gen_ai.conversation.id``, ``gen_ai.agent.id``) fill the rest.
        allowed_scopes: Only export spans whose instrumentation scope matches one of these.
        blocked_scopes: Never export spans whose instrumentation scope matches one of these.
    """

    def __init__(
        self,
        amplitude: Any = None,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        agent_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        customer_org_id: str | None = None,
        context: Mapping[str, Any] | None = None,
        allowed_scopes: Iterable[str] | None = None,
        blocked_scopes: Iterable[str] | None = None,
    ) -> None:
        IntegrationBase.__init__(
            self,
            amplitude,
            user_id=user_id,
            session_id=session_id,
            agent_id=agent_id,
            agent_version=agent_version,
            env=env,
            customer_org_id=customer_org_id,
            context=context,
        )
        self.allowed_scopes = frozenset(allowed_scopes) if allowed_scopes is not None else None
        self.blocked_scopes = frozenset(blocked_scopes or ())
        self._model_traces: OrderedDict[int, None] = OrderedDict()
        self._pending: OrderedDict[tuple[int, int], contextvars.Context] = OrderedDict()
        self._lock = threading.Lock()
        self._shutdown = False

    # ------------------------------------------------------------------ SpanExporter
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown:
            return SpanExportResult.FAILURE
        for span in spans:
            try:
                _pass_cover_to_parent(span)
                context = self._take_context(span)
                if context is not None:
                    context.run(self._export_one, span)
                else:
                    self._warn_if_detached()
                    self._export_one(span)
            except Exception:  # one odd span must not stop the others (nor the app)
                from amplitude_ai._logging import log_once

                log_once(
                    "otel-span",
                    40,
                    "amplitude_ai: could not map an OpenTelemetry span",
                    exc_info=True,
                )
        return SpanExportResult.SUCCESS

    def keep_context(self, span: ReadableSpan) -> None:
        """Keep the calling context of an ended span for its later export (the session
        and the provider layer's call marks live there)."""
        key = _span_key(span)
        if key is None:
            return
        with self._lock:
            self._pending[key] = contextvars.copy_context()
            if len(self._pending) > _MAX_PENDING:
                self._pending.popitem(last=False)

    def _take_context(self, span: ReadableSpan) -> contextvars.Context | None:
        key = _span_key(span)
        with self._lock:
            return self._pending.pop(key, None) if key is not None else None

    @staticmethod
    def _warn_if_detached() -> None:
        if threading.current_thread().name.startswith("OtelBatch"):
            from amplitude_ai._logging import log_once

            log_once(
                "otel-batch-detached",
                logging.WARNING,
                "amplitude_ai: AmplitudeAgentExporter runs under a BatchSpanProcessor, "
                "which exports without the app's context (no session; HTTP-level spans of "
                "failed requests may be counted twice); use "
                "AmplitudeSpanProcessor(exporter) for batched export instead",
            )

    def shutdown(self) -> None:
        self._shutdown = True

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        self.ai.flush()
        return True

    # ------------------------------------------------------------------ mapping
    def _wanted(self, span: ReadableSpan) -> bool:
        scope = getattr(span, "instrumentation_scope", None)
        name = getattr(scope, "name", "") or ""
        if self.allowed_scopes is not None and not _scope_matches(name, self.allowed_scopes):
            return False
        return not (self.blocked_scopes and _scope_matches(name, self.blocked_scopes))

    def _export_one(self, span: ReadableSpan) -> None:
        if not self._wanted(span):
            return
        attrs: Mapping[str, Any] = span.attributes or {}
        op = _operation(span, attrs)
        if op is None:
            return
        scope = self._identity(span, attrs)
        if op == "execute_tool":
            self._tool_call(span, attrs, scope)
        elif op == "embeddings":
            self._embedding(span, attrs, scope)
        elif op in _AGENT_OPS:
            self._agent(span, attrs, scope)
        elif op in _MODEL_OPS:
            self._model_call(span, attrs, scope)

    def _identity(self, span: ReadableSpan, attrs: Mapping[str, Any]) -> dict[str, Any]:
        from amplitude_ai.context import current_context

        ctx = current_context()
        scope: dict[str, Any] = {}
        has_session = self.defaults.session_id or (ctx and ctx.session_id)
        if not has_session:
            conversation = attrs.get("gen_ai.conversation.id")
            scope["session_id"] = str(conversation) if conversation else self._trace_hex(span)
        if not (ctx and ctx.trace_id):
            scope["trace_id"] = self._trace_hex(span)
        if not (self.defaults.user_id or (ctx and ctx.user_id)) and attrs.get("enduser.id"):
            scope["user_id"] = str(attrs["enduser.id"])
        agent = attrs.get("gen_ai.agent.id") or attrs.get("gen_ai.agent.name")
        if agent:
            scope["agent_id"] = str(agent)
        return scope

    @staticmethod
    def _trace_hex(span: ReadableSpan) -> str:
        context = span.get_span_context()
        return format(context.trace_id, "032x") if context is not None else ""

    @staticmethod
    def _latency(span: ReadableSpan) -> float:
        if span.start_time is None or span.end_time is None:
            return 0.0
        return max(0, span.end_time - span.start_time) / 1e6

    @staticmethod
    def _error(span: ReadableSpan, attrs: Mapping[str, Any]) -> dict[str, Any]:
        failed = attrs.get("error.type") or span.status.status_code is StatusCode.ERROR
        if not failed:
            return {"is_error": False}
        detail = span.status.description or attrs.get("error.type") or "error"
        return {"is_error": True, "error_message": str(detail)}

    def _model_fields(self, span: ReadableSpan, attrs: Mapping[str, Any]) -> dict[str, Any]:
        provider = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system")
        output = _messages(attrs, "gen_ai.output.messages", "gen_ai.completion")
        system = _loads(attrs.get("gen_ai.system_instructions"))
        if system is None:
            for message in _messages(attrs, "gen_ai.input.messages", "gen_ai.prompt"):
                if isinstance(message, Mapping) and message.get("role") == "system":
                    system = message
                    break
        finish = _first(attrs.get("gen_ai.response.finish_reasons"))
        fields = {
            "model": attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model"),
            "provider": str(provider) if provider else "unknown",
            "latency_ms": self._latency(span),
            "input_tokens": _num(
                attrs.get("gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens"))
            ),
            "output_tokens": _num(
                attrs.get("gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens"))
            ),
            "finish_reason": str(finish) if finish else None,
            "temperature": _num(attrs.get("gen_ai.request.temperature")),
            "max_output_tokens": _num(attrs.get("gen_ai.request.max_tokens")),
            "top_p": _num(attrs.get("gen_ai.request.top_p")),
            "content": _message_text(output[0]) if output else None,
            "system_prompt": _message_text(system)
            if isinstance(system, Mapping)
            else _part_text(system),
            **self._error(span, attrs),
        }
        return {k: v for k, v in fields.items() if v is not None}

    def _reported_elsewhere(
        self, span: ReadableSpan, attrs: Mapping[str, Any], provider: str
    ) -> bool:
        return _claims.response_claimed(attrs.get("gen_ai.response.id")) or _provider_layer_covers(
            span, provider
        )

    def _user_turn(self, attrs: Mapping[str, Any], scope: Mapping[str, Any]) -> None:
        for message in reversed(_messages(attrs, "gen_ai.input.messages", "gen_ai.prompt")):
            if isinstance(message, Mapping) and message.get("role") == "user":
                self.emit_user_message(_message_text(message), scope)
                return

    def _model_call(
        self, span: ReadableSpan, attrs: Mapping[str, Any], scope: dict[str, Any]
    ) -> None:
        self._remember_model_trace(span)
        fields = self._model_fields(span, attrs)
        if self._reported_elsewhere(span, attrs, fields["provider"]):
            return
        self._user_turn(attrs, scope)
        fields.setdefault("model", "unknown")
        self.emit("ai_response", {**scope, **fields, "span_kind": "llm"}, "message_id")
        _claims.claim_response(attrs.get("gen_ai.response.id"), run=_claims.current_run())

    def _agent(self, span: ReadableSpan, attrs: Mapping[str, Any], scope: dict[str, Any]) -> None:
        context = span.get_span_context()
        trace = context.trace_id if context is not None else 0
        with self._lock:
            inner_calls = trace in self._model_traces
        provider = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system")
        if inner_calls or _provider_layer_covers(span, str(provider) if provider else None):
            # The model calls of this agent were reported on their own: the agent is a span.
            self.emit(
                "span",
                {
                    **scope,
                    "span_name": span.name,
                    "latency_ms": self._latency(span),
                    **self._error(span, attrs),
                },
                "span_id",
            )
            return
        fields = self._model_fields(span, attrs)
        self._user_turn(attrs, scope)
        fields.setdefault("model", "unknown")
        self.emit("ai_response", {**scope, **fields, "span_kind": "agent"}, "message_id")

    def _tool_call(
        self, span: ReadableSpan, attrs: Mapping[str, Any], scope: dict[str, Any]
    ) -> None:
        name = attrs.get("gen_ai.tool.name")
        if not name:
            head, _, rest = span.name.partition(" ")
            name = rest if head == "execute_tool" and rest else span.name
        error = self._error(span, attrs)
        self.emit(
            "tool_call",
            {
                **scope,
                "tool_name": str(name),
                "latency_ms": self._latency(span),
                "success": not error["is_error"],
                **error,
                "input": _loads(attrs.get("gen_ai.tool.call.arguments")),
                "output": _loads(attrs.get("gen_ai.tool.call.result")),
                "span_kind": "tool",
            },
            "invocation_id",
        )

    def _embedding(
        self, span: ReadableSpan, attrs: Mapping[str, Any], scope: dict[str, Any]
    ) -> None:
        provider = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or "unknown"
        if _provider_layer_covers(span, str(provider)):
            return
        self.emit(
            "embedding",
            {
                **scope,
                "model": attrs.get("gen_ai.response.model")
                or attrs.get("gen_ai.request.model")
                or "unknown",
                "provider": str(provider),
                "latency_ms": self._latency(span),
                "input_tokens": _num(attrs.get("gen_ai.usage.input_tokens")),
                "dimensions": _num(attrs.get("gen_ai.embeddings.dimension.count")),
            },
            "span_id",
        )

    def _remember_model_trace(self, span: ReadableSpan) -> None:
        context = span.get_span_context()
        if context is None:
            return
        with self._lock:
            self._model_traces[context.trace_id] = None
            self._model_traces.move_to_end(context.trace_id)
            if len(self._model_traces) > _MAX_TRACES:
                self._model_traces.popitem(last=False)


class AmplitudeSpanProcessor(SpanProcessor):
    """Span processor for the bridge: exports through ``exporter`` in batches (or inline
    with ``batch=False``) and keeps each ended span's calling context for its export, so a
    batched export sees the span's session and the provider layer's call marks as an
    inline export does (one AI Response per call whichever layer observes it).

    Args:
        exporter: The ``AmplitudeAgentExporter`` to export through.
        batch: Export on a background thread in batches (``BatchSpanProcessor``), else
            inline when each span ends (``SimpleSpanProcessor``).
        batch_options: Keyword arguments for ``BatchSpanProcessor`` (``schedule_delay_millis``,
            ``max_queue_size``, ...).
    """

    def __init__(
        self,
        exporter: AmplitudeAgentExporter,
        *,
        batch: bool = True,
        **batch_options: Any,
    ) -> None:
        if not isinstance(exporter, AmplitudeAgentExporter):
            raise TypeError(
                "AmplitudeSpanProcessor needs an AmplitudeAgentExporter, got "
                f"{type(exporter).__name__}"
            )
        if batch_options and not batch:
            raise TypeError("batch options were given with batch=False")
        self.exporter = exporter
        self._inner: SpanProcessor = (
            BatchSpanProcessor(exporter, **batch_options)
            if batch
            else SimpleSpanProcessor(exporter)
        )

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self.exporter.keep_context(span)
        self._inner.on_end(span)

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)
