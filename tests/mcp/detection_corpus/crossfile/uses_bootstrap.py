from openai import OpenAI

import crossfile.bootstrap

client = OpenAI()


def go() -> object:
    return client.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create instrumented
