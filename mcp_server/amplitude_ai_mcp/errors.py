"""The one error type for problems the user (or the calling agent) can fix.

Every layer (workspace confinement, detection, codemods, the verify generator, the schema
and pattern look-ups) raises a subclass of :class:`UserError` with a message that says what to
do; the tool layer turns it into an MCP ``ToolError`` in one place
(:func:`amplitude_ai_mcp.tools._base.user_errors`). Anything else is a bug and stays masked.
"""

from __future__ import annotations


class UserError(ValueError):
    """A user-fixable problem; the message says what to do next."""
