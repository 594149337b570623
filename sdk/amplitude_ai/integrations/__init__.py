"""Framework integrations, one module per framework; each imports its framework when it
is imported itself, never before (``import amplitude_ai`` loads none of them).

* ``langchain``: ``AmplitudeCallbackHandler`` / ``create_amplitude_callback`` (LangChain,
  LangGraph)
* ``opentelemetry``: ``AmplitudeAgentExporter`` (OTEL GenAI spans from any instrumentation)
* ``openai_agents``: ``AmplitudeTracingProcessor`` (OpenAI Agents SDK)
* ``anthropic_tools``: ``AmplitudeToolLoop`` (Anthropic tool-use loop)
"""
