"""Facts about one module that the verify-test generator needs, collected with libcst
(what they are: ``facts_model``; the node readings they are made of: ``cst_reading``)."""

from __future__ import annotations

import ast
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from amplitude_ai_mcp.detect.analysis.fast_metadata import FastWrapper

from .cst_reading import (
    absolute_module,
    cli_arg,
    dotted_name,
    has_default,
    is_main_guard,
    is_request_json,
    parses_json,
    plain,
    string_value,
)
from .facts_model import (
    BOOTSTRAP_STEM,
    Function,
    ModuleFacts,
    Param,
    Route,
    Usage,
)

_STR_METHODS = frozenset(
    {
        "strip",
        "lower",
        "upper",
        "split",
        "splitlines",
        "startswith",
        "endswith",
        "replace",
        "format",
        "encode",
        "title",
        "lstrip",
        "rstrip",
        "casefold",
        "join",
        "partition",
    }
)
_LIST_METHODS = frozenset({"append", "extend", "insert", "pop", "copy", "sort", "index"})
# Non-LLM service clients that a test should not build for real (left to needs_input).
SERVICE_PREFIXES = (
    "twilio.",
    "redis.",
    "psycopg2.",
    "psycopg.",
    "pymongo.",
    "sqlalchemy.create_engine",
    "boto3.",
    "stripe.",
    "sendgrid.",
    "slack_sdk.",
    "motor.",
    "elasticsearch.",
    "pinecone.",
    "qdrant_client.",
    "chromadb.",
    "sqlite3.connect",
    "smtplib.",
)
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
_WEB_APPS = {
    "fastapi.FastAPI": "fastapi",
    "fastapi.applications.FastAPI": "fastapi",
    "fastapi.APIRouter": "fastapi-router",
    "fastapi.routing.APIRouter": "fastapi-router",
    "starlette.applications.Starlette": "starlette",
    "flask.Flask": "flask",
    "flask.app.Flask": "flask",
    "flask.Blueprint": "flask-blueprint",
}


def collect(tree: cst.Module, package: str, factories: dict[str, str] | None = None) -> ModuleFacts:
    """Facts of ``tree``; ``package`` resolves relative imports; ``factories``: app factories
    of other modules (qualified name -> framework), so ``app = create_app()`` is an app."""
    wrapper = FastWrapper(tree, unsafe_skip_copy=True)
    visitor = _Collector(package, factories or {})
    wrapper.visit(visitor)
    return visitor.facts


