"""LiteLLM: a ``CustomLogger`` that reports every ``litellm`` call as ``[Agent]`` events.

LiteLLM's callback list is its own observation point: every provider it routes to
(OpenAI, Anthropic, Gemini, Bedrock, Groq, Ollama, ...) reports through it, for
``completion``/``acompletion`` (plain and streamed), ``text_completion``, ``responses``
and ``embedding``/``aembedding`` (other call types, e.g. images or audio, are logged once
as not tracked):

* chat calls -> ``[Agent] User Message`` (the last user turn, once per conversation turn)
  and ``[Agent] AI Response`` with the model, the routed provider (LiteLLM's
  ``custom_llm_provider``), tokens incl. cache and reasoning, latency, TTFB of streams,
  finish reason, tool calls and errors;
* embedding calls -> ``[Agent] Embedding``.

Register it with :func:`amplitude_ai.patch_litellm` (or ``amplitude_ai.patch()``), or
yourself: ``litellm.callbacks.append(AmplitudeLiteLLMCallback(ai))``.

Cost: genai-prices first, as for every other tracked call (the same model is priced the
same whichever layer reported it, cache-aware); LiteLLM's own ``response_cost`` only when
genai-prices does not know the model (e.g. a model priced in the app's LiteLLM config).

Identity comes from the active ``agent.session()`` as it was when the call started, the
callback's defaults, and per call from LiteLLM's ``metadata``
(``metadata={"amplitude_user_id": ..., "amplitude_session_id": ...}``).

LiteLLM sends OpenAI (and compatible) calls through the openai SDK: when that SDK is
instrumented too (``patch()``, a drop-in passed as ``client=``), the provider layer
reports the call and this callback stays silent (see ``amplitude_ai._claims``).
"""

from __future__ import annotations

import atexit
import datetime as _dt
import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from amplitude_ai import _claims
from amplitude_ai._logging import log_once
from amplitude_ai.context import SessionContext, current_context
from amplitude_ai.costs import calculate_cost
from amplitude_ai.providers import _openai_fields
from amplitude_ai.providers._calls import CALL_KWARGS
from amplitude_ai.providers._emit import _as_active
from amplitude_ai.providers._read import count, get, number

from ._base import IntegrationBase, error_text

__all__ = ["AmplitudeLiteLLMCallback"]

_CHAT_CALLS = frozenset({"completion", "acompletion", "text_completion", "atext_completion"})
_RESPONSES_CALLS = frozenset({"responses", "aresponses"})
_EMBEDDING_CALLS = frozenset({"embedding", "aembedding"})
_MAX_PENDING = 10_000  # calls that never finish (a killed worker) must not pile up


@dataclass(frozen=True)
class _Start:
    """What is known when LiteLLM is about to send a call."""

    ctx: SessionContext | None  # the session active where the app made the call
    outer_run: str | None  # a framework run (LangChain ...) this call belongs to


