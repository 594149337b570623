import amplitude_ai

amplitude_ai.patch()
