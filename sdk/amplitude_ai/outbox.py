"""Every event from hand-off to outcome: retried through outages, reported when lost.

amplitude-analytics buffers, batches and retries, but (1.x) gives up on an event after 12
quick retries (~13 s), loses a batch silently when the connection closes without a response
or the key is invalid, and its ``shutdown()`` makes one attempt and then leaves retries to a
worker pool it has just shut down. The :class:`Outbox` closes those gaps:

* **Ledger.** Each event handed to ``Amplitude.track`` carries a callback; it stays *pending*
  until the library reports an outcome. 2xx: delivered. A permanent rejection (4xx other
  than 408/429, a single event too large, a user or device over its daily quota): counted
  as *rejected* and reported through ``on_event_callback``. A retryable failure after the
  library's last retry (connection error, timeout, 429, 5xx): *held*, not reported.
* **Retry.** Held events are handed over again (fresh retry budget) on the next delivered
  event, on ``flush()`` and during ``shutdown()``. ``flush(timeout)`` and
  ``shutdown(timeout)`` keep sending until nothing is pending or the deadline passes.
* **Deadline.** What ``shutdown()`` could not deliver is written to the local spool (see
  :mod:`.spool`; resent by the next start with the same API key) and every such event is
  reported through ``on_event_callback`` with code ``0`` and a message saying whether it
  was spooled or dropped. ``status()["delivery_stats"]`` counts all of it.
* **Prompt exit.** For a client the SDK created, ``shutdown()`` stops the library's
  consumer thread instead of letting it sleep out its flush interval (10 s) and keeps
  failed in-flight batches out of a shut-down pool.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable
from typing import Any

from ._logging import log_once
from .delivery import build_event
from .spool import Spool

logger = logging.getLogger("amplitude_ai")

Record = dict[str, Any]

UNDELIVERED = 0  # the code on_event_callback receives for events still undelivered at shutdown
MAX_LEDGER = 20_000  # events kept for retry/spool; the library's own buffer cap
EXIT_TIMEOUT = 2.0  # seconds the exit hook spends on a client nobody shut down
_QUOTA_MESSAGE = "Exceeded daily quota"


def retryable(code: int, message: str | None) -> bool:
    """A failure the same request could get past later (vs. a permanent rejection)."""
    if code == 429:
        return message != _QUOTA_MESSAGE
    return code in (-1, 0, 408) or code >= 500


class Outbox:
    """Delivery ledger of one ``AmplitudeAI`` over its ``amplitude.Amplitude`` client."""

    def __init__(
        self,
        amplitude: Any,
        *,
        owned: bool,
        on_outcome: Callable[[Any, int, str | None], None],
        spool: Spool | None,
    ) -> None:
        self._amplitude = amplitude
        self._owned = owned
        self._report = on_outcome  # the user's on_event_callback, guarded by the client
        self._spool = spool
        self._cond = threading.Condition()
        self._pending: dict[str, Record] = {}
        self._held: dict[str, Record] = {}
        self._closed = False
        self.stats: Counter[str] = Counter()
        self._callback = _EventCallback(self._on_outcome)
        if owned:
            _harden(amplitude)
            _register_exit(self)
        if spool is not None:
            self._resend(spool.claim())

    @property
    def spool_dir(self) -> Any:
        return self._spool.directory if self._spool is not None else None

    # ------------------------------------------------------------------ hand-off
    def send(self, record: Record) -> None:
        """Hand ``record`` to the Amplitude client and track it until it has an outcome."""
        if self._closed:
            self._count("dropped")
            self._report_record(record, "tracked after shutdown(); not sent")
            return
        with self._cond:
            self.stats["tracked"] += 1
            if len(self._pending) + len(self._held) < MAX_LEDGER:
                self._pending[record["insert_id"]] = record
            else:
                self.stats["untracked"] += 1  # the library still sends it; not spoolable
        try:
            self._amplitude.track(build_event(record, self._callback))
        except BaseException:
            with self._cond:
                self._pending.pop(record["insert_id"], None)  # never handed over
            raise

    def _resend(self, records: list[Record]) -> None:
        for record in records:
            self._count("resent_from_spool")
            self.send(record)

    def _retry_held(self) -> None:
        with self._cond:
            held = list(self._held.values())
            self._held.clear()
            for record in held:
                self._pending[record["insert_id"]] = record
        self._count("retried", len(held))
        for record in held:
            self._amplitude.track(build_event(record, self._callback))

    def _on_outcome(self, event: Any, code: int, message: str | None = None) -> None:
        insert_id = getattr(event, "insert_id", None)
        with self._cond:
            record = self._pending.pop(insert_id, None) if insert_id else None
            ours = record is not None
            if ours and 200 <= code < 300:
                self.stats["delivered"] += 1
            elif record is not None and retryable(code, message) and not self._closed:
                self._held[insert_id] = record  # type: ignore[index]
                self.stats["held"] += 1
            elif ours:
                self.stats["rejected"] += 1
            self._cond.notify_all()
        if ours and 200 <= code < 300 and self._held:
            self._retry_held()  # the endpoint answers again: resend what was held
        if not ours or 200 <= code < 300 or not retryable(code, message) or self._closed:
            self._report(event, code, message)

    # ------------------------------------------------------------------ flush / shutdown
    def unsettled(self) -> int:
        with self._cond:
            return len(self._pending) + len(self._held)

    def flush(self, timeout: float) -> list[concurrent.futures.Future[Any]]:
        """Send everything now and keep retrying until every event has an outcome or
        ``timeout`` seconds passed; returns the library's futures (all done or timed out)."""
        deadline = time.monotonic() + max(0.0, timeout)
        futures: list[concurrent.futures.Future[Any]] = []
        pause = 0.05
        while True:
            if not self._client_open():
                break  # shut down behind our back (the library's own shutdown): cannot send
            self._retry_held()
            found = [f for f in self._amplitude.flush() or [] if f is not None]
            futures.extend(found)
            real = [f for f in found if isinstance(f, concurrent.futures.Future)]
            if real:
                concurrent.futures.wait(real, timeout=max(0.0, deadline - time.monotonic()))
            with self._cond:
                if not self._pending and not self._held:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                # Woken by any outcome; otherwise back off so an outage is not hammered.
                self._cond.wait(min(pause, remaining))
            pause = min(pause * 2, 1.0)
        return futures

    def _client_open(self) -> bool:
        configuration = getattr(self._amplitude, "configuration", None)
        return getattr(configuration, "opt_out", False) is not True

    def shutdown(self, timeout: float) -> None:
        """``flush(timeout)``, then spool and report what is left; stop an owned client."""
        if self._closed:
            return
        self.flush(timeout)
        with self._cond:
            # A shared client stays the application's: later events are still sent.
            self._closed = self._owned
            leftover = [*self._pending.values(), *self._held.values()]
            self._pending.clear()
            self._held.clear()
        if self._owned:
            _stop(self._amplitude)
        if not leftover:
            return
        spooled = self._spool.write(leftover) if self._spool is not None else 0
        self._count("spooled", spooled)
        self._count("dropped", len(leftover) - spooled)
        where = self._spool.directory if self._spool is not None else None
        log_once(
            "undelivered",
            logging.WARNING,
            "amplitude_ai: %d events were not delivered before the shutdown deadline; %d "
            "spooled%s for the next start, %d dropped",
            len(leftover),
            spooled,
            f" to {where}" if where else "",
            len(leftover) - spooled,
        )
        for index, record in enumerate(leftover):
            self._report_record(
                record,
                f"not delivered before the shutdown deadline; spooled to {where} and resent "
                "on the next start"
                if index < spooled
                else "not delivered before the shutdown deadline; dropped (spool disabled, "
                "full or not writable)",
            )

    def _count(self, key: str, amount: int = 1) -> None:
        with self._cond:
            self.stats[key] += amount

    def _report_record(self, record: Record, message: str) -> None:
        try:
            event = build_event(record, None)
        except Exception:  # pragma: no cover - the record was built by this SDK
            return
        self._report(event, UNDELIVERED, message)

    def _exit(self) -> None:
        if not self._closed:
            self.shutdown(EXIT_TIMEOUT)


