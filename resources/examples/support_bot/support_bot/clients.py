"""Provider clients, built once."""

import os

from openai import AsyncOpenAI


def make_openai() -> AsyncOpenAI:
    return AsyncOpenAI(api_key=os.environ.get("OPENAI_API_KEY", "sk-not-set"))
