"""A client injected through an untyped constructor parameter and kept on ``self``."""

from openai import AsyncOpenAI, OpenAI


class ReportWriter:
    def __init__(self, llm, model="gpt-4o-mini", temperature=0.2):
        self.llm = llm
        self.model = model
        self.temperature = temperature

    def write(self, facts):
        out = self.llm.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": facts}]
        )  # expect: openai chat.completions.create sync argument
        return out.choices[0].message.content


class Embedder:
    def __init__(self, backend):
        self._backend = backend

    async def vectors(self, texts):
        result = await self._backend.embeddings.create(
            model="text-embedding-3-small", input=texts
        )  # expect: openai embeddings.create async argument
        return [item.embedding for item in result.data]


def make_writer():
    return ReportWriter(OpenAI(timeout=20), model="gpt-4o")


def make_embedder():
    return Embedder(backend=AsyncOpenAI())
