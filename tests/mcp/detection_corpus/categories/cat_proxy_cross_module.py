"""Lazy proxies defined in another module (lazy_llm.py) and imported here."""

from categories import lazy_llm
from categories.lazy_llm import claude, litellm, settings


def summarize(text):
    return litellm.completion(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )  # expect: litellm completion


async def summarize_async(text):
    return await lazy_llm.litellm.acompletion(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
    )  # expect: litellm acompletion


def critique(draft):
    return claude.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=200,
        messages=[{"role": "user", "content": draft}],
    )  # expect: anthropic messages.create


def reload_settings():
    return settings.items.create(name="reloaded")  # a dict behind the proxy: not an LLM call
