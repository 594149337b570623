from langchain_openai import ChatOpenAI

from .config import Config

chat = ChatOpenAI(model=Config.MODEL, temperature=0.2)
