"""Hotel concierge bot: one Gemini chat session per guest, sync and async."""
import asyncio
import os

from google.genai import Client
from google.genai import types as gtypes

CONCIERGE_MODEL = os.environ.get("CONCIERGE_MODEL", "gemini-2.0-flash")


class Concierge:
    def __init__(self, hotel: str):
        self.hotel = hotel
        self.llm = Client(api_key=os.environ.get("GOOGLE_API_KEY"))

    def _config(self):
        return gtypes.GenerateContentConfig(
            system_instruction=f"You are the concierge of {self.hotel}."
        )

    def greet(self, guest: str) -> str:
        session = self.llm.chats.create(model=CONCIERGE_MODEL, config=self._config())
        reply = session.send_message(f"Greet {guest} warmly.")
        return reply.text or ""

    def tour(self, guest: str) -> str:
        session = self.llm.chats.create(model=CONCIERGE_MODEL)
        text = ""
        for piece in session.send_message_stream(f"Describe the hotel to {guest}"):
            text += piece.text or ""
        return text

    async def recommend(self, guest: str, mood: str) -> str:
        session = self.llm.aio.chats.create(model=CONCIERGE_MODEL)
        reply = await session.send_message(f"{guest} feels {mood}; suggest an activity")
        return reply.text or ""


desk = Concierge(os.environ.get("HOTEL_NAME", "Hotel Aurora"))


def main() -> None:
    print(desk.greet("Ada"))
    print(asyncio.run(desk.recommend("Ada", "adventurous")))


if __name__ == "__main__":
    main()
