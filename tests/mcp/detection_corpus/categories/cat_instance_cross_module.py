"""Module-level instances of another module's classes (assistants.py): their attributes are
the clients their constructors build."""

from categories import assistants
from categories.assistants import Assistant, assistant, critic, ledger, toolbox


def quick_answer(question):
    reply = assistant.client.chat.completions.create(
        model=assistant.model, messages=[{"role": "user", "content": question}]
    )  # expect: openai chat.completions.create
    return reply.choices[0].message.content


def review(draft):
    return critic.llm.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        messages=[{"role": "user", "content": draft}],
    )  # expect: anthropic messages.create


def fresh_answer(question):
    return Assistant(model="gpt-4o").client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": question}]
    )  # expect: openai chat.completions.create


def via_module(question):
    return assistants.assistant.client.embeddings.create(
        model="text-embedding-3-small", input=[question]
    )  # expect: openai embeddings.create


def second_opinion(draft):
    return toolbox.reviewer.messages.create(
        model="claude-3-5-haiku-latest",
        max_tokens=300,
        messages=[{"role": "user", "content": draft}],
    )  # expect: anthropic messages.create


def cached(key):
    return toolbox.cache.messages.create(key=key)  # a dict behind a property: not an LLM call


def conversation(question):
    # The method's own call is reported in assistants.py, where it is made.
    return assistant.ask(question)


def record(entry):
    # A database client under the same attribute name: not an LLM call.
    return ledger.client.messages.create(body=entry, to="audit")
