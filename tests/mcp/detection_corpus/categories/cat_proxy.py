"""A module-level lazy proxy standing in for the provider client."""

from openai import OpenAI


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
    )  # probable: openai chat.completions.create
    return out.choices[0].message.content


def counts(cache):
    # A proxy-looking cache: the call has no provider shape.
    return cache.stats.create(name="hits")


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


def route(question, model="gpt-4o-mini"):
    return litellm.completion(
        model=model, messages=[{"role": "user", "content": question}]
    )  # probable: litellm completion


def tally(counter):
    return counter.completion(step=1)  # a progress counter, not an LLM call
