"""Builds a fresh Mistral client per request (the keys rotate)."""
import os

import mistralai.client as mc


def new_llm():
    return mc.Mistral(api_key=os.environ.get("MISTRAL_API_KEY"), timeout_ms=20_000)
