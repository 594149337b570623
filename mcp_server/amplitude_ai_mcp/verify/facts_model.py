"""What the verify-test generator knows about one module: its functions, routes, CLI
arguments, web apps and settings (filled in by ``module_facts.collect``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

BOOTSTRAP_STEM = "amplitude_bootstrap"
MODULE_CODE = "<module>"  # pseudo function: statements outside functions (and __main__)


@dataclass(frozen=True)
class Param:
    name: str
    annotation: cst.BaseExpression | None
    has_default: bool
    default_is_depends: bool = False  # FastAPI Depends(...): resolved by the framework


@dataclass(frozen=True)
class Route:
    app: str  # module-level name of the app/router object
    framework: str  # fastapi, fastapi-router, starlette, flask, flask-blueprint
    method: str  # GET, POST, ...
    path: str


@dataclass
class Usage:
    """How a function body uses one parameter (to build a value without an annotation)."""

    iterated: bool = False
    keys: list[str] = field(default_factory=list)  # p["k"] / p.get("k")
    attrs: list[str] = field(default_factory=list)  # p.attr (not method calls)
    arithmetic: bool = False
    text: bool = False  # p.strip() / p.lower() / f-string / str methods
    indexed: bool = False  # p[0]
    mapping: bool = False  # p.items() / p.keys() / p.values()
    called: bool = False  # p(...): a callback
    item_arity: int = 0  # `for a, b in p`: items are pairs


@dataclass(frozen=True)
class CliArg:
    flag: str  # "--topic" or "topic" (positional)
    required: bool
    kind: str  # "str", "int", "float", "flag"
    choice: str | None = None


@dataclass
class Function:
    """A module-level function or a method of a module-level class."""

    qualname: str  # "answer" or "Assistant.reply"
    line: int
    is_async: bool
    params: list[Param]
    class_name: str | None = None
    calls: set[str] = field(default_factory=set)  # "name" (module/imported) or "Class.meth"
    reads_stdin: bool = False
    session_user: cst.BaseExpression | None = None  # user_id= of an agent session it opens
    opens_session: bool = False
    route: Route | None = None
    json_keys: list[str] = field(default_factory=list)  # Flask request JSON keys it reads
    json_names: set[str] = field(default_factory=set)  # locals bound to the request JSON
    form_keys: list[str] = field(default_factory=list)  # Flask request.form keys it reads
    usage: dict[str, Usage] = field(default_factory=dict)
    parses_json: bool = False  # json.loads / model_validate_json / response_format=...
    reply_keys: list[str] = field(default_factory=list)  # keys read from the parsed reply
    reply_names: set[str] = field(default_factory=set)
    tool_loop: bool = False  # reads .tool_calls / tool_use blocks
    state_writes: set[str] = field(default_factory=set)  # session["k"] = / STORE[...] =
    state_reads: set[str] = field(default_factory=set)
    cli_args: list[CliArg] = field(default_factory=list)  # click/typer parameters
    is_cli_command: bool = False
    reads_argv: bool = False  # parse_args() / sys.argv: driven as a script instead


@dataclass
class ModuleFacts:
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)  # class -> base names
    model_fields: dict[str, list[Param]] = field(default_factory=dict)  # pydantic models
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, name)
    bootstrap_imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line)
    web_apps: dict[str, str] = field(default_factory=dict)  # name -> framework
    # module-level functions that build and return a web app (``create_app``) -> framework
    app_factories: dict[str, str] = field(default_factory=dict)
    string_constants: dict[str, str] = field(default_factory=dict)
    call_models: dict[tuple[int, int], str | None] = field(default_factory=dict)
    env_reads: list[str] = field(default_factory=list)
    instances: dict[str, str] = field(default_factory=dict)  # global -> class it instantiates
    dataclass_fields: dict[str, list[Param]] = field(default_factory=dict)
    settings_env: list[str] = field(default_factory=list)  # BaseSettings fields, no default
    main_lines: tuple[int, int] | None = None  # the `if __name__ == "__main__":` block
    cli_args: list[CliArg] = field(default_factory=list)  # argparse add_argument calls
    call_literals: dict[str, list[tuple[list[Any], dict[str, Any]]]] = field(default_factory=dict)
    service_clients: list[tuple[str, str, int]] = field(default_factory=list)  # name, ctor, line
    globals_: set[str] = field(default_factory=set)
    route_prefixes: dict[str, str] = field(default_factory=dict)  # router -> its prefix
    built_at_import: dict[str, str] = field(default_factory=dict)  # global -> constructor
    module_code: Function = field(default_factory=lambda: Function(MODULE_CODE, 1, False, []))
