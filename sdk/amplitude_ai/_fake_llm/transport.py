"""Intercepting the provider SDKs' HTTP transport for :func:`fake_llm`.

OpenAI, Anthropic, google-genai and mistralai clients send through ``httpx2`` or ``httpx``
(depending on the release and on user-supplied clients). The default transports'
``handle_request`` / ``handle_async_request`` are replaced for the duration of the block, so
clients created anywhere in the process (before or inside the block) get the fake's answers
without the application passing anything in. Early google-genai releases send synchronous
calls through ``requests``; its ``HTTPAdapter.send`` is replaced the same way. boto3 sends
through botocore's ``URLLib3Session.send``, replaced the same way for Bedrock runtime
requests (signed as usual: dummy credentials come from the environment, see
:func:`_aws_environment`). Requests that are not provider SDK calls go through.

LiteLLM sends its own provider calls (Anthropic, Gemini, ...) through httpx too, but by
default over an aiohttp-based async transport: inside the block it is told to use httpx's
(``DISABLE_AIOHTTP_TRANSPORT``), and the aiohttp transport of a LiteLLM imported earlier is
answered as well. ``LITELLM_LOCAL_MODEL_COST_MAP`` keeps a LiteLLM imported inside the block
from fetching its model cost map from the internet.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .core import FakeLLM, client_family

_lock = threading.Lock()
_active: list[FakeLLM] = []  # innermost last
_installed: list[tuple[Any, str, Any]] = []


def _is_provider_call(request: Any) -> bool:
    # OpenAI and Anthropic tag every request with x-stainless-* headers; google-genai and
    # mistralai name themselves in their client headers.
    if any(k.lower().startswith("x-stainless-") for k in request.headers):
        return True
    return client_family(request.headers) is not None


def _answer(module: Any, request: Any) -> Any:
    fake = _active[-1]
    wire = fake.respond(
        request.method, request.url.raw_path.decode(), dict(request.headers), request.read()
    )
    return module.Response(wire.status, headers=wire.headers, content=wire.body, request=request)


async def _answer_async(module: Any, request: Any) -> Any:
    fake = _active[-1]
    body = await request.aread()
    wire = fake.respond(request.method, request.url.raw_path.decode(), dict(request.headers), body)
    return module.Response(wire.status, headers=wire.headers, content=wire.body, request=request)


def _install(module: Any) -> None:
    sync_cls, async_cls = module.HTTPTransport, module.AsyncHTTPTransport
    original_sync = sync_cls.handle_request
    original_async = async_cls.handle_async_request

    def handle_request(self: Any, request: Any) -> Any:
        if _active and _is_provider_call(request):
            return _answer(module, request)
        return original_sync(self, request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        if _active and _is_provider_call(request):
            return await _answer_async(module, request)
        return await original_async(self, request)

    for cls, name, value in (
        (sync_cls, "handle_request", handle_request),
        (async_cls, "handle_async_request", handle_async_request),
    ):
        _installed.append((cls, name, cls.__dict__[name]))
        setattr(cls, name, value)


# Set for the block unless the app set them (restored on exit).
_LITELLM_ENV = {"DISABLE_AIOHTTP_TRANSPORT": "True", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
_saved_env: dict[str, str | None] = {}


def _install_litellm() -> None:
    for name, value in _LITELLM_ENV.items():
        _saved_env[name] = os.environ.get(name)
        os.environ.setdefault(name, value)
    if "litellm" not in sys.modules:
        return  # imported later: it builds httpx transports, which are answered already
    try:
        module = importlib.import_module("litellm.llms.custom_httpx.aiohttp_transport")
        cls = module.LiteLLMAiohttpTransport
        original = cls.__dict__["handle_async_request"]
        httpx = importlib.import_module("httpx")
    except (ImportError, AttributeError, KeyError):
        return  # a release without the aiohttp transport

    async def handle_async_request(self: Any, request: Any) -> Any:
        if _active and _is_provider_call(request):
            return await _answer_async(httpx, request)
        return await original(self, request)

    _installed.append((cls, "handle_async_request", original))
    cls.handle_async_request = handle_async_request


def _restore_env() -> None:
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env.clear()


def _install_requests(module: Any) -> None:
    import io
    from urllib.parse import urlsplit

    adapter = module.adapters.HTTPAdapter
    original = adapter.send

    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not (_active and _is_provider_call(request)):
            return original(self, request, *args, **kwargs)
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        wire = _active[-1].respond(request.method, path, dict(request.headers), body)
        response = module.models.Response()
        response.status_code = wire.status
        response.headers = module.structures.CaseInsensitiveDict(wire.headers)
        response.raw = io.BytesIO(wire.body)
        response.url = request.url
        response.request = request
        response.reason = "OK" if wire.status < 400 else "Error"
        response.encoding = "utf-8"
        return response

    _installed.append((adapter, "send", adapter.__dict__["send"]))
    adapter.send = send


class _Raw:
    """The urllib3 response botocore reads: whole (``read``) or in chunks (``stream``)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = list(chunks)
        self._buffer = b""

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Any:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        while self._chunks:
            yield self._chunks.pop(0)

    def read(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        data = self._buffer + b"".join(self._chunks)
        self._chunks.clear()
        if amt is None or amt >= len(data):
            self._buffer = b""
            return data
        self._buffer = data[amt:]
        return data[:amt]

    def close(self) -> None:
        self._chunks.clear()
        self._buffer = b""

    def release_conn(self) -> None:
        return None


def _is_bedrock_call(request: Any) -> bool:
    from urllib.parse import urlsplit

    from .bedrock_wire import parse

    parts = urlsplit(request.url)
    return parse(parts.path)[1] is not None and (
        "bedrock-runtime" in (parts.hostname or "")
        or "botocore" in str(request.headers.get("User-Agent", "")).lower()
    )


def _install_botocore(module: Any) -> None:
    from urllib.parse import urlsplit

    session_cls = module.httpsession.URLLib3Session
    original = session_cls.send

    def send(self: Any, request: Any) -> Any:
        if not (_active and _is_bedrock_call(request)):
            return original(self, request)
        parts = urlsplit(request.url)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        body = body.encode() if isinstance(body, str) else body
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        wire = _active[-1].respond(request.method, parts.path, headers, bytes(body))
        response = module.awsrequest.AWSResponse(
            request.url, wire.status, wire.headers, _Raw(wire.chunks)
        )
        if not request.stream_output:
            response.content  # noqa: B018  (read now, as botocore does for whole bodies)
        return response

    _installed.append((session_cls, "send", session_cls.__dict__["send"]))
    session_cls.send = send


# Set for the block where unset: signing needs credentials, a client needs a region, and
# the credential chain must not wait for the EC2 metadata service.
_AWS_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "fake-access-key",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_env_set: list[str] = []


def _aws_environment() -> None:
    env = os.environ
    wanted = {"AWS_EC2_METADATA_DISABLED": _AWS_DEFAULTS["AWS_EC2_METADATA_DISABLED"]}
    if not (env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE")):
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            wanted[name] = _AWS_DEFAULTS[name]
    if not (env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION")):
        wanted["AWS_DEFAULT_REGION"] = _AWS_DEFAULTS["AWS_DEFAULT_REGION"]
    for name, value in wanted.items():
        if name not in env:
            env[name] = value
            _env_set.append(name)


def _restore_environment() -> None:
    while _env_set:
        os.environ.pop(_env_set.pop(), None)


def _install_genai_httpx() -> None:
    """google-genai sends async calls through aiohttp when it is installed; while a fake is
    active its clients take their httpx path instead, which the fake answers."""
    try:
        if importlib.util.find_spec("google.genai") is None:
            return
        api_client = importlib.import_module("google.genai._api_client")
    except ImportError:
        return
    cls = getattr(api_client, "BaseApiClient", None)
    original = getattr(cls, "__dict__", {}).get("_use_aiohttp")
    if original is None:  # releases without aiohttp support
        return

    def use_aiohttp(self: Any) -> bool:
        return False if _active else original(self)

    _installed.append((cls, "_use_aiohttp", original))
    cls._use_aiohttp = use_aiohttp  # type: ignore[union-attr]


@contextmanager
def intercept(fake: FakeLLM) -> Iterator[FakeLLM]:
    """Route provider SDK traffic to ``fake`` inside the block; nestable."""
    with _lock:
        if not _installed:
            for name in ("httpx2", "httpx"):
                if name in sys.modules or importlib.util.find_spec(name) is not None:
                    _install(importlib.import_module(name))
            if "requests" in sys.modules or importlib.util.find_spec("requests") is not None:
                _install_requests(importlib.import_module("requests"))
            if "botocore" in sys.modules or importlib.util.find_spec("botocore") is not None:
                for name in ("botocore.httpsession", "botocore.awsrequest"):
                    importlib.import_module(name)
                _install_botocore(importlib.import_module("botocore"))
                _aws_environment()
            _install_genai_httpx()
            _install_litellm()
        _active.append(fake)
    try:
        yield fake
    finally:
        with _lock:
            _active.remove(fake)
            if not _active:
                while _installed:
                    cls, name, original = _installed.pop()
                    setattr(cls, name, original)
                _restore_environment()
                _restore_env()
