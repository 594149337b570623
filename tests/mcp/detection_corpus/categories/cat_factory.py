"""Clients built by factories: a helper returning (client, model), a method the subclass may
override, a config-dependent builder, and ``self.x = factory()``."""

import os

from anthropic import Anthropic
from openai import AzureOpenAI, OpenAI

SETTINGS = {"backend": os.environ.get("LLM_BACKEND", "openai"), "model": "gpt-4o-mini"}


def client_and_model():
    if SETTINGS["backend"] == "azure":
        return AzureOpenAI(api_version="2024-06-01"), SETTINGS["model"]
    return OpenAI(max_retries=3), SETTINGS["model"]


def build_claude():
    return Anthropic()


class Summarizer:
    def __init__(self):
        self.claude = build_claude()

    def make_client(self, key=None):
        return OpenAI(api_key=key) if key else OpenAI()

    def summarize(self, text, key=None):
        reply = self.make_client(key).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
        )  # expect: openai chat.completions.create sync factory
        return reply.choices[0].message.content

    def critique(self, text):
        return self.claude.messages.create(
            model="claude-3-5-haiku-latest", max_tokens=200, messages=[]
        )  # expect: anthropic messages.create sync factory


def answer(question):
    llm, model = client_and_model()
    completion = llm.chat.completions.create(
        model=model, messages=[{"role": "user", "content": question}]
    )  # expect: azure_openai chat.completions.create sync factory
    return completion.choices[0].message.content


class Registry:
    """Looks like a factory but builds database handles: not an LLM call."""

    def make_client(self):
        return object()

    def save(self, row):
        return self.make_client().messages.create(body=row, to="ops")
