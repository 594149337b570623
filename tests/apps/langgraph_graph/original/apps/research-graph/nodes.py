from typing import TypedDict

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

model = ChatOpenAI(model="gpt-4o-mini", temperature=0)


class ResearchState(TypedDict, total=False):
    question: str
    notes: str
    answer: str


def take_notes(state: ResearchState) -> ResearchState:
    # no LLM here: a real app would search its docs
    return {"notes": f"Notes about: {state['question']}"}


def write_answer(state: ResearchState) -> ResearchState:
    reply = model.invoke(
        [
            SystemMessage(content="Answer from the notes only."),
            HumanMessage(content=f"{state['notes']}\n\nQuestion: {state['question']}"),
        ]
    )
    return {"answer": reply.content}