class _EventCallback:
    """The per-event callback handed to amplitude-analytics.

    The library deep-copies every event before buffering it; a bound method would drag the
    whole client (locks included) into that copy, which fails and drops the event. The
    copies share this wrapper instead.
    """

    __slots__ = ("_target",)

    def __init__(self, target: Callable[[Any, int, str | None], None]) -> None:
        self._target = target

    def __call__(self, event: Any, code: int, message: str | None = None) -> None:
        self._target(event, code, message)

    def __deepcopy__(self, memo: dict[int, Any]) -> _EventCallback:
        return self


# ---------------------------------------------------------------------- library internals
# amplitude-analytics 1.x (pinned <2): its destination plugin holds `storage` and `workers`.


def _destination(amplitude: Any) -> Any:
    from amplitude.constants import PluginType

    timeline = getattr(amplitude, "_Amplitude__timeline", None)
    for plugin in (getattr(timeline, "plugins", None) or {}).get(PluginType.DESTINATION, []):
        if hasattr(plugin, "workers") and hasattr(plugin, "storage"):
            return plugin
    return None


_CLOSED = "_amplitude_ai_closed"


def _harden(amplitude: Any) -> None:
    """Turn the library's silent batch losses into a retry or a reported rejection."""
    plugin = _destination(amplitude)
    workers = getattr(plugin, "workers", None)
    processor = getattr(workers, "response_processor", None)
    if workers is None or processor is None:
        log_once("harden", logging.DEBUG, "amplitude_ai: unexpected amplitude-analytics layout")
        return
    from amplitude.exception import InvalidAPIKeyError
    from amplitude.http_client import HttpStatus, Response

    send = workers.send
    process = processor.process_response

    def guarded_send(events: list[Any]) -> None:
        if getattr(workers, _CLOSED, False):
            return  # queued before shutdown(); the events are in the ledger's leftovers
        try:
            send(events)
        except Exception as exc:  # connection closed without a response, a body without code
            failed = Response(HttpStatus.FAILED)
            failed.body = {"error": f"{type(exc).__name__}: {exc}"}
            processor.push_to_storage(events, 0, failed)

    def reporting_process(res: Any, events: list[Any]) -> None:
        try:
            process(res, events)
        except InvalidAPIKeyError:
            processor.callback(events, res.code, res.error)  # otherwise lost without a word
            raise

    workers.send = guarded_send
    processor.process_response = reporting_process
    # The library's worker pool uses non-daemon threads that the interpreter joins at exit:
    # a request hanging at shutdown would hold the exit for the client's 10 s HTTP timeout
    # although its events are already spooled. The same pool with daemon threads does not.
    original = workers.threads_pool
    workers.threads_pool = _DaemonPool(getattr(original, "_max_workers", 16))
    original.shutdown(wait=False)


