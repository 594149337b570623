from amplitude_ai import OpenAI

from shop.amplitude_bootstrap import ai

client = OpenAI(timeout=30, amplitude=ai)
