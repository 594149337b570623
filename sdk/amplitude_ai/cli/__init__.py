"""Command-line entry points shipped with the SDK."""
