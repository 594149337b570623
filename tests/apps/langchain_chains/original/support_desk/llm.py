from langchain_openai import ChatOpenAI

from .settings import settings


def get_chat_model() -> ChatOpenAI:
    return ChatOpenAI(model=settings.model, temperature=settings.temperature)
