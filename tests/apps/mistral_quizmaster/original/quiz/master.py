"""Quiz master: asks Mistral for questions and grades answers."""
import asyncio

from quiz.llm_factory import new_llm

QUIZ_MODEL = "open-mistral-nemo"


def make_question(topic):
    llm = new_llm()
    out = llm.chat.complete(
        model=QUIZ_MODEL,
        messages=[{"role": "user", "content": f"One quiz question about {topic}"}],
    )
    return out.choices[0].message.content


async def grade(question, answer):
    llm = new_llm()
    parts = []
    stream = await llm.chat.stream_async(
        model=QUIZ_MODEL,
        messages=[
            {"role": "system", "content": "Grade the answer from 0 to 10."},
            {"role": "user", "content": f"Q: {question}\nA: {answer}"},
        ],
    )
    async for chunk in stream:
        parts.append(chunk.data.choices[0].delta.content or "")
    return "".join(parts)


if __name__ == "__main__":
    q = make_question("volcanoes")
    print(q)
    print(asyncio.run(grade(q, "Lava")))
