"""A pipeline whose LLM client is injected by another module (see wiring.py)."""


class Pipeline:
    def __init__(self, llm, settings=None):
        self.llm = llm
        self.settings = settings or {"model": "claude-3-5-haiku-latest"}

    def summarize(self, document):
        reply = self.llm.messages.create(
            model=self.settings["model"],
            max_tokens=400,
            messages=[{"role": "user", "content": document}],
        )  # expect: anthropic messages.create sync argument
        return reply.content[0].text


def rerank(client, query, docs):
    return client.embeddings.create(
        model="text-embedding-3-small", input=[query, *docs]
    )  # expect: openai embeddings.create sync argument
