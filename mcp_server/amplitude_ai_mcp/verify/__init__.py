"""generate_verify_test: a pytest file that drives the instrumented code offline, for one
module, a package or the whole project (every instrumented module that reaches an LLM call).

- :mod:`.module_facts` — libcst facts about one module (functions and what they call, web
  routes, agent sessions, the bootstrap import, model names, environment variables read).
- :mod:`.entry_points` — which functions (and module-level code / ``__main__`` blocks) reach
  an LLM call (through the detection engine's call sites, also across project modules),
  how a test drives each (arguments from annotations, the project's own literal calls and
  how the body uses a parameter; route bodies, argv, ``input()`` answers; reply shapes), and
  what it cannot decide (``needs_input`` with ids, answered through ``inputs``).
- :mod:`.render` — the pytest source (values rendered with ``repr``: nothing user-supplied
  becomes code).
- :mod:`.generate` — the modules to test and where each is imported from (by file location,
  so any folder name works), confinement, the bootstrap lookup and the atomic write.
"""
