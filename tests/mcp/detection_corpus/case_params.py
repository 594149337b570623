from typing import Optional

import openai
from openai import AsyncOpenAI, OpenAI


def by_annotation(client: OpenAI) -> object:
    return client.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create annotation


async def by_string_annotation(client: "AsyncOpenAI") -> object:
    return await client.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create async annotation


def by_optional(client: Optional[openai.OpenAI] = None) -> object:
    return client.embeddings.create(
        model="e", input="x"
    )  # expect: openai embeddings.create annotation


def by_usage(llm, question):
    return llm.chat.completions.create(
        model="m", messages=[{"role": "user", "content": question}]
    )  # expect: openai chat.completions.create usage


def anthropic_by_usage(client):
    return client.messages.create(
        model="c", max_tokens=100, messages=[]
    )  # expect: anthropic messages.create usage


def twilio_by_usage(client, to):
    # Same method path as Anthropic, but Twilio's keyword arguments: not an LLM call.
    return client.messages.create(to=to, from_="+100", body="hi")
