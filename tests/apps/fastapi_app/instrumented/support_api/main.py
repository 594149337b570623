from fastapi import FastAPI
from amplitude_ai import AsyncOpenAI
from pydantic import BaseModel

from support_api.amplitude_bootstrap import ai, support_agent

app = FastAPI(title="Support API")
client = AsyncOpenAI(amplitude=ai)


class ChatRequest(BaseModel):
    user_id: str
    message: str


class ChatResponse(BaseModel):
    reply: str


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/chat", response_model=ChatResponse)
async def chat(req: ChatRequest) -> ChatResponse:
    with support_agent.session(user_id=req.user_id):
        completion = await client.chat.completions.create(
            model="gpt-4o",
            messages=[
                {"role": "system", "content": "You are the support bot of ACME."},
                {"role": "user", "content": req.message},
            ],
        )
        return ChatResponse(reply=completion.choices[0].message.content or "")
