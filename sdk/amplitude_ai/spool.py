"""The local spool: events still undelivered when ``shutdown()``'s deadline passed.

Each ``shutdown()`` that leaves events behind writes one new file (JSON lines, mode 0600,
written to a temporary name, fsynced, then renamed into place, so a reader never sees half a
file). The next ``AmplitudeAI`` started with the same API key claims the files by renaming
them (only one process can win a rename), sends their events again and deletes them. Files
are named after a hash of the API key, so events never travel to another project.

The total size per API key is capped (``AIConfig.spool_max_bytes``); events that do not fit
are not written and are reported as dropped. Re-sent events keep their ``insert_id``, which
Amplitude deduplicates, so an event both in flight at the deadline and spooled is stored once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._logging import log_once

logger = logging.getLogger("amplitude_ai")

_SUFFIX = ".jsonl"


def default_directory() -> Path:
    """``$XDG_CACHE_HOME/amplitude-ai/spool`` (``~/.cache/...``; ``%LOCALAPPDATA%`` on Windows)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "amplitude-ai" / "spool"


class Spool:
    """The spool files of one API key in ``directory``."""

    def __init__(self, directory: Path, api_key: str, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._prefix = "events-" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:16]

    def _files(self) -> list[Path]:
        try:
            return sorted(self.directory.glob(f"{self._prefix}-*{_SUFFIX}"))
        except OSError:
            return []

    def write(self, records: Iterable[dict[str, Any]]) -> int:
        """Spool as many ``records`` (in order) as fit under the cap; returns how many."""
        lines: list[bytes] = []
        used = sum(_size(p) for p in self._files())
        for record in records:
            line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
            if used + len(line) > self.max_bytes:
                break
            lines.append(line)
            used += len(line)
        if not lines:
            return 0
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".spool-", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as fh:  # mkstemp: mode 0600
                    fh.writelines(lines)
                    fh.flush()
                    os.fsync(fh.fileno())
                name = f"{self._prefix}-{os.getpid()}-{uuid.uuid4().hex[:12]}{_SUFFIX}"
                os.replace(tmp, self.directory / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            log_once(
                "spool-write",
                logging.ERROR,
                "amplitude_ai: could not write the event spool in %s; undelivered events were "
                "dropped (set AIConfig(spool_dir=...) to a writable directory)",
                self.directory,
                exc_info=True,
            )
            return 0
        return len(lines)

    def claim(self) -> list[dict[str, Any]]:
        """Take every spooled event of this API key (the files are removed)."""
        records: list[dict[str, Any]] = []
        for path in self._files():
            claimed = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.claimed")
            try:
                os.rename(path, claimed)
            except OSError:
                continue  # another process took it first
            try:
                with open(claimed, "rb") as fh:
                    for line in fh:
                        record = _parse(line)
                        if record is not None:
                            records.append(record)
            except OSError:
                log_once("spool-read", logging.WARNING, "amplitude_ai: unreadable spool file")
            finally:
                claimed.unlink(missing_ok=True)
        return records


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("event_properties"), dict):
        return None
    if not all(isinstance(record.get(k), str) for k in ("event_type", "insert_id")):
        return None
    if not isinstance(record.get("time"), int):
        return None
    return record
