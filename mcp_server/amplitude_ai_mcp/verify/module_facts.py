"""Facts about one module that the verify-test generator needs, collected with libcst."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

BOOTSTRAP_STEM = "amplitude_bootstrap"
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


@dataclass
class ModuleFacts:
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=dict)  # class -> base names
    model_fields: dict[str, list[Param]] = field(default_factory=dict)  # pydantic models
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, name)
    bootstrap_imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line)
    web_apps: dict[str, str] = field(default_factory=dict)  # name -> framework
    string_constants: dict[str, str] = field(default_factory=dict)
    call_models: dict[tuple[int, int], str | None] = field(default_factory=dict)
    env_reads: list[str] = field(default_factory=list)
    instances: dict[str, str] = field(default_factory=dict)  # global -> class it instantiates


def absolute_module(module: str, relative_dots: int, package: str) -> str:
    """The absolute name of ``from <dots><module> import ...`` inside ``package``."""
    if not relative_dots:
        return module
    parts = package.split(".") if package else []
    if relative_dots > 1:
        parts = parts[: len(parts) - (relative_dots - 1)]
    return ".".join([*parts, module] if module else parts)


def collect(tree: cst.Module, package: str) -> ModuleFacts:
    """Facts of ``tree``; ``package`` resolves relative imports."""
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    visitor = _Collector(package)
    wrapper.visit(visitor)
    return visitor.facts


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def is_request_json(node: cst.BaseExpression) -> bool:
    """``request.json`` / ``request.get_json(...)`` (Flask)."""
    if isinstance(node, cst.Call):
        return _dotted(node.func) == "request.get_json"
    return _dotted(node) == "request.json"


class _Collector(cst.CSTVisitor):
    # Positions only: names are qualified through this module's own imports, which is
    # cheaper than libcst's scope analysis and enough for constructor calls.
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, package: str) -> None:
        super().__init__()
        self.facts = ModuleFacts()
        self._package = package
        self._classes: list[str] = []
        self._function: Function | None = None
        self._depth = 0  # function nesting; nested defs count as their outer function

    # ------------------------------------------------------------------ structure
    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if self._function is not None:
            return True  # a class inside a function belongs to that function
        if self._classes:
            return False  # nested classes are not entry points
        bases = [_dotted(b.value) or "" for b in node.bases if b.keyword is None]
        self.facts.classes[node.name.value] = bases
        if any(b.rsplit(".", 1)[-1] == "BaseModel" for b in bases):
            self.facts.model_fields[node.name.value] = [
                Param(s.target.value, s.annotation.annotation, s.value is not None)
                for stmt in node.body.body
                if isinstance(stmt, cst.SimpleStatementLine)
                for s in stmt.body
                if isinstance(s, cst.AnnAssign) and isinstance(s.target, cst.Name)
            ]
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
                and (_dotted(p.default.func) or "").endswith("Depends"),
            )
            for p in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params)
        ]
        qualname = f"{cls}.{node.name.value}" if cls else node.name.value
        func = Function(qualname, self._line(node), node.asynchronous is not None, params, cls)
        func.route = self._route(node) if cls is None else None
        self.facts.functions[qualname] = func
        self._function = func

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._function = None

    def _route(self, node: cst.FunctionDef) -> Route | None:
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            owner = _dotted(call.func.value)
            verb = call.func.attr.value
            if owner is None or owner not in self.facts.web_apps or not call.args:
                continue
            path = _string(call.args[0].value)
            if path is None:
                continue
            framework = self.facts.web_apps[owner]
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
                        found = [_string(e.value) for e in arg.value.elements]
                        methods = [m.upper() for m in found if m] or methods
                return Route(owner, framework, methods[0], path)
        return None

    # ------------------------------------------------------------------ module level
    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = absolute_module(_dotted(node.module) or "", len(node.relative), self._package)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = _dotted(alias.name) or ""
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
            name = _dotted(alias.name) or ""
            if self._function is None:
                if alias.asname and isinstance(alias.asname.name, cst.Name):
                    self.facts.imports[alias.asname.name.value] = (name, "")
                else:
                    head = name.split(".")[0]
                    self.facts.imports[head] = (head, "")
            if name.rsplit(".", 1)[-1] == BOOTSTRAP_STEM:
                self.facts.bootstrap_imports.append((name, self._line(node)))

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._function is not None or self._classes:
            if self._function is not None and is_request_json(node.value):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        self._function.json_names.add(target.target.value)
            return
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            name = target.target.value
            text = _string(node.value)
            if text is not None:
                self.facts.string_constants[name] = text
            if isinstance(node.value, cst.Call):
                func = _dotted(node.value.func)
                if func and "." not in func and func[:1].isupper():
                    self.facts.instances[name] = func  # ``escalation = Escalation()``
                framework = _WEB_APPS.get(self.qualify(func)) if func else None
                if framework:
                    self.facts.web_apps[name] = framework

    # ------------------------------------------------------------------ inside functions
    def visit_Call(self, node: cst.Call) -> None:
        pos = self.get_metadata(PositionProvider, node).start
        model = next((a.value for a in node.args if a.keyword and a.keyword.value == "model"), None)
        if model is not None:
            literal = _string(model)
            if literal is None and isinstance(model, cst.Name):
                literal = self.facts.string_constants.get(model.value)
            self.facts.call_models[(pos.line, pos.column + 1)] = literal
        dotted = _dotted(node.func)
        if dotted in ("os.environ.get", "os.getenv"):
            return
        func = self._function
        if func is None or dotted is None:
            return
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
            self._json_key(_string(node.args[0].value))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        func = self._function
        value = node.value
        if _dotted(value) == "os.environ" and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index):
                name = _string(index.value)
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
                self._json_key(_string(index.value))

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
