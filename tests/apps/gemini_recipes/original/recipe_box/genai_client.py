"""One google-genai client for the whole package, built by a factory."""
import os

from google import genai


def build_genai(api_key=None):
    key = api_key or os.environ.get("GOOGLE_API_KEY")
    return genai.Client(api_key=key)


GENAI = build_genai()
