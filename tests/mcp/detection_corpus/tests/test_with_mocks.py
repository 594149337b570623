from unittest.mock import MagicMock

from openai import OpenAI


def test_mocked():
    client = MagicMock()
    client.chat.completions.create(model="m", messages=[])


def test_real_client_in_a_test():
    OpenAI().chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create test
