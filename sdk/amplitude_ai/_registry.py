"""Process-wide state shared between the client and the patching layer."""

from __future__ import annotations

# Names of the provider SDKs currently monkey-patched by ``amplitude_ai.patch*``.
patched_providers: set[str] = set()
