"""One place that talks to LiteLLM: every tier of the app goes through these helpers."""
from typing import Iterator

import litellm

from . import settings

SYSTEM = "You are the front-desk concierge of the Harbor Hotel. Be brief and friendly."


def _messages(question, history=()):
    messages = [{"role": "system", "content": SYSTEM}]
    for asked, answered in history:
        messages.append({"role": "user", "content": asked})
        messages.append({"role": "assistant", "content": answered})
    messages.append({"role": "user", "content": question})
    return messages


def complete(question, history=()):
    response = litellm.completion(
        model=settings.CHAT_MODEL,
        messages=_messages(question, history),
        temperature=settings.TEMPERATURE,
        num_retries=settings.RETRIES,
    )
    return response.choices[0].message.content


def stream(question) -> Iterator[str]:
    for chunk in litellm.completion(
        model=settings.CHAT_MODEL, messages=_messages(question), stream=True
    ):
        yield chunk.choices[0].delta.content or ""


async def summarize(transcript):
    response = await litellm.acompletion(
        model=settings.SUMMARY_MODEL,
        messages=[
            {"role": "system", "content": "Summarize the guest conversation for the night shift."},
            {"role": "user", "content": transcript},
        ],
        max_tokens=300,
    )
    return response.choices[0].message.content


def embed(texts):
    result = litellm.embedding(model=settings.EMBED_MODEL, input=list(texts))
    return [item["embedding"] for item in result.data]
