from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from .settings import settings

prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You answer questions about {product} in a friendly tone."),
        ("human", "{question}"),
    ]
)
qa_chain = prompt | ChatOpenAI(model=settings.model) | StrOutputParser()


async def answer(question: str) -> str:
    return await qa_chain.ainvoke({"product": settings.product, "question": question})
