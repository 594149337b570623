"""generate_verify_test: a pytest file that drives the instrumented code offline.

- :mod:`.module_facts` — libcst facts about one module (functions and what they call, web
  routes, agent sessions, the bootstrap import, model names, environment variables read).
- :mod:`.entry_points` — which functions reach an LLM call (through the detection engine's
  call sites, also across project modules), which of them a test can drive, with what
  arguments, and what it cannot decide (``needs_input``).
- :mod:`.render` — the pytest source (values rendered with ``repr``: nothing user-supplied
  becomes code).
- :mod:`.generate` — confinement, the bootstrap lookup and the atomic write.
"""
