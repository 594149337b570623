"""Module-level lazy proxies standing in for a provider client or a provider module: the
class forwards attribute access in ``__getattr__`` to what its factory (or its own code) built."""

import functools
import os

import vendor_llm_kit
from openai import AsyncOpenAI, OpenAI


class _LazyClient:
    def __init__(self, build):
        self._build = build
        self._real = None

    def __getattr__(self, name):
        if self._real is None:
            self._real = self._build()
        return getattr(self._real, name)


llm = _LazyClient(lambda: OpenAI(max_retries=2))


def translate(text, target="fr"):
    out = llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"{target}: {text}"}]
    )  # expect: openai chat.completions.create
    return out.choices[0].message.content


def _make_async():
    return AsyncOpenAI(base_url=os.environ.get("GATEWAY_URL"), timeout=30)


fast_llm = _LazyClient(_make_async)


async def headline(article):
    reply = await fast_llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": article}]
    )  # expect: openai chat.completions.create
    return reply.choices[0].message.content


class _SelfBuilding:
    """Builds its client on first use (no factory argument)."""

    def __init__(self):
        self._client = None

    @functools.cached_property
    def settings(self):
        return {"timeout": 20}

    def __getattr__(self, name):
        if self._client is None:
            self._client = OpenAI(timeout=20)
        return getattr(self._client, name)


embedder = _SelfBuilding()


def vectors(texts):
    return embedder.embeddings.create(
        model="text-embedding-3-small", input=texts
    )  # expect: openai embeddings.create


# A factory from outside the project: what it builds is not known here.
vendor = _LazyClient(vendor_llm_kit.default_client)


def vendor_answer(question):
    return vendor.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )  # probable: openai chat.completions.create


def counts(cache):
    # A proxy-looking cache: the call has no provider shape.
    return cache.stats.create(name="hits")


metrics = _LazyClient(lambda: {"hits": 0})


def bump():
    return metrics.counters.create(name="hits")  # a dict behind the proxy: not an LLM call


class _LazyModule:
    """Imports the named module on first attribute access (keeps start-up fast)."""

    def __init__(self, name):
        self._name = name
        self._module = None

    def __getattr__(self, attr):
        if self._module is None:
            import importlib

            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


litellm = _LazyModule("litellm")
yaml = _LazyModule("yaml")


def route(question, model="gpt-4o-mini"):
    return litellm.completion(
        model=model, messages=[{"role": "user", "content": question}]
    )  # expect: litellm completion


def load(path):
    return yaml.safe_load(path)  # a lazily imported non-LLM module


def tally(counter):
    return counter.completion(step=1)  # a progress counter, not an LLM call
