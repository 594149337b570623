"""Tell a syntax error in the user's code from a limit of libcst's parser.

libcst's native parser rejects some valid Python, e.g. an implicit concatenation of a few
thousand string literals (a long prompt written one line per literal), with a
``ParserSyntaxError``. Calling that "not valid Python" sends the user hunting for a mistake
that is not there, so every place that reports a libcst parse failure asks Python first.
"""

from __future__ import annotations

import warnings


def python_accepts(text: str) -> bool:
    """True when this interpreter compiles ``text`` (nothing is executed)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings belong to the user's own run
            compile(text, "<checked>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def libcst_limit(line: int) -> str:
    """The reason shown when Python accepts the code but libcst cannot parse it."""
    return (
        f"valid Python that the libcst parser cannot read (at line {line}; typically an "
        "implicit concatenation of thousands of string literals, or extremely deep nesting)"
    )
