"""APIs we recognise but the SDK does not track, each reported with its reason (and three
OpenAI endpoints the SDK tracks since: confirmed sites)."""

import httpx
import requests
from anthropic import Anthropic
from openai import OpenAI

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
client = OpenAI()
claude = Anthropic()


def assistant_turn(thread_id, assistant_id):
    return client.beta.threads.runs.create(
        thread_id=thread_id, assistant_id=assistant_id
    )  # untracked: openai beta.threads.runs.create


def picture(prompt):
    return client.images.generate(
        model="dall-e-3", prompt=prompt
    )  # expect: openai images.generate sync


def transcribe(audio_file):
    return client.audio.transcriptions.create(
        model="whisper-1", file=audio_file
    )  # expect: openai audio.transcriptions.create sync


def is_flagged(text):
    return (
        client.moderations.create(input=text).results[0].flagged
    )  # expect: openai moderations.create sync


def nightly(requests_file_id):
    return client.batches.create(
        input_file_id=requests_file_id, endpoint="/v1/chat/completions", completion_window="24h"
    )  # untracked: openai batches.create


def bulk_claude(items):
    return claude.messages.batches.create(
        requests=items
    )  # untracked: anthropic messages.batches.create


def raw_chat(key, messages):
    return requests.post(
        OPENAI_URL, headers={"Authorization": f"Bearer {key}"}, json={"messages": messages}
    )  # untracked: openai HTTP


async def raw_claude(key, body):
    async with httpx.AsyncClient() as http:
        return await http.post(
            "https://api.anthropic.com/v1/messages", headers={"x-api-key": key}, json=body
        )  # untracked: anthropic HTTP


def status_page():
    return requests.get("https://status.example.com/api/v2/status.json")


def answer(question):
    return client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )  # expect: openai chat.completions.create sync


def available_models(key):
    # Listing models is not a generation call: not reported.
    return httpx.request("GET", "https://api.openai.com/v1/models", headers={"key": key})


def stream_completion(key, body):
    with httpx.stream(
        "POST", "https://api.openai.com/v1/chat/completions", json=body
    ) as response:  # untracked: openai HTTP
        return list(response.iter_lines())
