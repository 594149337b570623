from .clients import shared as llm


def go() -> object:
    return llm.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create cross_file
