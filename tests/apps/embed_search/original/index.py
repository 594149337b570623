from openai import OpenAI

client = OpenAI()


def embed_documents(docs):
    response = client.embeddings.create(model="text-embedding-3-small", input=list(docs))
    return [item.embedding for item in response.data]
