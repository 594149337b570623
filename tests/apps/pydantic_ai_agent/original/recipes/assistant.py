from pydantic_ai import Agent

from .config import MODEL_NAME

cook = Agent(
    MODEL_NAME,
    system_prompt="You suggest one simple recipe for the ingredients the user has.",
)


def suggest_recipe(ingredients: str) -> str:
    result = cook.run_sync(f"I have: {ingredients}")
    return result.output
