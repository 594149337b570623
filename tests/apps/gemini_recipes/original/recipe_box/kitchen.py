"""Recipe helpers on Gemini: suggest, stream steps, chat with the chef, find similar."""
from google.genai import types

from . import settings
from .genai_client import GENAI


def suggest_dish(pantry: str) -> str:
    reply = GENAI.models.generate_content(
        model=settings.GEMINI_MODEL,
        contents=f"Suggest one dish using: {pantry}",
        config=types.GenerateContentConfig(temperature=0.4, max_output_tokens=200),
    )
    return reply.text or ""


def stream_steps(dish: str) -> str:
    parts = []
    for chunk in GENAI.models.generate_content_stream(
        model=settings.GEMINI_MODEL, contents=f"Steps to cook {dish}"
    ):
        parts.append(chunk.text or "")
    return "".join(parts)


def ask_chef(question: str) -> str:
    chef = GENAI.chats.create(model=settings.GEMINI_MODEL)
    answer = chef.send_message(question)
    return answer.text or ""


def pantry_vector(pantry: str) -> list[float]:
    result = GENAI.models.embed_content(model=settings.EMBED_MODEL, contents=pantry)
    return list(result.embeddings[0].values or [])
