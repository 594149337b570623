from fastapi import FastAPI
from pydantic import BaseModel

from .chains import answer

app = FastAPI(title="QA service")


class Question(BaseModel):
    question: str


class Answer(BaseModel):
    text: str


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}


@app.post("/ask", response_model=Answer)
async def ask(body: Question) -> Answer:
    return Answer(text=await answer(body.question))
