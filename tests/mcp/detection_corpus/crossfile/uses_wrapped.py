from crossfile.wrapped_here import client


def go() -> object:
    return client.responses.create(
        model="m", input="x"
    )  # expect: openai responses.create instrumented cross_file
