"""Summaries and answers for support tickets, as LCEL chains."""
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from .llm import get_chat_model

SUMMARY_PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Summarize the ticket in one sentence for the on-call engineer."),
        ("human", "{ticket}"),
    ]
)
ANSWER_PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "You answer customer questions about ACME routers. Be brief."),
        ("human", "{question}"),
    ]
)

summary_chain = SUMMARY_PROMPT | get_chat_model() | StrOutputParser()
answer_chain = ANSWER_PROMPT | get_chat_model() | StrOutputParser()


def summarize(ticket: str) -> str:
    return summary_chain.invoke({"ticket": ticket})


def stream_answer(question: str):
    for chunk in answer_chain.stream({"question": question}):
        yield chunk
