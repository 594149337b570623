import sys

from openai import OpenAI

client = OpenAI()


def main():
    history = [{"role": "system", "content": "You are a friendly assistant."}]
    print("Type 'quit' to exit.")
    while True:
        user = input("> ").strip()
        if user.lower() in ("quit", "exit"):
            break
        history.append({"role": "user", "content": user})
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=history)
        text = reply.choices[0].message.content
        history.append({"role": "assistant", "content": text})
        print(text)


if __name__ == "__main__":
    main()
    sys.exit(0)
