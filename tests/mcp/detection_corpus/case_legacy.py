import openai
from openai import ChatCompletion


def legacy() -> None:
    openai.ChatCompletion.create(
        model="gpt-3.5-turbo", messages=[]
    )  # expect: openai ChatCompletion.create module_function
    ChatCompletion.create(
        model="gpt-3.5-turbo", messages=[]
    )  # expect: openai ChatCompletion.create module_function
    openai.Completion.create(
        model="davinci", prompt="x"
    )  # expect: openai Completion.create module_function
    openai.Embedding.create(
        model="ada", input="x"
    )  # expect: openai Embedding.create module_function
    openai.chat.completions.create(
        model="gpt-4o", messages=[]
    )  # expect: openai chat.completions.create module_function


async def legacy_async() -> None:
    await openai.ChatCompletion.acreate(
        model="gpt-3.5-turbo", messages=[]
    )  # expect: openai ChatCompletion.acreate async module_function
