import asyncio

from openai import AsyncOpenAI

client = AsyncOpenAI()


async def answer(question: str) -> str:
    response = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content or ""


async def main() -> list[str]:
    questions = ["What is an LLM?", "What is a token?"]
    return list(await asyncio.gather(*(answer(q) for q in questions)))


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
