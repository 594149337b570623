"""What the chat widget and the night-shift tooling call."""
from . import router

FAQ = [
    "Breakfast is served from 7 to 10 in the Lighthouse room.",
    "Check-out is at 11; late check-out until 14 costs 30 EUR.",
    "The spa is on floor -1 and opens at 9.",
]


def answer(question: str) -> str:
    return router.complete(question)


def live_answer(question: str) -> str:
    return "".join(router.stream(question))


async def night_shift_note(transcript: str) -> str:
    return await router.summarize(transcript)


def closest_faq(question: str) -> str:
    vectors = router.embed([question, *FAQ])
    query, rest = vectors[0], vectors[1:]
    scores = [sum(a * b for a, b in zip(query, v)) for v in rest]
    return FAQ[scores.index(max(scores))]
