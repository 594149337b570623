"""Privacy controls applied before an event leaves the process.

Two independent mechanisms:

* **Content mode.** Outside ``full`` mode, properties the catalog classes as ``full``
  content are dropped and ``partial`` ones keep only their structural fields (tool-call
  names, attachment types and sizes, enrichment labels). ``customer_enriched`` keeps the
  caller's own enrichments intact: they are the point of that mode.
* **PII redaction** (``redact_pii=True``). E-mail addresses, phone numbers, payment card
  numbers, US SSNs and any custom patterns are replaced by ``[REDACTED_<KIND>]`` in every
  string that may hold free text. Redaction walks Python structures *before* JSON
  serialisation, so serialised properties stay valid JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._json import to_json
from .catalog import RESERVED_PREFIXES, load_catalog
from .config import ContentMode

# Card and phone numbers must stand alone: not glued to letters, digits, hyphens, a decimal
# point or a time's colon, so UUIDs, hex ids, decimals, versions, IP addresses and
# timestamps (12:30:45.123456) are left intact.
_NUM_START = r"(?<![\w+.\-])(?<!\d:)"
_NUM_END = r"(?![\w\-]|\.\d)"
# Order matters: card numbers and SSNs are digit runs a phone pattern could also match.
_BUILTIN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Local part and labels are bounded (RFC 5321 limits) so that long runs of base64 or
    # hex without an "@" are scanned in linear time instead of quadratic.
    (
        "EMAIL",
        re.compile(
            r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}"
            r"\.[A-Za-z]{2,63}"
        ),
    ),
    ("SSN", re.compile(r"(?<!\d)\d{3}[- ]\d{2}[- ]\d{4}(?!\d)")),
    (
        "CARD",
        re.compile(
            _NUM_START + r"(?:\d{13,19}"  # bare run (Luhn-checked, see _card_replacement)
            r"|\d{4}(?P<s4>[ \-])\d{4}(?P=s4)\d{4}(?P=s4)\d{1,4}(?:(?P=s4)\d{1,3})?"  # 4-4-4-x
            r"|\d{4}(?P<s6>[ \-])\d{6}(?P=s6)\d{4,5})" + _NUM_END  # Amex 4-6-5, Diners 4-6-4
        ),
    ),
    (
        "PHONE",
        re.compile(
            # international: + country code, then 2-7 groups holding at least 7 digits
            _NUM_START + r"(?:\+(?=(?:\D{0,2}\d){7})\d{1,3}(?:[\s.\-]?(?:\(\d{1,4}\)|\d{1,5})){2,7}"
            # national: (415) 555-0132, 415-555-0132, 415 555 0132, 415.555.0132 (two dots,
            # so that a decimal such as 10.00000000 is not a phone number), bare 10/11 digits
            r"|(?:1[\s.\-]?)?(?:\(\d{2,4}\)[\s.\-]?\d{3,4}[\s.\-]?"
            r"|\d{2,4}[\s\-]\d{3,4}[\s.\-]?|\d{2,4}\.\d{3,4}\.)\d{3,4}"
            r"|1?\d{10})" + _NUM_END
        ),
    ),
)

_DIGIT = re.compile(r"\d")
_NUMERIC_KINDS = frozenset({"SSN", "CARD", "PHONE"})

# Fields of structured "partial" properties that survive outside full mode.
_TOOL_CALL_KEEP = frozenset({"id", "type", "name"})
_ATTACHMENT_KEEP = frozenset({"type", "mime_type", "size_bytes"})
# Free-text parts of enrichments (quotes and explanations can repeat the conversation).
_ENRICHMENT_FREE_TEXT = frozenset(
    {
        "rationale",
        "evidence",
        "improvement_opportunities",
        "task_failure_reason",
        "negative_feedback_phrases",
    }
)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _card_replacement(match: re.Match[str]) -> str:
    """Card-grouped numbers are redacted on their shape; a bare 13-19 digit run only when it
    passes the Luhn check (millisecond timestamps and snowflake ids have that length too)."""
    number = match.group()
    if number.isdigit() and not _luhn_valid(number):
        return number
    return "[REDACTED_CARD]"


def _phone_replacement(match: re.Match[str]) -> str:
    """A phone number has at least 7 digits; the international pattern's look-ahead can
    count digits beyond the match (``+643:9 41``), so the match itself is checked."""
    number = match.group()
    if sum(ch.isdigit() for ch in number) < 7:
        return number
    return "[REDACTED_PHONE]"


_REPLACEMENTS: dict[str, Callable[[re.Match[str]], str]] = {
    "CARD": _card_replacement,
    "PHONE": _phone_replacement,
}


class Redactor:
    """Replaces PII in strings (and, recursively, in dicts, lists, tuples and objects)."""

    def __init__(self, extra_patterns: Iterable[re.Pattern[str]] = ()) -> None:
        self._patterns: list[tuple[str, str | Callable[[re.Match[str]], str], re.Pattern[str]]] = [
            (kind, _REPLACEMENTS.get(kind, f"[REDACTED_{kind}]"), p)
            for kind, p in _BUILTIN_PATTERNS
        ]
        self._patterns += [("CUSTOM", "[REDACTED]", p) for p in extra_patterns]

    def text(self, value: str) -> str:
        # Cheap pre-checks: most text has no "@" and many strings have no digits at all.
        has_at = "@" in value
        has_digit = _DIGIT.search(value) is not None
        for kind, replacement, pattern in self._patterns:
            if (kind == "EMAIL" and not has_at) or (kind in _NUMERIC_KINDS and not has_digit):
                continue
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        if value is None or isinstance(value, (bool, int, float)):
            return value
        # Any other object (pydantic model, dataclass, set...) is sent as the JSON the event
        # builder makes of it, so redact that form rather than pass the object through.
        return self.value(json.loads(to_json(value)))


class PrivacyPolicy:
    """Applies a content mode and optional redaction to an event's raw properties."""

    def __init__(self, mode: ContentMode, redactor: Redactor | None) -> None:
        catalog = load_catalog()
        self.mode = mode
        self.redactor = redactor
        self._full = catalog.content_properties("full")
        self._partial = catalog.content_properties("partial")
        names = catalog.property_names
        self._tool_calls = names["tool_calls"]
        self._attachments = names["attachments"]
        self._enrichments = names["enrichments"]
        self._error_message = names["error_message"]
        # Strings that can hold free text and so are redacted: content, partial, errors.
        self._redactable = self._full | self._partial | {self._error_message}

    @property
    def sends_content(self) -> bool:
        return self.mode is ContentMode.FULL

    def apply(self, props: dict[str, Any]) -> dict[str, Any]:
        """Filter/redact ``props`` (wire name -> Python value) in place and return it."""
        if self.mode is not ContentMode.FULL:
            for name in self._full & props.keys():
                del props[name]
            for name in self._partial & props.keys():
                props[name] = self._strip_partial(name, props[name])
        if self.redactor is not None:
            for name, value in props.items():
                if name in self._redactable or not name.startswith(RESERVED_PREFIXES):
                    props[name] = self.redactor.value(value)
        return props

    def _strip_partial(self, name: str, value: Any) -> Any:
        if name == self._tool_calls:
            return [_keep(call, _TOOL_CALL_KEEP) for call in value]
        if name == self._attachments:
            return [_keep(att, _ATTACHMENT_KEEP) for att in value]
        if name == self._enrichments and self.mode is ContentMode.METADATA_ONLY:
            return _strip_enrichments(value)
        return value


def _keep(item: Any, fields: frozenset[str]) -> Any:
    if isinstance(item, Mapping):
        return {k: v for k, v in item.items() if k in fields}
    return None


def _strip_enrichments(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _strip_enrichments(v) for k, v in value.items() if k not in _ENRICHMENT_FREE_TEXT
        }
    if isinstance(value, list):
        return [_strip_enrichments(v) for v in value]
    return value
