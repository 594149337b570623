"""Message callbacks registered with a chat platform's dispatcher."""
from openai import OpenAI

client = OpenAI()
HANDLERS = {}


def on(event_name):
    def register(fn):
        HANDLERS[event_name] = fn
        return fn

    return register


@on("message")
def handle_message(event, say):
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": event["text"]}],
    )
    say(reply.choices[0].message.content)
