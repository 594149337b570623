"""Framework integrations, one module per framework; each imports its framework when it
is imported itself, never before (``import amplitude_ai`` loads none of them).

* ``langchain``: ``AmplitudeCallbackHandler`` / ``create_amplitude_callback`` (LangChain,
  LangGraph); also importable from ``amplitude_ai`` directly.
* ``opentelemetry``: ``AmplitudeAgentExporter``, the OTEL GenAI bridge (OpenLIT,
  OpenLLMetry, Logfire, pydantic-ai's own instrumentation, hand-written spans).
* ``llamaindex``: ``AmplitudeLlamaIndexHandler`` (LlamaIndex callback manager); also
  importable from ``amplitude_ai`` directly.
* ``openai_agents``: ``AmplitudeTracingProcessor`` (OpenAI Agents SDK).
* ``anthropic_tools``: ``AmplitudeToolLoop`` (Anthropic tool-use loop).
* ``crewai``: ``AmplitudeCrewAIHooks`` (listeners on CrewAI's event bus).
* ``litellm``: ``AmplitudeLiteLLMCallback``, a LiteLLM ``CustomLogger`` (registered by
  ``amplitude_ai.patch_litellm()`` and ``patch()``).

Per-request session context for web apps lives in :mod:`amplitude_ai.middleware`.
When the provider SDK under a framework is instrumented too (``patch()``, a drop-in
client), each model call is still reported exactly once (see ``amplitude_ai._claims``).
"""
