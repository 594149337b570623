import sys

from amplitude_ai import OpenAI
from amplitude_bootstrap import ai

client = OpenAI(amplitude=ai)
SYSTEM = {"role": "system", "content": "You are a helpful terminal assistant."}


def chat_turn(history: list[dict[str, str]], user_text: str) -> str:
    history.append({"role": "user", "content": user_text})
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[SYSTEM, *history]
    )
    reply = response.choices[0].message.content or ""
    history.append({"role": "assistant", "content": reply})
    return reply


def main() -> int:
    history: list[dict[str, str]] = []
    while True:
        try:
            line = input("you> ")
        except EOFError:
            return 0
        if line.strip() in {"exit", "quit"}:
            return 0
        print("bot>", chat_turn(history, line))


if __name__ == "__main__":
    sys.exit(main())