class _Collector(cst.CSTVisitor):
    # Positions only: names are qualified through this module's own imports, which is
    # cheaper than libcst's scope analysis and enough for constructor calls.
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, package: str, factories: dict[str, str]) -> None:
        super().__init__()
        self.facts = ModuleFacts()
        self._package = package
        self._factories = factories
        self._classes: list[str] = []
        self._function: Function | None = None
        self._depth = 0  # function nesting; nested defs count as their outer function
        self._method_calls: set[int] = set()  # ids of Attribute nodes that are called
        self._local_apps: dict[str, str] = {}  # web apps the current function names

    # ------------------------------------------------------------------ structure
    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if self._function is not None:
            return True  # a class inside a function belongs to that function
        if self._classes:
            return False  # nested classes are not entry points
        bases = [dotted_name(b.value) or "" for b in node.bases if b.keyword is None]
        self.facts.classes[node.name.value] = bases
        if any(b.rsplit(".", 1)[-1] == "BaseModel" for b in bases):
            self.facts.model_fields[node.name.value] = [
                Param(s.target.value, s.annotation.annotation, has_default(s.value))
                for stmt in node.body.body
                if isinstance(stmt, cst.SimpleStatementLine)
                for s in stmt.body
                if isinstance(s, cst.AnnAssign) and isinstance(s.target, cst.Name)
            ]
        fields = [
            Param(s.target.value, s.annotation.annotation, s.value is not None)
            for stmt in node.body.body
            if isinstance(stmt, cst.SimpleStatementLine)
            for s in stmt.body
            if isinstance(s, cst.AnnAssign) and isinstance(s.target, cst.Name)
        ]
        decorators = [
            dotted_name(d.decorator if not isinstance(d.decorator, cst.Call) else d.decorator.func)
            or ""
            for d in node.decorators
        ]
        if any(d.rsplit(".", 1)[-1] == "dataclass" for d in decorators):
            self.facts.dataclass_fields[node.name.value] = fields
        if any(b.rsplit(".", 1)[-1] == "BaseSettings" for b in bases):
            self.facts.settings_env.extend(f.name.upper() for f in fields if not f.has_default)
        self._classes.append(node.name.value)
        return True

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        if (
            self._function is None
            and self._classes
            and self._classes[-1] == original_node.name.value
        ):
            self._classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1
        if self._function is not None:
            return
        cls = self._classes[-1] if self._classes else None
        params = [
            Param(
                p.name.value,
                p.annotation.annotation if p.annotation else None,
                p.default is not None,
                isinstance(p.default, cst.Call)
                and (dotted_name(p.default.func) or "").endswith("Depends"),
            )
            for p in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params)
        ]
        qualname = f"{cls}.{node.name.value}" if cls else node.name.value
        func = Function(qualname, self._line(node), node.asynchronous is not None, params, cls)
        self._local_apps = {}
        returns = dotted_name(node.returns.annotation) if node.returns else None
        framework = _WEB_APPS.get(self.qualify(returns)) if returns else None
        if cls is None and framework is not None and "-" not in framework:
            self.facts.app_factories[qualname] = framework  # ``def create_app() -> FastAPI``
        func.route = self._route(node) if cls is None else None
        if cls is None:
            self._cli_decorators(node, func)
        self.facts.functions[qualname] = func
        self._function = func

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._function = None

    def _cli_decorators(self, node: cst.FunctionDef, func: Function) -> None:
        """click/typer commands: their arguments and required options become argv."""
        for decorator in node.decorators:
            call = decorator.decorator
            target = call.func if isinstance(call, cst.Call) else call
            name = dotted_name(target) or ""
            last = name.rsplit(".", 1)[-1]
            if last in ("command", "group") and (
                name.startswith("click.") or name.split(".")[0] in self.facts.globals_
            ):
                func.is_cli_command = True
            if not isinstance(call, cst.Call) or not name.startswith("click."):
                continue
            if last in ("argument", "option") and call.args:
                arg = cli_arg(call, positional=last == "argument")
                if arg is not None:
                    func.cli_args.append(arg)

    def _route(self, node: cst.FunctionDef) -> Route | None:
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            owner = dotted_name(call.func.value)
            verb = call.func.attr.value
            if owner is None or owner not in self.facts.web_apps or not call.args:
                continue
            path = string_value(call.args[0].value)
            if path is None:
                continue
            framework = self.facts.web_apps[owner]
            path = self.facts.route_prefixes.get(owner, "").rstrip("/") + path
            if verb in _HTTP_METHODS:
                return Route(owner, framework, verb.upper(), path)
            if verb in ("route", "api_route"):
                methods = ["GET"]
                for arg in call.args[1:]:
                    if (
                        arg.keyword
                        and arg.keyword.value == "methods"
                        and isinstance(arg.value, (cst.List, cst.Tuple))
                    ):
                        found = [string_value(e.value) for e in arg.value.elements]
                        methods = [m.upper() for m in found if m] or methods
                return Route(owner, framework, methods[0], path)
        return None

    # ------------------------------------------------------------------ module level
    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = absolute_module(dotted_name(node.module) or "", len(node.relative), self._package)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = (
                alias.asname.name.value
                if alias.asname and isinstance(alias.asname.name, cst.Name)
                else name
            )
            if self._function is None:
                self.facts.imports[local] = (module, name)
            full = f"{module}.{name}" if module else name
            if module.rsplit(".", 1)[-1] == BOOTSTRAP_STEM:
                self.facts.bootstrap_imports.append((module, self._line(node)))
            elif name == BOOTSTRAP_STEM:
                self.facts.bootstrap_imports.append((full, self._line(node)))

    def qualify(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        if head not in self.facts.imports:
            return dotted
        module, name = self.facts.imports[head]
        full = ".".join(p for p in (module, name) if p)
        return f"{full}.{rest}" if rest else full

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            if self._function is None:
                if alias.asname and isinstance(alias.asname.name, cst.Name):
                    self.facts.imports[alias.asname.name.value] = (name, "")
                else:
                    head = name.split(".")[0]
                    self.facts.imports[head] = (head, "")
            if name.rsplit(".", 1)[-1] == BOOTSTRAP_STEM:
                self.facts.bootstrap_imports.append((name, self._line(node)))

    def _app_framework(self, value: cst.BaseExpression | None) -> str | None:
        """The framework of an app (not a router) that ``value`` constructs."""
        if not isinstance(value, cst.Call):
            return None
        func = dotted_name(value.func)
        framework = _WEB_APPS.get(self.qualify(func)) if func else None
        return framework if framework is not None and "-" not in framework else None

    def visit_Return(self, node: cst.Return) -> None:
        func = self._function
        if func is None or func.class_name is not None or self._depth != 1:
            return
        framework = self._app_framework(node.value)
        if framework is None and isinstance(node.value, cst.Name):
            framework = self._local_apps.get(node.value.value)
        if framework is not None:
            self.facts.app_factories[func.qualname] = framework

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._function is not None or self._classes:
            func = self._function
            if func is None:
                return
            framework = self._app_framework(node.value)
            if framework is not None:
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        self._local_apps[target.target.value] = framework
            parses = parses_json(node.value)
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    if is_request_json(node.value):
                        func.json_names.add(target.target.value)
                    if parses:
                        func.reply_names.add(target.target.value)
                elif isinstance(target.target, cst.Subscript):
                    owner = dotted_name(target.target.value)
                    if owner == "session" or owner in self.facts.globals_:
                        func.state_writes.add(owner)
            return
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            name = target.target.value
            self.facts.globals_.add(name)
            if isinstance(node.value, cst.Call):
                ctor = self.qualify(dotted_name(node.value.func) or "")
                self.facts.built_at_import[name] = ctor
                if ctor.startswith(SERVICE_PREFIXES):
                    self.facts.service_clients.append((name, ctor, self._line(node)))
            text = string_value(node.value)
            if text is not None:
                self.facts.string_constants[name] = text
            if isinstance(node.value, cst.Call):
                called = dotted_name(node.value.func)
                if called and "." not in called and called[:1].isupper():
                    self.facts.instances[name] = called  # ``escalation = Escalation()``
                framework = _WEB_APPS.get(self.qualify(called)) if called else None
                framework = framework or self.facts.app_factories.get(called or "")
                framework = framework or self._factories.get(self.qualify(called or ""))
                if framework:
                    self.facts.web_apps[name] = framework
                    for arg in node.value.args:  # APIRouter(prefix=) / Blueprint(url_prefix=)
                        if arg.keyword and arg.keyword.value in ("prefix", "url_prefix"):
                            self.facts.route_prefixes[name] = string_value(arg.value) or ""

    # ------------------------------------------------------------------ inside functions
    def visit_Call(self, node: cst.Call) -> None:
        pos = self.get_metadata(PositionProvider, node).start
        model = next((a.value for a in node.args if a.keyword and a.keyword.value == "model"), None)
        if model is not None:
            literal = string_value(model)
            if literal is None and isinstance(model, cst.Name):
                literal = self.facts.string_constants.get(model.value)
            self.facts.call_models[(pos.line, pos.column + 1)] = literal
        dotted = dotted_name(node.func)
        if dotted in ("os.environ.get", "os.getenv"):
            name = string_value(node.args[0].value) if node.args else None
            if name and len(node.args) == 1:
                self.facts.env_reads.append(name)  # no default: the code needs it set
            return
        if dotted and dotted.rsplit(".", 1)[-1] == "add_argument" and node.args:
            arg = cli_arg(node, positional=None)
            if arg is not None:
                self.facts.cli_args.append(arg)
        if dotted == "typer.run" and node.args:
            target = dotted_name(node.args[0].value)
            if target in self.facts.functions:
                self.facts.functions[target].is_cli_command = True
        if dotted:
            self._literal_call(dotted.rsplit(".", 1)[-1], node)
        func = self._function
        if func is None and not self._classes:
            func = self.facts.module_code
        if (
            func is not None
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "parse_args"
        ):
            func.reads_argv = True
        if func is None or dotted is None:
            return
        if parses_json(node):
            func.parses_json = True
        if dotted.rsplit(".", 1)[-1] == "parse_args" or dotted in ("typer.run", "fire.Fire"):
            func.reads_argv = True
        if isinstance(node.func, cst.Name):
            usage = self._usage(node.func.value)
            if usage is not None:
                usage.called = True
        if any(a.keyword and a.keyword.value == "response_format" for a in node.args):
            func.parses_json = True
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name):
            owner, attr = node.func.value.value, node.func.attr.value
            self._method_calls.add(id(node.func))
            usage = self._usage(owner)
            first = string_value(node.args[0].value) if node.args else None
            if usage is not None:
                if attr in _STR_METHODS:
                    usage.text = True
                elif attr in _LIST_METHODS:
                    usage.iterated = True
                elif attr == "get" and first:
                    if first not in usage.keys:
                        usage.keys.append(first)
                elif attr in ("items", "keys", "values"):
                    usage.mapping = True
            if (
                owner in func.reply_names
                and attr == "get"
                and first not in (None, *func.reply_keys)
            ):
                func.reply_keys.append(first)  # type: ignore[arg-type]
            if attr in ("append", "setdefault", "update", "add") and (
                owner == "session" or owner in self.facts.globals_
            ):
                func.state_writes.add(owner)
            elif attr == "get" and (owner == "session" or owner in self.facts.globals_):
                func.state_reads.add(owner)
        dotted_form = dotted_name(node.func)
        if dotted_form in ("request.form.get", "request.args.get", "request.values.get"):
            key = string_value(node.args[0].value) if node.args else None
            if key and key not in func.form_keys:
                func.form_keys.append(key)
        if dotted == "input" or dotted.startswith("sys.stdin"):
            func.reads_stdin = True
        head, _, rest = dotted.partition(".")
        if head == "self" and func.class_name and rest and "." not in rest:
            func.calls.add(f"{func.class_name}.{rest}")
        elif rest and "." not in rest and head in self.facts.instances:
            func.calls.add(f"@{head}.{rest}")  # a method of a module-level instance
        elif not rest:
            func.calls.add(head)
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "get"
            and isinstance(node.func.value, cst.Name)
            and node.func.value.value in func.json_names
            and node.args
        ):
            self._json_key(string_value(node.args[0].value))

    def _usage(self, name: str) -> Usage | None:
        func = self._function
        if func is None or not any(p.name == name for p in func.params):
            return None
        return func.usage.setdefault(name, Usage())

    def _literal_call(self, name: str, node: cst.Call) -> None:
        """Calls whose arguments are all literals: values a test can reuse."""
        if not node.args or len(self.facts.call_literals.get(name, ())) >= 3:
            return
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for arg in node.args:
            if arg.star:
                return
            try:
                value = ast.literal_eval(cst.Module([]).code_for_node(arg.value))
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return
            if not plain(value):
                return
            if arg.keyword is not None:
                keywords[arg.keyword.value] = value
            else:
                positional.append(value)
        self.facts.call_literals.setdefault(name, []).append((positional, keywords))

    def visit_If(self, node: cst.If) -> None:
        if self._function is None and not self._classes and is_main_guard(node.test):
            start = self._line(node)
            end = self.get_metadata(PositionProvider, node).end.line
            self.facts.main_lines = (start, end)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.iter, cst.Name):
            usage = self._usage(node.iter.value)
            if usage is not None:
                usage.iterated = True
                if isinstance(node.target, (cst.Tuple, cst.List)):
                    usage.item_arity = len(node.target.elements)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if isinstance(node.iter, cst.Name):
            usage = self._usage(node.iter.value)
            if usage is not None:
                usage.iterated = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        func = self._function
        if func is None:
            return
        if node.attr.value == "tool_calls":
            func.tool_loop = True
        if id(node) in self._method_calls or not isinstance(node.value, cst.Name):
            return
        usage = self._usage(node.value.value)
        if usage is not None and node.attr.value not in usage.attrs:
            usage.attrs.append(node.attr.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._function is not None and string_value(node) in ("tool_use", "tool_calls"):
            self._function.tool_loop = True

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, cst.Name):
                usage = self._usage(side.value)
                if usage is None:
                    continue
                if isinstance(other, (cst.Integer, cst.Float)):
                    usage.arithmetic = True
                elif isinstance(other, (cst.SimpleString, cst.FormattedString)):
                    usage.text = True

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        if isinstance(node.expression, cst.Name):
            usage = self._usage(node.expression.value)
            if usage is not None and not (usage.iterated or usage.keys or usage.attrs):
                usage.text = True

    def visit_Subscript(self, node: cst.Subscript) -> None:
        func = self._function
        value = node.value
        if func is not None and isinstance(value, cst.Name) and len(node.slice) == 1:
            index = node.slice[0].slice
            key = string_value(index.value) if isinstance(index, cst.Index) else None
            usage = self._usage(value.value)
            if usage is not None:
                if key is not None:
                    if key not in usage.keys:
                        usage.keys.append(key)
                elif isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
                    usage.indexed = True
            if key not in (None, *func.reply_keys) and value.value in func.reply_names:
                func.reply_keys.append(key)  # type: ignore[arg-type]
            if value.value == "session" or value.value in self.facts.globals_:
                func.state_reads.add(value.value)
        if func is not None and dotted_name(value) in (
            "request.form",
            "request.args",
            "request.values",
        ):
            only = node.slice[0].slice if len(node.slice) == 1 else None
            key = string_value(only.value) if isinstance(only, cst.Index) else None
            if key and key not in func.form_keys:
                func.form_keys.append(key)
        if dotted_name(value) == "os.environ" and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index):
                name = string_value(index.value)
                if name:
                    self.facts.env_reads.append(name)
            return
        if func is None or len(node.slice) != 1:
            return
        if is_request_json(value) or (
            isinstance(value, cst.Name) and value.value in func.json_names
        ):
            index = node.slice[0].slice
            if isinstance(index, cst.Index):
                self._json_key(string_value(index.value))

    def _json_key(self, key: str | None) -> None:
        if key and self._function is not None and key not in self._function.json_keys:
            self._function.json_keys.append(key)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        func = self._function
        call = node.item
        if func is None or not isinstance(call, cst.Call):
            return
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "session":
            func.opens_session = True
            func.session_user = next(
                (a.value for a in call.args if a.keyword and a.keyword.value == "user_id"), None
            )
