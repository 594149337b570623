"""Clients kept in dicts and looked up by key: a literal key names its client; a variable key
is proven only when the call's API fits exactly one provider among the dict's clients."""

import json
import os

from anthropic import Anthropic
from mistralai import Mistral
from openai import AzureOpenAI, OpenAI

MODELS = {"openai": "gpt-4o-mini", "claude": "claude-3-5-haiku-latest"}
CLIENTS = {
    "openai": OpenAI(max_retries=2),
    "claude": Anthropic(),
}
BACKENDS = dict(
    public=OpenAI(),
    azure=AzureOpenAI(api_version="2024-06-01", azure_endpoint=os.environ.get("AZ", "")),
)
PLUGINS = {"openai": OpenAI(), "local": os.environ.get("LOCAL_LLM")}


def ask_openai(question):
    reply = CLIENTS["openai"].chat.completions.create(
        model=MODELS["openai"], messages=[{"role": "user", "content": question}]
    )  # expect: openai chat.completions.create
    return reply.choices[0].message.content


def ask_claude(question):
    return CLIENTS.get("claude").messages.create(
        model=MODELS["claude"], max_tokens=256, messages=[{"role": "user", "content": question}]
    )  # expect: anthropic messages.create


def ask_any_chat(provider, question):
    # Only the OpenAI client of CLIENTS has chat.completions: the key cannot matter.
    return CLIENTS[provider].chat.completions.create(
        model=MODELS[provider], messages=[{"role": "user", "content": question}]
    )  # expect: openai chat.completions.create


def ask_backend(name, question):
    # OpenAI and Azure OpenAI both fit: which one depends on the key.
    return BACKENDS[name].chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )  # probable: openai chat.completions.create


def ask_plugin(name, question):
    # One value is not a known client: a variable key proves nothing.
    return PLUGINS[name].chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )  # probable: openai chat.completions.create


class ModelRouter:
    def __init__(self, default="fast"):
        self.default = default
        self.clients = {
            "fast": Mistral(api_key=os.environ.get("MISTRAL_API_KEY")),
            "smart": OpenAI(),
        }
        self.queues = {"fast": [], "smart": []}

    def complete(self, prompt, tier=None):
        client = self.clients[tier or self.default]
        return client.chat.complete(
            model="mistral-small-latest", messages=[{"role": "user", "content": prompt}]
        )  # expect: mistral chat.complete

    def embed(self, texts):
        return self.clients.get("smart").embeddings.create(
            model="text-embedding-3-small", input=texts
        )  # expect: openai embeddings.create

    def enqueue(self, tier, job):
        # A dict of lists: same look-up shape, no client.
        return self.queues[tier].append(job)


SENDERS = {"sms": object(), "mail": object()}


def notify(channel, text):
    return SENDERS[channel].messages.create(body=text, to="ops")  # not an LLM client


POOL = {}
POOL["primary"] = OpenAI(timeout=20)
OVERRIDES = json.loads(os.environ.get("LLM_OVERRIDES", "{}"))
OVERRIDES["openai"] = OpenAI()


def pooled(question):
    return POOL["primary"].responses.create(
        model="gpt-4o-mini", input=question
    )  # expect: openai responses.create


def overridden(name, question):
    # The dict comes from configuration: a variable key proves nothing.
    return OVERRIDES[name].responses.create(
        model="gpt-4o-mini", input=question
    )  # probable: openai responses.create


class Fleet:
    def __init__(self, regions):
        self.by_region = {}
        for region in regions:
            self.by_region[region] = Anthropic(base_url=f"https://{region}.example.com")

    def ask(self, region, question):
        return self.by_region[region].messages.create(
            model="claude-3-5-haiku-latest",
            max_tokens=100,
            messages=[{"role": "user", "content": question}],
        )  # expect: anthropic messages.create
