"""Hostile Python sources, generated at test time (never stored): deep nesting in every form
libcst recurses on, huge line counts, and seeded random bracket/operator soup."""

from __future__ import annotations

import random


def _elif_chain(n: int) -> str:
    return "if a:\n    pass\n" + "".join(f"elif a == {i}:\n    pass\n" for i in range(n))


# name -> source. The first six are the red-team inputs that killed or stalled the server.
def named_sources() -> dict[str, str]:
    return {
        "unary_100k": "x = " + "-" * 100_000 + "1\n",
        "plus_50k": "x = " + "+".join(["1"] * 50_000) + "\n",
        "attributes_20k": "x = a" + ".b" * 20_000 + "\n",
        "calls_5k": "x = f" + "()" * 5_000 + "\n",
        "blank_lines_999k": "\n" * 999_000 + "x = 1\n",
        "elif_5k": _elif_chain(5_000),
        "parens_5k": "x = " + "(" * 5_000 + "1" + ")" * 5_000 + "\n",
        "lists_2k": "x = " + "[" * 2_000 + "]" * 2_000 + "\n",
        "subscripts_5k": "x = a" + "[0]" * 5_000 + "\n",
        "not_5k": "x = " + "not " * 5_000 + "a\n",
        "ternary_3k": "x = " + "a if b else " * 3_000 + "c\n",
        "lambda_3k": "f = " + "lambda: " * 3_000 + "1\n",
        "await_3k": "async def f():\n    return " + "await " * 3_000 + "g()\n",
        "and_20k": "x = " + " and ".join(["a"] * 20_000) + "\n",
        "power_20k": "x = " + "**".join(["2"] * 20_000) + "\n",
        "string_concat_20k": "x = (" + " ".join(['"a"'] * 20_000) + ")\n",
        "fstring_deep": 'x = f"{' + "(" * 3_000 + "1" + ")" * 3_000 + '}"\n',
        "dict_deep": "x = " + "{1: " * 2_000 + "1" + "}" * 2_000 + "\n",
        "indent_99": "".join(" " * i + "if a:\n" for i in range(99)) + " " * 99 + "pass\n",
        "long_line_900kb": "x = '" + "a" * 900_000 + "'\n",
        "statements_60k": "x = 1\n" * 60_000,
        "unterminated_triple": "x = '''" + "a\n" * 1_000,
        "nul_bytes": "x = 1\0\0\0\n",
        "lone_surrogate_escape": "x = '\\ud800'\n",
        "crlf_mixed_deep": "x = (\r\n" + "-" * 3_000 + "1\r)\n",
    }


def fuzzed_sources(count: int, seed: int = 13) -> dict[str, str]:
    """Seeded random programs: valid-looking assignments whose right side is random soup of
    brackets, operators, attribute/call/subscript chains and strings, 1 to 40,000 tokens."""
    rng = random.Random(seed)
    pieces = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "-",
        "+",
        "~",
        "not ",
        ".a",
        "()",
        "[0]",
        "*",
        "**",
        " if a else ",
        "lambda: ",
        ",",
        ":",
        '"s"',
        "f'{x}'",
        "a",
        "1",
        "\n",
        "\\\n",
        " ",
    ]
    out: dict[str, str] = {}
    for i in range(count):
        size = rng.choice([10, 100, 1_000, 10_000, 40_000])
        if rng.random() < 0.5:  # a pure chain of one nesting construct
            piece = rng.choice(["-", "(", "[", ".a", "()", "[0]", "not ", "lambda: ", '"s" '])
            body = piece * size
            closing = {"(": ")", "[": "]"}.get(piece, "")
            body = f"{body}1{closing * size}" if closing else f"{body}1"
        else:
            body = "".join(rng.choice(pieces) for _ in range(size))
        out[f"fuzz_{i:02d}"] = f"x = {body}\n"
    return out
