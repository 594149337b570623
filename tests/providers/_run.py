"""Run a client call the same way for sync and async clients (one event loop per scenario)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from operator import attrgetter
from typing import Any


def call(client: Any, path: str, is_async: bool, *, consume: bool = False, **kwargs: Any):
    """``(result, items)``: the method's result and, with ``consume``, the items iterated."""
    method = attrgetter(path)(client)
    if not is_async:
        result = method(**kwargs)
        return result, (list(result) if consume else None)

    async def scenario():
        result = await method(**kwargs)
        items = [item async for item in result] if consume else None
        return result, items

    return asyncio.run(scenario())


def expect_error(client: Any, path: str, is_async: bool, **kwargs: Any) -> BaseException:
    """The exception the call raises (sync or async)."""
    try:
        call(client, path, is_async, consume=bool(kwargs.get("stream")), **kwargs)
    except Exception as exc:
        return exc
    raise AssertionError("the call did not raise")


def run_helper(client: Any, is_async: bool, scenario: Callable[[Any], Any]) -> Any:
    """``scenario(client)`` as is (sync) or awaited in a fresh loop (async)."""
    if not is_async:
        return scenario(client)
    return asyncio.run(scenario(client))
