"""HTTP entry points."""

from fastapi import FastAPI

from .clients import make_openai
from .escalation import Escalation

app = FastAPI()
llm = make_openai()
escalation = Escalation()


@app.post("/chat")
async def chat(user_id: str, message: str) -> dict:
    reply = await llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": message}]
    )
    return {"reply": reply.choices[0].message.content}


@app.post("/chat/stream")
async def chat_stream(user_id: str, message: str) -> dict:
    stream = await llm.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": message}], stream=True
    )
    parts = [chunk.choices[0].delta.content or "" async for chunk in stream]
    return {"reply": "".join(parts)}


async def embed(text: str) -> list[float]:
    result = await llm.embeddings.create(model="text-embedding-3-small", input=text)
    return result.data[0].embedding


@app.post("/escalate")
def escalate(user_id: str, message: str) -> dict:
    return {"reply": escalation.handle(message)}
