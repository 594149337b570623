from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from openai import AsyncOpenAI
from pydantic import BaseModel, Field

from .settings import get_settings

settings = get_settings()
app = FastAPI(title=settings.app_name)
client = AsyncOpenAI()


class Turn(BaseModel):
    role: str
    content: str


class ChatRequest(BaseModel):
    user_id: str
    turns: list[Turn] = Field(min_length=1)


@app.post("/v1/chat")
async def chat(body: ChatRequest):
    async def tokens():
        stream = await client.chat.completions.create(
            model=settings.model,
            messages=[t.model_dump() for t in body.turns],
            stream=True,
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    return StreamingResponse(tokens(), media_type="text/plain")
