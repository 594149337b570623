"""libcst codemods behind instrument_file, one module per transform.

- :mod:`.swap_client_import` — build clients with the SDK's drop-in classes (default tier).
- :mod:`.wrap_client_construction` — ``wrap(<construction>, amplitude=ai)``.
- :mod:`.add_bootstrap_module` — the project's one ``AmplitudeAI`` instance and its agents.
- :mod:`.add_session_context` — ``with agent.session(user_id=...)`` around entry points.
- :mod:`.add_flush_on_exit` — ``try/finally: ai.flush()`` in serverless handlers.
- :mod:`.migrate_legacy_api` — the old ``amplitude.ai`` APIs, reported with replacements.
- :mod:`.plan` — the orchestrator: plan (diff, edits, needs_input) and atomic apply.

All of them read one analysis of the file (:mod:`.facts`), built on the detection engine's
provider table and qualified names, so they touch exactly the clients detection reports.
"""
