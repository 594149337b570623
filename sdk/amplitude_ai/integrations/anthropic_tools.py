"""Anthropic tool-use loop: ``AmplitudeToolLoop`` runs the ``tool_use`` -> ``tool_result``
cycle of the Messages API and tracks every turn.

Each model turn is an ``[Agent] AI Response`` (the first turn also the ``[Agent] User
Message``); each executed tool is an ``[Agent] Tool Call`` linked to the response that
requested it. The loop ends when the model stops for another reason than ``tool_use`` or
after ``max_turns`` model calls. A tool that raises, or that has no handler, is reported
to the model as an error ``tool_result`` (and tracked as a failed call) instead of
aborting the loop.

If the client is itself instrumented (``amplitude_ai.Anthropic`` or ``patch()``), that
layer reports the model turns and the loop only adds the tool calls.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from amplitude_ai import _claims
from amplitude_ai._ids import new_uuid
from amplitude_ai.integrations._base import IntegrationBase, error_text

__all__ = ["AmplitudeToolLoop"]

ToolHandler = Callable[..., Any]


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        texts = [_get(b, "text") for b in content if _get(b, "type") == "text"]
        return "".join(t for t in texts if isinstance(t, str)) or None
    return None


def _last_user_text(messages: Sequence[Mapping[str, Any]]) -> str | None:
    for message in reversed(messages):
        if message.get("role") == "user":
            return _text(message.get("content"))
    return None


def _as_block(block: Any) -> Any:
    return block.model_dump(exclude_none=True) if hasattr(block, "model_dump") else block


def _tool_result_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


class AmplitudeToolLoop(IntegrationBase):
    """A managed, tracked Anthropic tool-use loop.

    Args:
        amplitude: An ``amplitude.Amplitude`` client or an ``AmplitudeAI``.
        client: An ``anthropic.Anthropic`` (for :meth:`run`) or ``AsyncAnthropic`` (for
            :meth:`arun`).
        tool_handlers: Tool name -> callable taking the tool input as keyword arguments
            (may be ``async`` with :meth:`arun`).
        max_turns: Upper bound on model calls per run.
        user_id, session_id, agent_id, parent_agent_id, agent_version, env,
            customer_org_id, context: Defaults for the events.
    """

    def __init__(
        self,
        amplitude: Any = None,
        *,
        client: Any,
        tool_handlers: Mapping[str, ToolHandler],
        max_turns: int = 10,
        user_id: str | None = None,
        session_id: str | None = None,
        agent_id: str | None = None,
        parent_agent_id: str | None = None,
        agent_version: str | None = None,
        env: str | None = None,
        customer_org_id: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        super().__init__(
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
        self.client = client
        self.tool_handlers = dict(tool_handlers)
        self.max_turns = max_turns

    # ------------------------------------------------------------------ public
    def run(self, *, messages: Sequence[Mapping[str, Any]], **create_kwargs: Any) -> Any:
        """Run the loop with ``client.messages.create(messages=..., **create_kwargs)``;
        returns the final ``Message``."""
        history = list(messages)
        scope = self._new_run()
        response = None
        for _ in range(self.max_turns):
            key = new_uuid()
            _claims.enter_run(key, "anthropic")
            started = time.perf_counter()
            try:
                response = self.client.messages.create(messages=history, **create_kwargs)
            except Exception as exc:
                self._turn_failed(key, scope, history, create_kwargs, started, exc)
                raise
            message_id = self._turn(key, scope, history, create_kwargs, response, started)
            if _get(response, "stop_reason") != "tool_use":
                return response
            results = [
                self._call_tool(block, scope, message_id, self._invoke_sync)
                for block in _get(response, "content") or []
                if _get(block, "type") == "tool_use"
            ]
            history = self._next_history(history, response, results)
        return response

    async def arun(self, *, messages: Sequence[Mapping[str, Any]], **create_kwargs: Any) -> Any:
        """:meth:`run` for ``AsyncAnthropic`` clients (tool handlers may be async)."""
        history = list(messages)
        scope = self._new_run()
        response = None
        for _ in range(self.max_turns):
            key = new_uuid()
            _claims.enter_run(key, "anthropic")
            started = time.perf_counter()
            try:
                response = await self.client.messages.create(messages=history, **create_kwargs)
            except Exception as exc:
                self._turn_failed(key, scope, history, create_kwargs, started, exc)
                raise
            message_id = self._turn(key, scope, history, create_kwargs, response, started)
            if _get(response, "stop_reason") != "tool_use":
                return response
            results = []
            for block in _get(response, "content") or []:
                if _get(block, "type") == "tool_use":
                    results.append(await self._acall_tool(block, scope, message_id))
            history = self._next_history(history, response, results)
        return response

    # ------------------------------------------------------------------ turns
    def _new_run(self) -> dict[str, Any]:
        run_id = new_uuid()
        return self.conversation(run_id, run_id)

    @staticmethod
    def _next_history(
        history: list[Any], response: Any, results: list[dict[str, Any]]
    ) -> list[Any]:
        content = [_as_block(b) for b in _get(response, "content") or []]
        return [
            *history,
            {"role": "assistant", "content": content},
            {"role": "user", "content": results},
        ]

    def _request_fields(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        system = kwargs.get("system")
        return {
            "system_prompt": system if isinstance(system, str) else _text(system),
            "temperature": kwargs.get("temperature"),
            "top_p": kwargs.get("top_p"),
            "max_output_tokens": kwargs.get("max_tokens"),
        }

    def _turn(
        self,
        key: str,
        scope: dict[str, Any],
        history: list[Any],
        kwargs: Mapping[str, Any],
        response: Any,
        started: float,
    ) -> str | None:
        """Track one model turn unless the provider layer did; the AI Response id."""
        if _claims.run_claimed(key) or _claims.response_claimed(_get(response, "id")):
            return None
        self.emit_user_message(_last_user_text(history), scope)
        usage = _get(response, "usage")
        content = _get(response, "content") or []
        calls = [
            {"id": _get(b, "id"), "name": _get(b, "name"), "input": _get(b, "input")}
            for b in content
            if _get(b, "type") == "tool_use"
        ]
        cache_read = _get(usage, "cache_read_input_tokens") or 0
        cache_write = _get(usage, "cache_creation_input_tokens") or 0
        fields = {
            **scope,
            **self._request_fields(kwargs),
            "model": _get(response, "model") or kwargs.get("model") or "unknown",
            "provider": "anthropic",
            "latency_ms": (time.perf_counter() - started) * 1000.0,
            "content": _text(content),
            # Anthropic counts cached input apart; the catalog's input is the whole prompt.
            "input_tokens": (_get(usage, "input_tokens") or 0) + cache_read + cache_write,
            "output_tokens": _get(usage, "output_tokens"),
            "cache_read_tokens": cache_read or None,
            "cache_creation_tokens": cache_write or None,
            "finish_reason": _get(response, "stop_reason"),
            "tool_calls": calls or None,
        }
        message_id = self.emit("ai_response", fields, "message_id")
        _claims.claim_response(_get(response, "id"))
        return message_id

    def _turn_failed(
        self,
        key: str,
        scope: dict[str, Any],
        history: list[Any],
        kwargs: Mapping[str, Any],
        started: float,
        error: BaseException,
    ) -> None:
        if _claims.run_claimed(key) or _claims.error_claimed(error):
            return
        self.emit_user_message(_last_user_text(history), scope)
        self.emit(
            "ai_response",
            {
                **scope,
                **self._request_fields(kwargs),
                "model": kwargs.get("model") or "unknown",
                "provider": "anthropic",
                "latency_ms": (time.perf_counter() - started) * 1000.0,
                "is_error": True,
                "error_message": error_text(error),
            },
            "message_id",
        )
        _claims.claim_error(error)

    # ------------------------------------------------------------------ tools
    def _invoke_sync(self, handler: ToolHandler, arguments: Mapping[str, Any]) -> Any:
        result = handler(**arguments)
        if inspect.isawaitable(result):
            raise TypeError("an async tool handler needs arun()")
        return result

    def _call_tool(
        self,
        block: Any,
        scope: dict[str, Any],
        message_id: str | None,
        invoke: Callable[[ToolHandler, Mapping[str, Any]], Any],
    ) -> dict[str, Any]:
        name, arguments, started = (
            str(_get(block, "name")),
            _get(block, "input") or {},
            time.perf_counter(),
        )
        handler = self.tool_handlers.get(name)
        try:
            if handler is None:
                raise LookupError(f"no handler for tool {name!r}")
            output, error = invoke(handler, arguments), None
        except Exception as exc:
            output, error = None, exc
        return self._tool_result(block, scope, message_id, started, output, error)

    async def _acall_tool(
        self, block: Any, scope: dict[str, Any], message_id: str | None
    ) -> dict[str, Any]:
        name, arguments, started = (
            str(_get(block, "name")),
            _get(block, "input") or {},
            time.perf_counter(),
        )
        handler = self.tool_handlers.get(name)
        try:
            if handler is None:
                raise LookupError(f"no handler for tool {name!r}")
            result = handler(**arguments)
            output, error = (await result if isinstance(result, Awaitable) else result), None
        except Exception as exc:
            output, error = None, exc
        return self._tool_result(block, scope, message_id, started, output, error)

    def _tool_result(
        self,
        block: Any,
        scope: dict[str, Any],
        message_id: str | None,
        started: float,
        output: Any,
        error: BaseException | None,
    ) -> dict[str, Any]:
        self.emit(
            "tool_call",
            {
                **scope,
                "tool_name": str(_get(block, "name")),
                "latency_ms": (time.perf_counter() - started) * 1000.0,
                "success": error is None,
                "is_error": error is not None,
                "error_message": error_text(error) if error is not None else None,
                "input": _get(block, "input"),
                "output": output,
                "parent_message_id": message_id,
            },
            "invocation_id",
        )
        result: dict[str, Any] = {"type": "tool_result", "tool_use_id": _get(block, "id")}
        if error is not None:
            result.update(content=error_text(error), is_error=True)
        else:
            result["content"] = _tool_result_text(output)
        return result
