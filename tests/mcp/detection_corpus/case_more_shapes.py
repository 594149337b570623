import crewai
from anthropic import AsyncAnthropic
from cohere import AsyncClientV2
from google import genai
from mistralai import Mistral
from openai import AsyncAzureOpenAI, OpenAI


def nested_factory():
    def build():
        return OpenAI()

    c = build()
    return c.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create factory


def context_managed() -> None:
    with OpenAI() as client:
        client.responses.create(model="m", input="x")  # expect: openai responses.create
    if (walrus := OpenAI()) is not None:
        walrus.embeddings.create(model="e", input="x")  # expect: openai embeddings.create


def conditional(flag: bool) -> None:
    client = OpenAI() if flag else None
    client.chat.completions.create(model="m", messages=[])  # expect: openai chat.completions.create


async def more_async() -> None:
    azure = AsyncAzureOpenAI(api_version="2024-06-01", azure_endpoint="https://x")
    await azure.chat.completions.create(
        model="d", messages=[], stream=True
    )  # expect: azure_openai chat.completions.create async stream
    claude = AsyncAnthropic()
    await claude.beta.messages.create(
        model="c", max_tokens=1, messages=[]
    )  # expect: anthropic beta.messages.create async
    async with claude.messages.stream(
        model="c", max_tokens=1, messages=[]
    ) as stream:  # expect: anthropic messages.stream async stream
        await stream.get_final_message()
    co = AsyncClientV2()
    await co.embed(model="embed-v4", texts=["x"])  # expect: cohere embed async
    mistral = Mistral(api_key="k")
    await mistral.chat.complete_async(
        model="m", messages=[]
    )  # expect: mistral chat.complete_async async
    gem = genai.Client()
    gem.models.generate_content_stream(
        model="g", contents="x"
    )  # expect: gemini models.generate_content_stream stream
    gem.models.embed_content(model="e", contents="x")  # expect: gemini models.embed_content


def crew() -> None:
    team = crewai.Crew(agents=[], tasks=[])
    team.kickoff()  # expect: crewai kickoff


class OpenAIish:
    """A local class that merely shares a name fragment."""

    def chat(self) -> None:
        pass


def not_provider_objects() -> None:
    thing = OpenAIish()
    thing.chat()
    local = {"OpenAI": None}
    local.get("OpenAI")
