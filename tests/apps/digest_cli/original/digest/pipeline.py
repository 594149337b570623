from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from . import settings

prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "Write a short weekly digest for {audience} from these changes."),
        ("human", "{changes}"),
    ]
)
digest_chain = prompt | ChatOpenAI(model=settings.MODEL) | StrOutputParser()
