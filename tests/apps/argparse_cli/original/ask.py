import argparse

from openai import OpenAI


def build_parser():
    parser = argparse.ArgumentParser(description="Ask a question")
    parser.add_argument("question")
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--temperature", type=float, required=True)
    return parser


def main():
    args = build_parser().parse_args()
    client = OpenAI()
    reply = client.chat.completions.create(
        model=args.model,
        temperature=args.temperature,
        messages=[{"role": "user", "content": args.question}],
    )
    print(reply.choices[0].message.content)


if __name__ == "__main__":
    main()
