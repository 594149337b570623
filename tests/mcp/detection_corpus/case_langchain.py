from langchain_anthropic import ChatAnthropic
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o")
claude = ChatAnthropic(model="claude-3-5-sonnet-latest")
prompt = ChatPromptTemplate.from_template("{q}")
chain = prompt | llm
with_tools = llm.bind_tools([])


def run() -> None:
    llm.invoke("hi")  # expect: langchain invoke
    for _ in llm.stream("hi"):  # expect: langchain stream stream
        pass
    llm.batch(["a", "b"])  # expect: langchain batch
    chain.invoke({"q": "x"})  # expect: langchain invoke
    with_tools.invoke("x")  # expect: langchain invoke
    prompt.invoke({"q": "x"})


async def run_async() -> None:
    await claude.ainvoke("hi")  # expect: langchain ainvoke async
    async for _ in llm.astream("hi"):  # expect: langchain astream async stream
        pass
