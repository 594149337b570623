"""The per-file analysis behind :mod:`..analyze`, split by concern."""
