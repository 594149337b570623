"""Cost estimation (via genai-prices) and model-tier inference.

``genai-prices`` is imported lazily: it takes ~0.3 s to import and ~0.2 ms per price
calculation, which is too slow for a per-event hot path. For each (model, provider) pair
we therefore ask genai-prices once for its per-token rates (probing with unit usages),
check that the linear formula reproduces a full calculation on a mixed usage, and then
price events with plain arithmetic. Prices tiered by prompt size get one set of rates per
band; a model whose probe does not reproduce is priced with the full calculation each time.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .providers.registry import HOST_PROVIDERS

logger = logging.getLogger("amplitude_ai")

# Longest model name that is priced and tiered (see plausible_model).
MAX_MODEL_NAME_CHARS = 200
_MAX_PRICERS = 1024  # (model, provider) pairs whose rates are kept

# Our provider names -> genai-prices provider ids (None lets genai-prices match by model).
_PROVIDER_IDS: dict[str, str | None] = {
    "openai": "openai",
    "azure": "azure",
    "azure_openai": "azure",
    "anthropic": "anthropic",
    "google": "google",
    "gemini": "google",
    "vertex": "google",
    "vertex_ai": "google",
    "mistral": "mistral",
    "bedrock": "aws",
    "aws": "aws",
    "groq": "groq",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "xai": "x-ai",
}


def _pricing_id(provider: str | None) -> tuple[str | None, bool]:
    """(genai-prices provider id or None, whether calls of ``provider`` cost anything).

    OpenAI-compatible hosts take theirs from the provider registry; self-hosted model
    servers (Ollama, LM Studio, vLLM) are not priced."""
    key = (provider or "").lower()
    if key in _PROVIDER_IDS:
        return _PROVIDER_IDS[key], True
    host = HOST_PROVIDERS.get(key)
    if host is None:
        return None, True
    return host.pricing_id or None, not host.self_hosted


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
        if not model or (not input_tokens and not output_tokens) or not plausible_model(model):
            return None
        inp, out = int(input_tokens or 0), int(output_tokens or 0)
        read, write = int(cache_read_tokens or 0), int(cache_creation_tokens or 0)
        if read + write > inp:
            inp += read + write
        pricing_id, priced = _pricing_id(provider)
        if not priced:
            return None
        pricer = self._pricer(model, pricing_id)
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
            if len(self._pricers) >= _MAX_PRICERS:  # bounded: model names come from callers
                self._pricers.pop(next(iter(self._pricers)))
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
    # Tiered prices use a "cliff": once the prompt exceeds a tier's start, every token of
    # the request pays that tier's rate. So the price is linear inside each band between
    # consecutive starts, and each band gets its own derived (and checked) rates.
    starts = sorted(
        {
            tier.start
            for value in vars(model_price).values()
            if isinstance(value, TieredPrices)
            for tier in value.tiers
        }
    )
    bands: list[_Rates] = []
    lower = 0
    for upper in [*starts, None]:
        rates = _derive_band_rates(full, lower, upper)
        if rates is None:
            return full
        bands.append(rates)
        lower = (upper or 0) + 1
    if len(bands) == 1:
        return bands[0].price
    return _BandedPricer(tuple(starts), tuple(bands))


def _derive_band_rates(
    full: Callable[[int, int, int, int], float], lower: int, upper: int | None
) -> _Rates | None:
    """Linear rates valid for prompts of ``lower..upper`` input tokens (``None``: no limit),
    or ``None`` when a mixed-usage probe inside the band does not reproduce."""
    anchor = max(lower, 1)
    width = _MTOK if upper is None else min(_MTOK, upper - anchor)
    if width <= 0:
        return None
    try:
        at_anchor = full(anchor, 0, 0, 0)
        input_rate = (full(anchor + width, 0, 0, 0) - at_anchor) / width
        base = at_anchor - anchor * input_rate
        rates = _Rates(
            base=base,
            input=input_rate,
            output=(full(anchor, _MTOK, 0, 0) - at_anchor) / _MTOK,
            cache_read=(full(anchor, 0, anchor, 0) - base) / anchor,
            cache_write=(full(anchor, 0, 0, anchor) - base) / anchor,
        )
        probe_input = anchor + width // 2
        probe = (probe_input, 913, probe_input // 3, probe_input // 7)
        expected = full(*probe)
    except Exception:
        logger.debug("could not derive linear rates", exc_info=True)
        return None
    if abs(rates.price(*probe) - expected) > 1e-9 + 1e-6 * abs(expected):
        return None
    return rates


class _BandedPricer:
    """Prices with the rates of the band the prompt size falls in."""

    def __init__(self, starts: tuple[int, ...], bands: tuple[_Rates, ...]) -> None:
        self._starts = starts
        self._bands = bands

    def __call__(self, inp: int, out: int, read: int, write: int) -> float:
        # A tier applies when the prompt is strictly larger than its start.
        return self._bands[bisect.bisect_left(self._starts, inp)].price(inp, out, read, write)


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


def plausible_model(model: str) -> bool:
    """Whether ``model`` can be a model name worth looking up: real ids (with provider
    prefixes, versions and dates) stay far below this length, and an absurd one (a whole
    document passed by mistake) would cost seconds of pricing-table matching per call."""
    return len(model) <= MAX_MODEL_NAME_CHARS


@functools.lru_cache(maxsize=512)
def infer_model_tier(model: str | None) -> str | None:
    """'fast', 'standard' or 'reasoning' from a model name; ``None`` without a model (or
    with a name too long to be one)."""
    if not model or not plausible_model(model):
        return None
    name = model.lower()
    for pattern, tier in _TIER_RULES:
        if pattern.search(name):
            return tier
    return "standard"
