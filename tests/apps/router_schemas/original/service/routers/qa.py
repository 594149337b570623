from fastapi import APIRouter
from openai import OpenAI

from ..schemas import Question

router = APIRouter(prefix="/qa")
client = OpenAI()


@router.post("/ask")
def ask(q: Question):
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": q.text}]
    )
    return {"answer": answer.choices[0].message.content}
