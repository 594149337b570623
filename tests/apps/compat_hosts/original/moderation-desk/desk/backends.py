"""One OpenAI client per backend; every backend speaks the OpenAI API."""
import os
from functools import lru_cache

import openai

from .config import FAST, LOCAL, Backend


def _build(backend: Backend) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=backend.base_url,
        api_key=os.environ.get(backend.api_key_env, "unused"),
        max_retries=1,
    )


@lru_cache(maxsize=None)
def fast():
    return _build(FAST)


@lru_cache(maxsize=None)
def local():
    return _build(LOCAL)


# Moderation and legacy completions stay on OpenAI itself.
platform = openai.OpenAI()
