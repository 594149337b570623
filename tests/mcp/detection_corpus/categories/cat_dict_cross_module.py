"""Look-ups in a dict of clients another module builds (client_registry.py)."""

from categories import client_registry
from categories.client_registry import CHAT_BACKENDS, REGISTRY, RETRIES


def draft(prompt):
    reply = REGISTRY["openai"].chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )  # expect: openai chat.completions.create
    return reply.choices[0].message.content


def critique(backend, text):
    # Only the Anthropic client has messages.create.
    return REGISTRY[backend].messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=200,
        messages=[{"role": "user", "content": text}],
    )  # expect: anthropic messages.create


def embed(texts):
    return client_registry.REGISTRY.get("openai").embeddings.create(
        model="text-embedding-3-small", input=texts
    )  # expect: openai embeddings.create


def chat(backend, prompt):
    # OpenAI and Azure OpenAI both fit: the key decides.
    return CHAT_BACKENDS[backend].chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )  # probable: openai chat.completions.create


def retries(backend, counter):
    return RETRIES[backend].numerator.create(total=counter)  # numbers, not clients
