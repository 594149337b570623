from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from .settings import get_settings

_PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Summarize the document in at most {max_words} words."),
        ("human", "{document}"),
    ]
)


def build_summary_chain():
    settings = get_settings()
    return _PROMPT | ChatOpenAI(model=settings.model, temperature=0) | StrOutputParser()


summary_chain = build_summary_chain()
