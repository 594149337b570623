from anthropic import Anthropic
from openai import OpenAI


class BaseAgent:
    def __init__(self) -> None:
        self.client = OpenAI()


class Researcher(BaseAgent):
    def run(self, q: str) -> object:
        return self.client.chat.completions.create(
            model="m", messages=[]
        )  # expect: openai chat.completions.create


class Writer(Researcher):
    def run(self, q: str) -> object:
        return self.client.responses.create(model="m", input=q)  # expect: openai responses.create


class Critic(BaseAgent):
    def __init__(self) -> None:
        self.client = Anthropic()  # the subclass's own client wins

    def run(self, q: str) -> object:
        return self.client.messages.create(
            model="c", max_tokens=5, messages=[]
        )  # expect: anthropic messages.create


class Unrelated:
    # ``self.client`` comes from elsewhere: the call's shape (path + keywords) decides.
    def run(self) -> object:
        return self.client.chat.completions.create(
            model="m", messages=[]
        )  # expect: openai chat.completions.create usage

    def notify(self) -> object:
        return self.sms.messages.create(to="+1", from_="+2", body="hi")