class AmplitudeLiteLLMCallback(IntegrationBase, CustomLogger):
    """LiteLLM ``CustomLogger`` reporting calls as ``[Agent]`` events.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI`` (default: one
            configured from the environment, or the active session's).
        user_id, session_id, agent_id, parent_agent_id, agent_version, env,
            customer_org_id, context: Defaults for the events (an active session fills the
            rest).
    """

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
        CustomLogger.__init__(self)
        self._lock = threading.Lock()
        self._starts: OrderedDict[str, _Start] = OrderedDict()
        self._reported: OrderedDict[str, None] = OrderedDict()
        atexit.register(_say_unreported, weakref.ref(self))

    # ------------------------------------------------------------------ LiteLLM hooks
    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        """Runs where the app made the call (for ``acompletion`` too), before the request."""
        try:
            call_id = _call_id(kwargs)
            if call_id is None:
                return
            provider = _provider(kwargs)
            start = _Start(current_context(), _claims.current_run("litellm"))
            with self._lock:
                self._starts.setdefault(call_id, start)  # retries keep the first start
                _trim(self._starts)
            # An instrumented openai SDK underneath reports this call and marks it covered.
            _claims.enter_run(call_id, provider)
        except Exception:
            log_once("litellm-pre", logging.ERROR, "amplitude_ai: could not read a LiteLLM call")

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._report(kwargs, response_obj, start_time, end_time, None)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._report(kwargs, response_obj, start_time, end_time, None)

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._report(kwargs, None, start_time, end_time, _exception(kwargs))

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._report(kwargs, None, start_time, end_time, _exception(kwargs))

    def wait_for_pending(self, timeout: float = 10.0) -> bool:
        """Wait until every call LiteLLM started has been reported (LiteLLM calls its
        callbacks after the call returned, from worker threads or event-loop tasks); True
        when none is left. Tests use it before asserting on events; never call it on a
        running event loop (the reports of async calls are tasks of that loop)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if not self._starts:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    # ------------------------------------------------------------------ reporting
    def _first_report(self, call_id: str | None) -> bool:
        """LiteLLM may run both its sync and async handlers for one call; report it once."""
        if call_id is None:
            return True
        with self._lock:
            if call_id in self._reported:
                return False
            self._reported[call_id] = None
            _trim(self._reported)
            return True

    def _report(
        self,
        kwargs: Any,
        response: Any,
        start_time: Any,
        end_time: Any,
        error: BaseException | None,
    ) -> None:
        try:
            if not isinstance(kwargs, Mapping):
                return
            call_id = _call_id(kwargs)
            if not self._first_report(call_id):
                return
            with self._lock:
                start = self._starts.get(call_id) if call_id else None
            ctx = start.ctx if start is not None else current_context()
            outer = start.outer_run if start is not None else None
            try:
                with _as_active(ctx):
                    self._report_unsafe(kwargs, response, start_time, end_time, error, outer)
            finally:
                if call_id:
                    with self._lock:
                        self._starts.pop(call_id, None)
        except Exception:
            log_once(
                "litellm-report",
                logging.ERROR,
                "amplitude_ai: tracking a LiteLLM call failed; the call itself was not affected",
                exc_info=True,
            )

    def _report_unsafe(
        self,
        kwargs: Mapping[str, Any],
        response: Any,
        start_time: Any,
        end_time: Any,
        error: BaseException | None,
        outer_run: str | None,
    ) -> None:
        call_id = _call_id(kwargs)
        call_type = str(kwargs.get("call_type") or "completion")
        provider = _provider(kwargs) or "litellm"
        scope = _identity(kwargs)
        timing = {"latency_ms": _millis(start_time, end_time)}
        if call_type in _EMBEDDING_CALLS:
            # As the provider layer does: a failed embedding is still an Embedding event
            # (the catalog gives it no error fields; the app sees the exception).
            if (
                _claims.run_claimed(call_id)
                or _claims.error_claimed(error)
                or _tracked_underneath(provider, kwargs)
            ):
                return
            fields = _openai_fields.embeddings_response(response) if error is None else {}
            fields = {k: v for k, v in fields.items() if v is not None}
            fields["model"] = fields.get("model") or kwargs.get("model") or "unknown"
            fields["total_cost_usd"] = _fallback_cost(fields, provider, kwargs)
            self.emit("embedding", {**scope, **fields, **timing, "provider": provider}, "span_id")
            if error is not None:
                _claims.claim_error(error, run=outer_run)
            else:
                _claims.claim_response(None, run=outer_run)
            return
        if call_type not in _CHAT_CALLS and call_type not in _RESPONSES_CALLS:
            log_once(
                f"litellm-call-type:{call_type}",
                logging.INFO,
                "amplitude_ai: LiteLLM %s calls are not tracked (completion, text_completion, "
                "responses and embedding calls are)",
                call_type,
            )
            return
        request = _openai_fields.chat_request(_request_body(kwargs))
        fields = {**request.fields, **scope, **timing, "provider": provider}
        if error is not None:
            if _claims.error_claimed(error) or _claims.run_claimed(call_id):
                return  # the instrumented SDK underneath reported it
            self.emit_user_message(request.user_message, scope)
            fields.update(is_error=True, error_message=error_text(error))
            fields["model"] = fields.get("model") or "unknown"
            self.emit("ai_response", fields, "message_id")
            _claims.claim_error(error, run=outer_run)
            return
        response_id = _claims.response_id_of(response)
        if _claims.run_claimed(call_id) or _claims.response_claimed(response_id):
            return
        read = _responses_fields if call_type in _RESPONSES_CALLS else _response_fields
        fields.update((k, v) for k, v in read(response).items() if v is not None)
        fields["model"] = fields.get("model") or "unknown"
        if fields.get("is_streaming"):
            fields["ttfb_ms"] = _millis(start_time, kwargs.get("completion_start_time"))
        fields["total_cost_usd"] = _fallback_cost(fields, provider, kwargs)
        self.emit_user_message(request.user_message, scope)
        self.emit("ai_response", fields, "message_id")
        _claims.claim_response(response_id, run=outer_run)


def _say_unreported(ref: weakref.ref[AmplitudeLiteLLMCallback]) -> None:
    """At exit (after LiteLLM's worker threads finished): calls LiteLLM started but never
    reported to its callbacks are named, never lost silently. The usual cause: an
    ``asyncio.run()`` that returned right after a non-streamed ``acompletion``, which
    cancels LiteLLM's logging task."""
    callback = ref()
    pending = len(callback._starts) if callback is not None else 0
    if pending:
        logging.getLogger("amplitude_ai").warning(
            "amplitude_ai: %d LiteLLM call(s) were never reported by LiteLLM, so they were "
            "not tracked (an event loop that ended right after an acompletion cancels "
            "LiteLLM's logging task; let the loop run on, or read streams to the end)",
            pending,
        )


# ---------------------------------------------------------------------- reading kwargs


def _call_id(kwargs: Mapping[str, Any]) -> str | None:
    value = kwargs.get("litellm_call_id")
    return value if isinstance(value, str) and value else None


def _litellm_params(kwargs: Mapping[str, Any]) -> Mapping[str, Any]:
    params = kwargs.get("litellm_params")
    return params if isinstance(params, Mapping) else {}


def _provider(kwargs: Mapping[str, Any]) -> str | None:
    value = kwargs.get("custom_llm_provider") or _litellm_params(kwargs).get("custom_llm_provider")
    return str(value) if value else None


def _identity(kwargs: Mapping[str, Any]) -> dict[str, str]:
    """``metadata={"amplitude_user_id": ...}`` on the call -> tracking fields."""
    metadata = _litellm_params(kwargs).get("metadata") or kwargs.get("metadata")
    if not isinstance(metadata, Mapping):
        return {}
    return {
        field: str(metadata[name])
        for name, field in CALL_KWARGS.items()
        if metadata.get(name) is not None
    }


# LiteLLM providers whose calls LiteLLM sends through the openai SDK.
_OPENAI_SDK_ROUTES = frozenset({"openai", "azure", "text-completion-openai"})


def _tracked_underneath(provider: str, kwargs: Mapping[str, Any]) -> bool:
    """Whether the openai SDK under this call reports it itself: ``patch()`` instruments
    it, or the app passed an instrumented client (``client=``). Embeddings carry no
    response id, and ``aembedding`` starts its request outside the context where this
    callback marked the call, so this is how their double count is avoided."""
    from amplitude_ai.providers._tracker import tracker_of

    if provider not in _OPENAI_SDK_ROUTES:
        return False
    client = kwargs.get("client") or _litellm_params(kwargs).get("client")
    return _claims.provider_patched(provider) or tracker_of(client) is not None


def _request_body(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The call as an OpenAI-style request body (what LiteLLM was asked for)."""
    optional = kwargs.get("optional_params")
    optional = optional if isinstance(optional, Mapping) else {}
    body: dict[str, Any] = {
        "model": kwargs.get("model"),
        "messages": kwargs.get("messages") or [],
        "stream": bool(kwargs.get("stream") or optional.get("stream")),
    }
    for name in ("temperature", "top_p", "max_tokens", "max_completion_tokens"):
        if optional.get(name) is not None:
            body[name] = optional[name]
    if not body["messages"] and isinstance(kwargs.get("input"), str):  # text_completion
        body["messages"] = [{"role": "user", "content": kwargs["input"]}]
    return body


def _response_fields(response: Any) -> dict[str, Any]:
    fields = _openai_fields.chat_response(response)
    choices = get(response, "choices") or []
    if fields.get("content") is None and choices:  # text_completion choices carry .text
        fields["content"] = get(choices[0], "text")
    usage = get(response, "usage")
    # Anthropic-style cache writes, as LiteLLM passes them on.
    written = count(get(usage, "cache_creation_input_tokens")) or count(
        get(get(usage, "prompt_tokens_details"), "cache_creation_tokens")
    )
    fields["cache_creation_tokens"] = written or None
    if not fields.get("cache_read_tokens"):
        fields["cache_read_tokens"] = count(get(usage, "cache_read_input_tokens")) or None
    if fields.get("tool_calls"):
        fields["tool_calls"] = [_plain(call) for call in fields["tool_calls"]]
    return fields


def _responses_fields(response: Any) -> dict[str, Any]:
    """A Responses API result; LiteLLM may hand over its usage in the chat shape."""
    fields = _openai_fields.responses_response(response)
    usage = get(response, "usage")
    fields["input_tokens"] = fields.get("input_tokens") or count(get(usage, "prompt_tokens"))
    fields["output_tokens"] = fields.get("output_tokens") or count(get(usage, "completion_tokens"))
    return fields


def _plain(call: Any) -> Any:
    dump = getattr(call, "model_dump", None)
    return dump() if callable(dump) else call


def _exception(kwargs: Any) -> BaseException | None:
    error = kwargs.get("exception") if isinstance(kwargs, Mapping) else None
    return error if isinstance(error, BaseException) else None


def _fallback_cost(fields: Mapping[str, Any], provider: str, kwargs: Mapping[str, Any]) -> Any:
    """LiteLLM's ``response_cost`` when genai-prices cannot price the call, else ``None``
    (the event then carries the genai-prices cost, computed when it is built)."""
    known = calculate_cost(
        fields.get("model"),
        provider,
        input_tokens=fields.get("input_tokens"),
        output_tokens=fields.get("output_tokens"),
        cache_read_tokens=fields.get("cache_read_tokens"),
        cache_creation_tokens=fields.get("cache_creation_tokens"),
    )
    if known is not None:
        return None
    cost = number(kwargs.get("response_cost"))
    if cost is None:
        logged = kwargs.get("standard_logging_object")
        cost = number(logged.get("response_cost")) if isinstance(logged, Mapping) else None
    return cost if cost is not None and cost >= 0 else None


def _millis(start: Any, end: Any) -> float | None:
    """Milliseconds between two LiteLLM timestamps (datetimes, or epoch seconds)."""
    if start is None or end is None:
        return None
    if isinstance(start, _dt.datetime) and isinstance(end, _dt.datetime):
        value = (end - start).total_seconds() * 1000.0
    elif isinstance(start, (int, float)) and isinstance(end, (int, float)):
        value = (float(end) - float(start)) * 1000.0
    else:
        return None
    return max(value, 0.0)


def _trim(store: OrderedDict[str, Any]) -> None:
    while len(store) > _MAX_PENDING:
        store.popitem(last=False)
