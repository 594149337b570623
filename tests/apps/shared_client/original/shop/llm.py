from openai import OpenAI

client = OpenAI(timeout=30)
