from llama_index.core.chat_engine import SimpleChatEngine

from .gateway_llm import GatewayLLM

SYSTEM = "You are the internal knowledge-base assistant. Answer in two sentences."

chat_engine = SimpleChatEngine.from_defaults(llm=GatewayLLM(), system_prompt=SYSTEM)


def ask(question: str) -> str:
    response = chat_engine.chat(question)
    return str(response)
