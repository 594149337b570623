"""Service objects built once at import time, used by cat_instance_cross_module.py."""

import functools
import os

from anthropic import Anthropic
from openai import OpenAI


class Assistant:
    def __init__(self, model="gpt-4o-mini"):
        self.model = model
        self.client = OpenAI(api_key=os.environ.get("ASSISTANT_KEY"), max_retries=2)
        self.history = []

    def ask(self, question):
        self.history.append(question)
        reply = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": question}]
        )  # expect: openai chat.completions.create sync constructor
        return reply.choices[0].message.content


class Critic:
    def __init__(self):
        self.llm = Anthropic()
        self.store = {}


class Toolbox:
    """Clients built on first use, behind properties."""

    def __init__(self, region="us"):
        self.region = region

    @functools.cached_property
    def embedder(self):
        return OpenAI(base_url=f"https://{self.region}.gateway.example.com/v1")

    @property
    def reviewer(self):
        return Anthropic(max_retries=1)

    @property
    def cache(self):
        return {}

    def similar(self, text):
        return self.embedder.embeddings.create(
            model="text-embedding-3-small", input=[text]
        )  # expect: openai embeddings.create sync factory


class Ledger:
    """Bookkeeping: its ``client`` is a database handle."""

    def __init__(self, dsn="sqlite://"):
        self.client = object()
        self.dsn = dsn


assistant = Assistant()
critic = Critic()
toolbox = Toolbox()
ledger = Ledger()
