import amplitude_ai
from amplitude_ai import OpenAI
from anthropic import Anthropic

dropin = OpenAI()
wrapped = amplitude_ai.wrap(Anthropic())
raw = Anthropic()


def run() -> None:
    dropin.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create instrumented
    wrapped.messages.create(
        model="c", max_tokens=1, messages=[]
    )  # expect: anthropic messages.create instrumented
    raw.messages.create(model="c", max_tokens=1, messages=[])  # expect: anthropic messages.create
