"""One client per backend, built at start-up (used by cat_dict_cross_module.py)."""

import os

from anthropic import Anthropic
from openai import AzureOpenAI, OpenAI

REGISTRY = {
    "openai": OpenAI(max_retries=3),
    "anthropic": Anthropic(api_key=os.environ.get("CLAUDE_KEY")),
}
CHAT_BACKENDS = {
    "public": OpenAI(),
    "azure": AzureOpenAI(api_version="2024-06-01"),
}
RETRIES = {"openai": 3, "anthropic": 2}
