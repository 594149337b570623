from langchain_openai import ChatOpenAI

chat_model = ChatOpenAI(model="gpt-4o-mini", temperature=0.3)
