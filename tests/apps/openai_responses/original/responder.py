from openai import OpenAI

client = OpenAI()
INSTRUCTIONS = "Reply in the voice of a friendly librarian."


def recommend_book(genre: str) -> str:
    response = client.responses.create(
        model="gpt-4.1-mini",
        instructions=INSTRUCTIONS,
        input=f"Recommend one {genre} book and say why in one line.",
    )
    return response.output_text
