import litellm
from litellm import acompletion
from litellm import completion as llm_call


def completion(prompt: str) -> str:
    # A local function that happens to be called ``completion``: not litellm.
    return prompt


def run() -> None:
    litellm.completion(model="gpt-4o", messages=[])  # expect: litellm completion module_function
    llm_call(
        model="gpt-4o", messages=[], stream=True
    )  # expect: litellm completion module_function stream
    litellm.embedding(
        model="text-embedding-3-small", input=["x"]
    )  # expect: litellm embedding module_function
    completion("not an LLM call")


async def run_async() -> None:
    await acompletion(
        model="gpt-4o", messages=[]
    )  # expect: litellm acompletion async module_function
