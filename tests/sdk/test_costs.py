"""Cost estimation agrees with genai-prices itself, and never fails on unknown models."""

from __future__ import annotations

import pytest
from genai_prices import Usage, calc_price

from amplitude_ai import calculate_cost, infer_model_tier
from amplitude_ai.costs import CostCalculator


@pytest.mark.parametrize(
    ("model", "provider", "genai_provider"),
    [
        ("gpt-4o", "openai", "openai"),
        ("gpt-4o-mini", "openai", "openai"),
        ("claude-sonnet-4-20250514", "anthropic", "anthropic"),
        ("claude-3-5-haiku-latest", "anthropic", "anthropic"),
    ],
)
@pytest.mark.parametrize(
    ("inp", "out", "read", "write"),
    [(1200, 300, 0, 0), (5000, 200, 4500, 500), (10, 0, 0, 0), (0, 77, 0, 0)],
)
def test_fast_path_matches_genai_prices(model, provider, genai_provider, inp, out, read, write):
    expected = calc_price(
        Usage(
            input_tokens=inp, output_tokens=out, cache_read_tokens=read, cache_write_tokens=write
        ),
        model,
        provider_id=genai_provider,
    ).total_price
    got = CostCalculator().cost_usd(
        model,
        provider,
        input_tokens=inp,
        output_tokens=out,
        cache_read_tokens=read,
        cache_creation_tokens=write,
    )
    assert got == pytest.approx(float(expected), rel=1e-9, abs=1e-12)


def test_cache_reads_are_cheaper_than_uncached_input():
    uncached = calculate_cost("claude-sonnet-4-20250514", "anthropic", input_tokens=5000)
    cached = calculate_cost(
        "claude-sonnet-4-20250514", "anthropic", input_tokens=5000, cache_read_tokens=4500
    )
    assert cached is not None and uncached is not None
    assert cached < uncached / 2


def test_anthropic_style_input_excluding_cache_is_normalised():
    # Anthropic reports input_tokens without the cached part; the total is what is priced.
    as_openai = calculate_cost("claude-sonnet-4-20250514", "anthropic", input_tokens=5000,
                               cache_read_tokens=4500)  # fmt: skip
    as_anthropic = calculate_cost("claude-sonnet-4-20250514", "anthropic", input_tokens=500,
                                  cache_read_tokens=4500)  # fmt: skip
    assert as_openai == pytest.approx(as_anthropic)


@pytest.mark.parametrize(
    ("model", "tokens"),
    [
        ("totally-unknown-model-xyz", {"input_tokens": 10, "output_tokens": 5}),
        (None, {"input_tokens": 10}),
        ("gpt-4o", {}),
        ("gpt-4o", {"input_tokens": 0, "output_tokens": 0}),
    ],
)
def test_no_cost_instead_of_a_crash(model, tokens):
    assert calculate_cost(model, "openai", **tokens) is None


def test_unusual_provider_name_falls_back_to_model_matching():
    assert calculate_cost("gpt-4o", "my-gateway", input_tokens=1000) == calculate_cost(
        "gpt-4o", "openai", input_tokens=1000
    )


def _tiered_models(limit: int) -> list[tuple[str, str, list[int]]]:
    """(provider id, model id, tier starts) of tiered models from the major providers."""
    from genai_prices import data_snapshot
    from genai_prices.types import TieredPrices

    found = []
    for provider in data_snapshot.get_snapshot().providers:
        if provider.id not in ("google", "anthropic", "openai"):
            continue
        for model in provider.models:
            if isinstance(model.prices, list):
                continue
            tiered = [v for v in vars(model.prices).values() if isinstance(v, TieredPrices)]
            if tiered:
                starts = sorted({t.start for v in tiered for t in v.tiers})
                found.append((provider.id, model.id, starts))
    return found[:limit]


def test_tiered_models_are_priced_per_band_exactly_as_genai_prices():
    """Crossing a tier's start re-prices the whole request; both sides of every boundary,
    with cache reads and writes, must match the full calculation."""
    models = _tiered_models(limit=12)
    assert len(models) >= 3
    calculator = CostCalculator()
    for provider_id, model_id, starts in models:
        sizes = [1, 1_000, *starts, *(s + 1 for s in starts), starts[-1] * 3]
        for inp in sizes:
            read, write, out = inp // 3, inp // 9, 321
            usage = Usage(
                input_tokens=inp,
                output_tokens=out,
                cache_read_tokens=read,
                cache_write_tokens=write,
            )
            expected = calc_price(usage, model_id, provider_id=provider_id).total_price
            got = calculator.cost_usd(
                model_id,
                provider_id,
                input_tokens=inp,
                output_tokens=out,
                cache_read_tokens=read,
                cache_creation_tokens=write,
            )
            assert got == pytest.approx(float(expected), rel=1e-9, abs=1e-12), (model_id, inp)


def test_a_tier_boundary_changes_the_price_of_every_token():
    provider_id, model_id, starts = _tiered_models(limit=1)[0]
    calculator = CostCalculator()
    below = calculator.cost_usd(model_id, provider_id, input_tokens=starts[0], output_tokens=0)
    above = calculator.cost_usd(model_id, provider_id, input_tokens=starts[0] + 1, output_tokens=0)
    assert below is not None and above is not None
    assert above > below * 1.2  # one more token, a higher rate on all of them


@pytest.mark.parametrize(
    ("model", "tier"),
    [
        ("gpt-4o-mini", "fast"),
        ("claude-3-5-haiku-latest", "fast"),
        ("gemini-2.0-flash", "fast"),
        ("gpt-4.1-nano", "fast"),
        ("gpt-4o", "standard"),
        ("claude-sonnet-4-20250514", "standard"),
        ("gemini-1.5-pro", "standard"),
        ("o1", "reasoning"),
        ("o3-mini", "reasoning"),
        ("o4-mini-2025-04-16", "reasoning"),
        ("deepseek-r1", "reasoning"),
        ("deepseek-reasoner", "reasoning"),
        ("gemini-2.0-flash-thinking-exp", "reasoning"),
        ("my-custom-model", "standard"),
        (None, None),
    ],
)
def test_model_tier_inference(model, tier):
    assert infer_model_tier(model) == tier


def test_absurd_model_names_are_neither_priced_nor_tiered():
    """A whole document passed as the model name must not cost seconds of lookup."""
    from amplitude_ai.costs import MAX_MODEL_NAME_CHARS, calculate_cost, infer_model_tier

    huge = "gpt-4o" + "x" * 10_000_000
    assert calculate_cost(huge, "openai", input_tokens=10, output_tokens=10) is None
    assert infer_model_tier(huge) is None
    longest = "gpt-4o-" + "x" * (MAX_MODEL_NAME_CHARS - 7)
    assert infer_model_tier(longest) == "standard"  # still looked at
