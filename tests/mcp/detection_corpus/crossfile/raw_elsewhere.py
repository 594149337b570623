from openai import OpenAI

import crossfile.wrapped_here

client = OpenAI()


def go() -> object:
    return client.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create
