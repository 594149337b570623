"""libcst's scope and position metadata, computed with less work (same results).

libcst resolves ``ScopeProvider`` in four traversals: a batched pass that only starts the
expression-context visitor, that visitor, a second batched pass that only starts the scope
visitor, and that visitor; each rebuilds every node it passes. :class:`FastScopeProvider`
runs the two visitors that do the work, over :func:`.tree_walk.walk` (no rebuilt nodes).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import libcst as cst
from libcst.metadata import (
    BaseMetadataProvider,
    BatchableMetadataProvider,
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
    ProviderT,
)
from libcst.metadata.expression_context_provider import ExpressionContext, ExpressionContextVisitor
from libcst.metadata.scope_provider import Scope, ScopeVisitor

from .tree_walk import walk

_NO_DEFAULT: Any = object()


class FastScopeProvider(BaseMetadataProvider[Scope | None]):
    """The scope of each node, as libcst's ``ScopeProvider`` computes it (its own visitors,
    run directly instead of through batched traversals)."""

    def _gen_impl(self, module: cst.Module) -> None:
        contexts = ExpressionContextProvider()
        walk(module, ExpressionContextVisitor(contexts, ExpressionContext.LOAD))
        self._contexts = contexts._computed
        visitor = ScopeVisitor(self)  # type: ignore[arg-type]  # duck-typed provider
        walk(module, visitor)
        visitor.infer_accesses()

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = _NO_DEFAULT) -> Any:
        # ScopeVisitor asks its provider for each name's expression context.
        if key is ExpressionContextProvider:
            found = self._contexts.get(node, default)
            if found is _NO_DEFAULT:
                raise KeyError(node)
            return found
        if default is _NO_DEFAULT:
            return super().get_metadata(key, node)
        return super().get_metadata(key, node, default)


class FastPositionProvider(PositionProvider):
    """libcst's ``PositionProvider`` (its own class, so plans and detection share one
    resolution of it on a wrapper)."""


class FastWrapper(MetadataWrapper):
    """A ``MetadataWrapper`` that resolves the providers above and runs read-only visitors
    with :func:`.tree_walk.walk`.

    libcst's resolver ends every round with a batched traversal of the whole tree, also when
    no provider of the round is batchable (ours are not): providers without dependencies are
    computed here first, so that traversal never runs."""

    def resolve_many(
        self, providers: Collection[ProviderT]
    ) -> Mapping[ProviderT, Mapping[cst.CSTNode, object]]:
        for provider in providers:
            if (
                provider not in self._metadata
                and not issubclass(provider, BatchableMetadataProvider)
                and not provider.METADATA_DEPENDENCIES
                and provider.gen_cache is None
            ):
                self._metadata[provider] = provider()._gen(self)
        return super().resolve_many(providers)

    def visit(self, visitor: cst.CSTVisitorT) -> cst.Module:
        if isinstance(visitor, cst.CSTTransformer):
            return super().visit(visitor)
        with visitor.resolve(self):
            walk(self.module, visitor)
        return self.module