def _stop(amplitude: Any) -> None:
    """Close an owned client at once: no new events, no sleeping consumer, no late submit."""
    amplitude.configuration.opt_out = True  # the library's own shutdown flag for track()
    plugin = _destination(amplitude)
    workers = getattr(plugin, "workers", None)
    storage = getattr(plugin, "storage", None)
    if workers is None or storage is None:
        amplitude.shutdown()
        return
    with workers.consumer_lock:
        workers.is_active = False
        workers.is_started = True  # a late retry push must not start a new consumer
    workers.flush = lambda: None  # the library's exit hook flushes again: nothing to send
    # A batch still in flight can push its events back after this; the consumer may then
    # submit them. They are in the ledger's leftovers already, so the closed pool drops
    # them instead of raising "cannot schedule new futures after shutdown".
    pool = workers.threads_pool
    workers.threads_pool = _ClosedPool(pool)
    setattr(workers, _CLOSED, True)  # batches still queued in the pool finish as no-ops
    with storage.lock:
        storage.pull_all()  # already in the ledger's leftovers
        storage.lock.notify_all()  # the consumer wakes, finds nothing and ends
    pool.shutdown(wait=False)


class _DaemonPool(concurrent.futures.Executor):
    """A thread pool like ``ThreadPoolExecutor`` (threads start on demand, up to
    ``workers``, and are reused) whose threads are daemons."""

    def __init__(self, workers: int) -> None:
        self._max = max(1, workers)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = threading.Semaphore(0)
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            self._queue.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._max:
                thread = threading.Thread(
                    target=self._work, name=f"amplitude-ai-delivery-{len(self._threads)}"
                )
                thread.daemon = True
                thread.start()
                self._threads.append(thread)
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)
            del item, future, fn, args, kwargs
            self._idle.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join()


class _ClosedPool:
    """Stands in for the library's worker pool after shutdown: accepts and drops work."""

    def __init__(self, pool: concurrent.futures.Executor) -> None:
        self._pool = pool

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_result(None)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        # Never wait: what is still in flight is spooled already (the library's own exit
        # hook calls this with wait=True).
        self._pool.shutdown(wait=False, cancel_futures=cancel_futures)


def _register_exit(outbox: Outbox) -> None:
    """Shut ``outbox`` down (briefly) at interpreter exit if nobody did. Registered right
    after the library registered its client's own exit hook, so it runs first (these hooks
    run in reverse order, before threads are joined)."""
    ref = weakref.ref(outbox)

    def at_exit() -> None:
        target = ref()
        if target is None:
            return
        try:
            target._exit()
        except Exception:  # pragma: no cover - never block the exit
            logger.debug("amplitude_ai: exit flush failed", exc_info=True)

    register = getattr(threading, "_register_atexit", None)
    try:
        if register is not None:
            register(at_exit)
        else:  # pragma: no cover - interpreters without the hook (the library uses atexit)
            import atexit

            atexit.register(at_exit)
    except RuntimeError:  # pragma: no cover - the interpreter is already shutting down
        pass
