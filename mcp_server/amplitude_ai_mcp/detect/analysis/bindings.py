"""The collection pass: one walk over the module records bindings, imports, returns,
class bases and calls; ``leave_Module`` then classifies the calls.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    ClassScope,
)

from amplitude_ai_mcp.detect import providers as P

from .cst_shapes import _is_self, dotted
from .fast_metadata import FastScopeProvider
from .site_classification import SiteClassifier
from .values import PARAM, Value, _Item, _ParamOf


class BindingCollector(SiteClassifier):
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._stack.append((node.name.value, node))
        # Base classes named in this module, so ``self.client`` set in a base class resolves.
        qualified = ".".join(n for n, _ in self._stack)
        prefix = qualified.rpartition(".")[0]
        if any(b.keyword is None for b in node.bases):
            self._derived.add(qualified)
        self._bases[qualified] = [
            f"{prefix}.{b.value.value}" if prefix else b.value.value
            for b in node.bases
            if b.keyword is None and isinstance(b.value, cst.Name)
        ]

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        parent = self._stack[-1][1] if self._stack else None
        callee: str | None = None
        if parent is None:
            callee = node.name.value
        elif isinstance(parent, cst.ClassDef):
            callee = f"{self._enclosing()}.{node.name.value}"
        self._stack.append((node.name.value, node))
        body_scope = self.get_metadata(FastScopeProvider, node.body, None)
        if body_scope is None:
            return
        params = node.params
        first = (*params.posonly_params, *params.params)[:1]
        for decorator in node.decorators:
            receiver = decorator.decorator
            if callee and "." in callee and _is_property(receiver):
                self._properties.add((callee.rpartition(".")[0], node.name.value))
            if isinstance(receiver, cst.Call):
                receiver = receiver.func
            if first and isinstance(receiver, cst.Attribute):  # @agent.tool
                self._tool_of[(body_scope, first[0].name.value)] = receiver.value
        for index, param in enumerate(
            (*params.posonly_params, *params.params, *params.kwonly_params)
        ):
            key = (body_scope, param.name.value)
            if param.annotation is not None:
                self._annotations[key] = param.annotation.annotation
                value = self._type_of_annotation(param.annotation.annotation)
                self._bindings.setdefault(key, []).append(value if value else None)
            elif callee is not None:
                self._bindings.setdefault(key, []).append(_ParamOf(callee, index, param.name.value))
            else:
                self._bindings.setdefault(key, []).append(PARAM)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None:
            return
        func = next((n for _, n in reversed(self._stack) if isinstance(n, cst.FunctionDef)), None)
        if func is None:
            return
        scope = self.get_metadata(FastScopeProvider, func, None)
        if scope is not None:
            self._returns.setdefault((scope, func.name.value), []).append(node.value)
            if isinstance(scope, ClassScope):
                index = next(i for i, (_, n) in enumerate(self._stack) if n is func)
                cls = ".".join(n for n, _ in self._stack[:index])
                self._method_returns.setdefault((cls, func.name.value), []).append(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            self._collect_assigned_registration(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        in_class_body = self._stack and isinstance(self._stack[-1][1], cst.ClassDef)
        if in_class_body and isinstance(node.target, cst.Name):
            self._fields.setdefault(self._enclosing() or "", []).append(node.target.value)
        if node.value is not None:
            self._bind_target(node.target, node.value)
            # ``client: OpenAI = field(default_factory=OpenAI)`` -> the annotation decides.
            annotated = self._type_of_annotation(node.annotation.annotation)
            if annotated is not None:
                self._bind_target(node.target, annotated)
        else:
            annotated = self._type_of_annotation(node.annotation.annotation)
            if annotated is not None:
                self._bind_target(node.target, annotated)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_With(self, node: cst.With) -> None:
        frameworks: set[str] = set()
        for item in node.items:
            if isinstance(item.item, cst.Call):
                for qn, _ in self._qualnames(item.item.func):
                    frameworks |= P.SCOPED_INTEGRATIONS.get(qn, frozenset())
        self._scoped.append(frozenset(frameworks))

    def leave_With(self, original_node: cst.With) -> None:
        self._scoped.pop()

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item)

    def _bind_target(
        self, target: cst.BaseExpression, value: cst.BaseExpression | Value | _Item
    ) -> None:
        if isinstance(target, cst.Name):
            scope = self.get_metadata(FastScopeProvider, target, None)
            if scope is not None:
                self._bindings.setdefault((scope, target.value), []).append(value)
                if isinstance(scope, ClassScope):
                    cls = self._class_name()
                    if cls:
                        self._attr_bindings.setdefault((cls, target.value), []).append(value)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
        ):
            cls = self._class_name()
            if cls:
                self._attr_bindings.setdefault((cls, target.attr.value), []).append(value)
        elif (
            isinstance(target, cst.Subscript)
            and isinstance(value, cst.BaseExpression)
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
        ):
            key = self._item_holder(target.value)
            if key is not None:
                item = (target.slice[0].slice.value, value)
                self._items.setdefault(key, []).append(item)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            for t_el, v_el in zip(target.elements, value.elements, strict=False):
                self._bind_target(t_el.value, v_el.value)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, cst.Call):
            for index, element in enumerate(target.elements):  # a factory returning a tuple
                if not isinstance(element, cst.StarredElement):
                    self._bind_target(element.value, _Item(value, index))

    def _item_holder(self, holder: cst.BaseExpression) -> tuple[object, str] | None:
        """Where ``holder[...] = value`` stores: the scope binding the name, or the class
        whose ``self.<attribute>`` it is."""
        if isinstance(holder, cst.Attribute) and _is_self(holder.value, ("self", "cls")):
            cls = self._class_name()
            return (cls, holder.attr.value) if cls else None
        if not isinstance(holder, cst.Name):
            return None
        scope = self.get_metadata(FastScopeProvider, holder, None)
        while scope is not None:
            if not isinstance(scope, ClassScope) and holder.value in scope.assignments:
                return (scope, holder.value)
            if scope is scope.parent:
                break
            scope = scope.parent
        return None

    def visit_Import(self, node: cst.Import) -> None:
        line = self._line(node)
        for alias in node.names:
            name = dotted(alias.name)
            if name:
                self.result.imports.append((name, line))
                self.result.imported_modules.add(name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        line = self._line(node)
        base = self._absolute(("." * len(node.relative)) + (dotted(node.module) or ""))
        if not base:
            return
        self.result.imported_modules.add(base)
        self.result.imports.append((base, line))
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                name = dotted(alias.name)
                if name:  # ``from pkg import mod`` may import a submodule
                    self.result.imports.append((f"{base}.{name}", line))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            cls = self._class_name()
            if cls:
                self._self_class[id(node)] = cls

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(id(node.expression))

    def leave_Module(self, original_node: cst.Module) -> None:
        self.finish()

    def visit_Call(self, node: cst.Call) -> None:
        enclosing = self._enclosing()
        if any(isinstance(n, cst.FunctionDef) for _, n in self._stack):
            self._in_function.add(id(node))
        self._calls.append((node, enclosing))
        if self._scoped and any(self._scoped):
            self._inside[id(node)] = frozenset().union(*self._scoped)
        for arg in node.args:
            if isinstance(arg.value, (cst.Attribute, cst.Name)):
                self._refs.append((arg.value, node, enclosing))


def _is_property(decorator: cst.BaseExpression) -> bool:
    """``@property`` / ``@cached_property`` / ``@functools.cached_property``."""
    name = dotted(decorator) or ""
    return name.rsplit(".", 1)[-1] in ("property", "cached_property")
