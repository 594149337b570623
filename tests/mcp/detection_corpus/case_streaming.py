from anthropic import Anthropic
from openai import OpenAI

oai = OpenAI()
claude = Anthropic()


def streams() -> None:
    for _ in oai.chat.completions.create(
        model="m", messages=[], stream=True
    ):  # expect: openai chat.completions.create stream
        pass
    with oai.chat.completions.stream(
        model="m", messages=[]
    ) as s:  # expect: openai chat.completions.stream stream
        s.get_final_completion()
    with oai.beta.chat.completions.stream(
        model="m", messages=[]
    ) as s:  # expect: openai beta.chat.completions.stream stream
        pass
    with oai.responses.stream(model="m", input="x") as s:  # expect: openai responses.stream stream
        pass
    with claude.messages.stream(
        model="c", max_tokens=5, messages=[]
    ) as s:  # expect: anthropic messages.stream stream
        for _text in s.text_stream:
            pass
