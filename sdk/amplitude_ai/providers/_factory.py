"""Building the instrumented client classes.

Each instrumented class is a direct subclass of the provider's client with the provider
class as its only base, so its instances have exactly the provider's layout (``wrap()``
can retype a copy of an existing client) and ``isinstance`` checks keep passing. The
class overrides ``request`` (where the hook sits, see ``_hook``), the resources (to add the
per-call kwarg shims on that client only) and ``copy``/``with_options`` (a copy keeps
reporting to the same place). The provider's own classes are not modified.

Resources are class-level cached properties in recent SDK releases and plain attributes
set in ``__init__`` in older ones (openai 1.0-1.1x, anthropic 0.x); both are shimmed, and a
resource or method a release lacks is skipped. A client class without the request hook
(see ``_compat``) gives a drop-in that works exactly like the provider's, untracked.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from ._calls import install_instance_shims
from ._compat import has_request_hook, note_untested, warn_not_instrumented
from ._hook import Resolver, request_async, request_sync
from ._tracker import TRACKER_ATTR, Tracker, make_tracker, tracker_of
from ._untracked import shim_resource_notices

# Marks our classes (wrap() returns their instances unchanged).
INSTRUMENTED_MARK = "_amplitude_ai_instrumented"
_copying = threading.local()  # set while copy() builds a client through __init__

# Resource attribute -> (sub-resource to shim, or "" for the resource itself) -> methods.
ResourceTable = Mapping[str, Mapping[str, tuple[str, ...]]]
OPENAI_RESOURCES: ResourceTable = {
    "chat": {"completions": ("create", "parse", "stream")},
    "responses": {"": ("create", "parse", "stream")},
    "embeddings": {"": ("create",)},
    "images": {"": ("generate", "edit", "create_variation")},
    "audio": {
        "speech": ("create",),
        "transcriptions": ("create",),
        "translations": ("create",),
    },
    "moderations": {"": ("create",)},
    "completions": {"": ("create",)},
    # Untracked APIs: their websocket entry points report themselves (see _untracked).
    "realtime": {},
    "beta": {},
}
ANTHROPIC_RESOURCES: ResourceTable = {
    "messages": {"": ("create", "parse", "stream")},
    "beta": {"messages": ("create", "parse", "stream")},
}


def attach(client: Any, tracker: Tracker) -> None:
    setattr(client, TRACKER_ATTR, tracker)


def _shim_resource(resource: Any, shims: Mapping[str, tuple[str, ...]]) -> Any:
    for child, methods in shims.items():
        target = getattr(resource, child, None) if child else resource
        if target is not None:  # e.g. no beta.messages in this release
            install_instance_shims(target, methods)
    return resource


def shim_instance_resources(
    client: Any, resources: ResourceTable, provider: str | None = None
) -> None:
    """Shim the resources an older release sets as instance attributes in ``__init__``
    (with ``provider``, also their untracked-API notices: ``beta.realtime`` of openai < 1.7x
    lives on such an attribute)."""
    fields = vars(client)
    for attr, shims in resources.items():
        if attr in fields:
            resource = _shim_resource(fields[attr], shims)
            if provider is not None:
                shim_resource_notices(attr, resource, provider)


def _class_level(base: type[Any], name: str) -> bool:
    return any(name in vars(klass) for klass in base.__mro__)


def _resource_property(
    base: type[Any], name: str, shims: Mapping[str, tuple[str, ...]], provider: str
) -> Any:
    inherited = getattr(base, name)

    def getter(self: Any) -> Any:
        resource = _shim_resource(inherited.__get__(self, type(self)), shims)
        shim_resource_notices(name, resource, provider)
        return resource

    getter.__name__ = name
    getter.__doc__ = inherited.__doc__
    return cached_property(getter)


def build_client_class(
    name: str,
    base: type[Any],
    *,
    provider: str,
    resolver: Resolver,
    resources: ResourceTable,
    is_async: bool,
    module: str,
    doc: str,
) -> type[Any]:
    """The instrumented subclass of ``base`` named ``name``."""
    if not has_request_hook(base):
        return _untracked_class(
            name, base, provider=provider, resources=resources, module=module, doc=doc
        )
    note_untested(provider)
    instance_resources = {a: s for a, s in resources.items() if not _class_level(base, a)}

    def __init__(
        self: Any,
        *args: Any,
        amplitude: Any = None,
        amplitude_user_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        base.__init__(self, *args, **kwargs)
        if instance_resources:
            shim_instance_resources(self, instance_resources, provider)
        if not getattr(_copying, "active", False):
            attach(self, make_tracker(amplitude, provider, amplitude_user_id))

    def copy(self: Any, *args: Any, **kwargs: Any) -> Any:
        # The provider builds the copy through ``self.__class__(...)``; keep our tracker
        # rather than letting the copy configure a fresh one from the environment.
        _copying.active = True
        try:
            new = base.copy(self, *args, **kwargs)
        finally:
            _copying.active = False
        tracker = tracker_of(self)
        if tracker is not None:
            attach(new, tracker)
        return new

    if is_async:

        async def request(self: Any, cast_to: Any, options: Any, *a: Any, **kw: Any) -> Any:
            original = base.request.__get__(self, type(self))  # patched or not, at call time
            return await request_async(
                original, tracker_of(self), resolver, cast_to, options, *a, **kw
            )

    else:

        def request(self: Any, cast_to: Any, options: Any, *a: Any, **kw: Any) -> Any:  # type: ignore[misc]
            original = base.request.__get__(self, type(self))
            return request_sync(original, tracker_of(self), resolver, cast_to, options, *a, **kw)

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": module,
        "__qualname__": name,
        "__doc__": doc,
        "__init__": __init__,
        "copy": copy,
        "with_options": copy,
        "request": request,
        INSTRUMENTED_MARK: True,
        "_amplitude_provider": provider,
        "_amplitude_instance_resources": instance_resources,
    }
    for attr, shims in resources.items():
        if attr not in instance_resources and hasattr(base, attr):
            namespace[attr] = _resource_property(base, attr, shims, provider)
    return type(name, (base,), namespace)


def _untracked_class(
    name: str,
    base: type[Any],
    *,
    provider: str,
    resources: ResourceTable,
    module: str,
    doc: str,
) -> type[Any]:
    """A drop-in for a release the wrappers cannot hook: accepts (and ignores) the
    ``amplitude=`` arguments, strips the ``amplitude_*`` call kwargs where it can find the
    methods, and otherwise is the provider's client; warns once."""

    def __init__(
        self: Any,
        *args: Any,
        amplitude: Any = None,
        amplitude_user_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        warn_not_instrumented(
            provider, f"{base.__module__}.{base.__qualname__} has no request hook"
        )
        base.__init__(self, *args, **kwargs)
        for attr, shims in resources.items():
            try:
                resource = getattr(self, attr, None)
                if resource is not None:
                    _shim_resource(resource, shims)
            except Exception:  # a release we do not know: leave its resources alone
                continue

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": module,
        "__qualname__": name,
        "__doc__": doc + " (not instrumented: unsupported provider SDK release)",
        "__init__": __init__,
        "_amplitude_provider": provider,
        "_amplitude_untracked": True,
    }
    return type(name, (base,), namespace)
