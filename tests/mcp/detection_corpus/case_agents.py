from agents import Agent, Runner
from pydantic_ai import Agent as PydanticAgent

triage = Agent(name="triage", instructions="route", handoffs=[])
billing = Agent(name="billing", instructions="pay")
typed = PydanticAgent("openai:gpt-4o")


async def run() -> None:
    await Runner.run(triage, "hi")  # expect: openai-agents Runner.run async module_function
    Runner.run_streamed(
        triage, "hi"
    )  # expect: openai-agents Runner.run_streamed stream module_function
    await typed.run("hi")  # expect: pydantic-ai run async


def run_sync() -> None:
    Runner.run_sync(billing, "hi")  # expect: openai-agents Runner.run_sync module_function
    typed.run_sync("hi")  # expect: pydantic-ai run_sync sync
