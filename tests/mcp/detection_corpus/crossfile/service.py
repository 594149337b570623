from crossfile import clients
from crossfile.clients import make_again, make_claude, shared

claude = make_claude()


def answer() -> object:
    shared.chat.completions.create(
        model="m", messages=[]
    )  # expect: openai chat.completions.create cross_file
    clients.shared.embeddings.create(
        model="e", input="x"
    )  # expect: openai embeddings.create cross_file
    make_again().messages.create(
        model="c", max_tokens=1, messages=[]
    )  # expect: anthropic messages.create cross_file
    return claude.messages.create(
        model="c", max_tokens=1, messages=[]
    )  # expect: anthropic messages.create cross_file
