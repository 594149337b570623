"""Small readers shared by the provider field mappers (objects and plain dicts alike)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def get(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` for mappings, ``obj.name`` otherwise; ``default`` when missing/None."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        value = obj.get(name)
    else:
        fields = getattr(obj, "__dict__", None)
        if fields is not None and name in fields:
            value = fields[name]  # pydantic models keep their fields here: the fast path
        elif hasattr(obj, "__pydantic_extra__"):
            # A field the SDK's model does not declare (e.g. reasoning_content); getattr
            # would raise and catch an AttributeError, which costs more than all the rest.
            value = (obj.__pydantic_extra__ or {}).get(name)
        elif fields is None and isinstance(obj, Mapping):
            value = obj.get(name)
        else:
            value = getattr(obj, name, None)
    return default if value is None else value


def text_of(content: Any, text_types: frozenset[str]) -> str | None:
    """The text of a message ``content``: a string, or the text parts of a list of parts."""
    if content is None:
        return None
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        texts = [
            get(part, "text")
            for part in content
            if get(part, "type") in text_types and isinstance(get(part, "text"), str)
        ]
        return "\n".join(texts) if texts else None
    return None


def number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def count(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None
