"""Call-site detection: one provider table, one engine for scan, validate_file and codemods.

Entry points:

- :mod:`.providers` — THE table of client classes, module functions, API paths and
  framework calls (matched by qualified name).
- :func:`.analyze.analyze_module` — libcst analysis of one module (scopes, qualified names,
  bindings on ``self``/globals/fields/parameters, factories, aliases, references); cross-module
  references stay symbolic.
- :func:`.resolve.finalize` — resolves them against other modules (any :class:`ModuleSource`)
  and yields :class:`.sites.CallSite` objects: span, provider, API, sync/async, stream, call
  style, receiver source, client origin and where the client is built, instrumented status.
- :func:`.project.scan` (whole project, prefiltered) and :func:`.validate.validate_source`
  (one file, other modules analysed on demand) build on those two.
"""
