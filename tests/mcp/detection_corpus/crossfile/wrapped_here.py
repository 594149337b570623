from amplitude_ai import wrap
from openai import OpenAI

client = wrap(OpenAI())


def go() -> object:
    return client.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create instrumented
