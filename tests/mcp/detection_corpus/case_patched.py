import amplitude_ai
import litellm
from openai import OpenAI

amplitude_ai.patch()
client = OpenAI()


def run() -> None:
    client.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create instrumented
    litellm.completion(
        model="m", messages=[]
    )  # expect: litellm completion module_function instrumented
