from amplitude_ai import patch_anthropic, patch_openai
from anthropic import Anthropic
from openai import OpenAI

early = OpenAI()
patch_openai()
late = OpenAI()
claude = Anthropic()


def run() -> None:
    early.chat.completions.create(model="m", messages=[])  # expect: openai chat.completions.create
    late.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create instrumented
    claude.messages.create(
        model="c", max_tokens=1, messages=[]
    )  # expect: anthropic messages.create


def later() -> None:
    patch_anthropic()
