"""Cost estimation (via genai-prices) and model-tier inference.

``genai-prices`` is imported lazily: it takes ~0.3 s to import and ~0.2 ms per price
calculation, which is too slow for a per-event hot path. For each (model, provider) pair
we therefore ask genai-prices once for its per-token rates (probing with unit usages),
check that the linear formula reproduces a full calculation on a mixed usage, and then
price events with plain arithmetic. Models whose prices are tiered by volume, or whose
probe does not reproduce, are priced with the full calculation every time.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("amplitude_ai")

# Our provider names -> genai-prices provider ids (None lets genai-prices match by model).
_PROVIDER_IDS: dict[str, str | None] = {
    "openai": "openai",
    "azure": "azure",
    "azure_openai": "azure",
    "anthropic": "anthropic",
    "google": "google",
    "gemini": "google",
    "vertex": "google",
    "mistral": "mistral",
    "bedrock": "aws",
    "aws": "aws",
    "groq": "groq",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "xai": "x-ai",
}

_RATE_TTL_SECONDS = 3600.0  # prices can change on a date; re-derive rates hourly
_MTOK = 1_000_000


@dataclass(frozen=True)
class _Rates:
    """USD per token for each usage component, plus a fixed per-request charge."""

    base: float
    input: float
    output: float
    cache_read: float
    cache_write: float

    def price(
        self, input_tokens: int, output_tokens: int, cache_read: int, cache_write: int
    ) -> float:
        uncached = max(input_tokens - cache_read - cache_write, 0)
        return (
            self.base
            + uncached * self.input
            + cache_read * self.cache_read
            + cache_write * self.cache_write
            + output_tokens * self.output
        )


Pricer = Callable[[int, int, int, int], "float | None"]


class CostCalculator:
    """Thread-safe, memoising front end to genai-prices."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pricers: dict[tuple[str, str | None], tuple[float, Pricer | None]] = {}

    def cost_usd(
        self,
        model: str | None,
        provider: str | None,
        *,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cache_read_tokens: int | None = None,
        cache_creation_tokens: int | None = None,
    ) -> float | None:
        """Estimated USD cost, or ``None`` when the model is unknown or nothing was counted.

        ``input_tokens`` is the total prompt size *including* cached tokens (OpenAI's
        convention). If the cache counts exceed it, the caller used the Anthropic
        convention (input excludes cache), and the cache counts are added back.
        """
        if not model or (not input_tokens and not output_tokens):
            return None
        inp, out = int(input_tokens or 0), int(output_tokens or 0)
        read, write = int(cache_read_tokens or 0), int(cache_creation_tokens or 0)
        if read + write > inp:
            inp += read + write
        pricer = self._pricer(model, _PROVIDER_IDS.get((provider or "").lower()))
        if pricer is None:
            return None
        try:
            return pricer(inp, out, read, write)
        except Exception:  # pricing data surprises must never break tracking
            logger.debug("cost calculation failed for %s", model, exc_info=True)
            return None

    def _pricer(self, model: str, provider_id: str | None) -> Pricer | None:
        key = (model, provider_id)
        now = time.monotonic()
        cached = self._pricers.get(key)
        if cached is not None and now - cached[0] < _RATE_TTL_SECONDS:
            return cached[1]
        with self._lock:
            pricer = _build_pricer(model, provider_id)
            self._pricers[key] = (now, pricer)
        return pricer


def _build_pricer(model: str, provider_id: str | None) -> Pricer | None:
    try:
        from genai_prices import Usage, data_snapshot
        from genai_prices.types import TieredPrices

        snapshot = data_snapshot.get_snapshot()
        provider, info = snapshot.find_provider_model(model, None, provider_id, None)
    except LookupError:
        if provider_id is not None:  # an unusual provider name: let genai-prices match by model
            return _build_pricer(model, None)
        return None
    except Exception:
        logger.debug("genai-prices could not resolve %s", model, exc_info=True)
        return None

    def full(inp: int, out: int, read: int, write: int) -> float:
        usage = Usage(
            input_tokens=inp, output_tokens=out, cache_read_tokens=read, cache_write_tokens=write
        )
        return float(info.calc_price(usage, provider).total_price)

    from datetime import datetime, timezone

    model_price = info.get_prices(datetime.now(tz=timezone.utc))
    if any(isinstance(v, TieredPrices) for v in vars(model_price).values()):
        return full
    try:
        base = full(0, 0, 0, 0)
        rates = _Rates(
            base=base,
            input=(full(_MTOK, 0, 0, 0) - base) / _MTOK,
            output=(full(0, _MTOK, 0, 0) - base) / _MTOK,
            cache_read=(full(_MTOK, 0, _MTOK, 0) - base) / _MTOK,
            cache_write=(full(_MTOK, 0, 0, _MTOK) - base) / _MTOK,
        )
        probe = (7_321, 913, 2_048, 517)
        expected = full(*probe)
    except Exception:
        logger.debug("could not derive linear rates for %s", model, exc_info=True)
        return full
    if abs(rates.price(*probe) - expected) > 1e-9 + 1e-6 * abs(expected):
        return full
    return rates.price


_default_calculator: CostCalculator | None = None
_default_lock = threading.Lock()


def default_calculator() -> CostCalculator:
    """The process-wide calculator (shared so each model is resolved once)."""
    global _default_calculator
    if _default_calculator is None:
        with _default_lock:
            if _default_calculator is None:
                _default_calculator = CostCalculator()
    return _default_calculator


def calculate_cost(model: str | None, provider: str | None = None, **tokens: Any) -> float | None:
    """Convenience wrapper over the shared :class:`CostCalculator`."""
    return default_calculator().cost_usd(model, provider, **tokens)


# Ordered: the first matching rule wins. Reasoning families first, then small/fast ones.
_TIER_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), tier)
    for pattern, tier in (
        (r"(^|[/:._-])o[1-9]($|[-_.:])", "reasoning"),
        (r"(^|[/:._-])o[1-9]-(mini|pro|preview)", "reasoning"),
        (r"deepseek[-_.]?r1|deepseek-reasoner|qwq|(^|[-_/])r1($|[-_])", "reasoning"),
        (r"thinking|reasoning", "reasoning"),
        (r"(^|[-_/.:])(mini|nano|haiku|flash|lite|small|tiny|instant|[1-8]b)($|[-_/.:])", "fast"),
    )
)


@functools.lru_cache(maxsize=512)
def infer_model_tier(model: str | None) -> str | None:
    """'fast', 'standard' or 'reasoning' from a model name; ``None`` without a model."""
    if not model:
        return None
    name = model.lower()
    for pattern, tier in _TIER_RULES:
        if pattern.search(name):
            return tier
    return "standard"
