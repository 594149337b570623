"""The Mistral connection every help desk module shares."""
import os

from mistralai.client import Mistral as MistralClient

mistral = MistralClient(api_key=os.getenv("MISTRAL_API_KEY", ""))
