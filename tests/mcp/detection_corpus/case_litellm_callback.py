import litellm
from amplitude_ai import AmplitudeAI
from amplitude_ai.integrations.litellm import AmplitudeLiteLLMCallback

ai = AmplitudeAI()
litellm.callbacks.append(AmplitudeLiteLLMCallback(ai))


def ask() -> None:
    litellm.completion(
        model="m", messages=[]
    )  # expect: litellm completion module_function instrumented
