"""A client passed as an argument from the function that builds it."""

from anthropic import Anthropic
from openai import OpenAI


def classify(client, ticket):
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}]
    )  # expect: openai chat.completions.create sync argument
    return reply.choices[0].message.content


def draft_reply(claude, ticket, tone="friendly"):
    return claude.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        messages=[{"role": "user", "content": f"{tone}: {ticket}"}],
    )  # expect: anthropic messages.create sync argument


def handle(ticket):
    label = classify(OpenAI(), ticket)
    return label, draft_reply(claude=Anthropic(), ticket=ticket)


def notify(sender, ticket):
    # ``sender`` is never given a client by any caller: a messaging API, not an LLM.
    return sender.messages.create(body=ticket, to="+15550100")
