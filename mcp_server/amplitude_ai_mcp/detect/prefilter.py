"""The scan's text prefilter: which modules a file imports, and whether it is a candidate for
analysis (imports a provider, framework or our SDK, or spells a distinctive API path).

Only candidates, and files importing a project module that turns out to export a client, are
parsed; everything here is plain text work on every file of the tree.
"""

from __future__ import annotations

import re

from . import providers as P

_IMPORT_RE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w., \t]+))", re.M
)
_STRONG_MODULES = tuple(
    sorted(
        {m.split(".")[0] for m in (*P.PROVIDER_MODULES, *P.FRAMEWORK_MODULES)}
        | {"boto3", P.SDK_MODULE, "google"}
    )
)
_PROVIDER_TOPS = tuple(sorted({m.split(".")[0] for m in P.PROVIDER_MODULES}))
_DISTINCTIVE_PARTS = (".chat.completions.", ".responses.", ".messages.", ".embeddings.")
_DISTINCTIVE = re.compile(
    r"\.(?:chat\.completions|responses|messages|embeddings)\.(?:with_\w+\.)?\w+\b"
)


def imported_modules(text: str) -> set[str]:
    """Modules named by import statements (text level; used only to choose files to parse).

    Every import statement spells ``import``: find that word (a plain substring search), then
    match the statement pattern at the start of its line. A multiline-anchored regex over
    the whole text costs ~7x more (it tries every line start)."""
    found: set[str] = set()
    find, rfind = text.find, text.rfind
    last_line = -1
    pos = find("import")
    while pos >= 0:
        line = rfind("\n", 0, pos) + 1
        if line != last_line:
            last_line = line
            match = _IMPORT_RE.match(text, line)
            if match is not None:
                if match.group(1) is not None:
                    found.add(match.group(1))
                else:
                    for part in match.group(2).split(","):
                        name = part.strip().split(" ")[0]
                        if name:
                            found.add(name)
        pos = find("import", pos + 6)
    return found


def strong_candidate(text: str, imports: set[str]) -> bool:
    tops = {m.split(".")[0] for m in imports}
    if tops.intersection(_STRONG_MODULES):
        return True
    if "importlib" in tops and "import_module" in text and any(m in text for m in _PROVIDER_TOPS):
        return True  # may be a lazy proxy of a provider module (``_LazyModule("litellm")``)
    # Every match of _DISTINCTIVE contains one of these: plain substring searches rule out
    # almost every file far faster than the regex, which tries each "." of the text.
    if not any(part in text for part in _DISTINCTIVE_PARTS):
        return False
    return _DISTINCTIVE.search(text) is not None
