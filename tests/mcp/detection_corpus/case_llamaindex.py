from llama_index.core import VectorStoreIndex
from llama_index.llms.openai import OpenAI


def run(documents: list) -> None:
    llm = OpenAI(model="gpt-4o")
    llm.complete("hi")  # expect: llama-index complete
    llm.chat([])  # expect: llama-index chat
    index = VectorStoreIndex.from_documents(documents)
    engine = index.as_query_engine()
    engine.query("what?")  # expect: llama-index query
