from anthropic import Anthropic
from openai import OpenAI

shared = OpenAI()


def make_claude() -> Anthropic:
    return Anthropic()


def make_again():
    return make_claude()
