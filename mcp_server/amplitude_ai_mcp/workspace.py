"""Roots, path confinement, safe reading and secret masking.

Every path a tool touches goes through here. Paths are resolved with ``realpath`` (so
symlinks are judged by where they point) and checked with ``commonpath`` against the allowed
roots; ``/`` and the home directory are never roots; only regular files are ever opened, so a
FIFO or device cannot block the server.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import UserError

ENV_ROOTS = "AMPLITUDE_AI_MCP_ROOTS"
MAX_FILE_BYTES = 1_000_000
_BINARY_SNIFF = 8192


class WorkspaceError(UserError):
    """A user-fixable problem with a path; the message says what to do."""


@dataclass(frozen=True)
class Roots:
    """The directories the server may read. The first one is the default project root."""

    allowed: tuple[Path, ...]

    @classmethod
    def from_sources(
        cls, cli_roots: list[str] | None, env: dict[str, str] | None = None, cwd: str | None = None
    ) -> Roots:
        """``--root`` flags, else ``AMPLITUDE_AI_MCP_ROOTS`` (os.pathsep-separated), else cwd."""
        env = os.environ if env is None else env
        raw = list(cli_roots or [])
        if not raw and env.get(ENV_ROOTS):
            raw = [p for p in env[ENV_ROOTS].split(os.pathsep) if p.strip()]
        if not raw:
            raw = [cwd or os.getcwd()]
        return cls(tuple(check_root(p) for p in raw))

    @property
    def default(self) -> Path:
        return self.allowed[0]

    def project_root(self, root: str | None) -> Path:
        """The root a tool works in: the explicit ``root`` (inside an allowed root) or the
        default."""
        if root is None or not root.strip():
            return self.default
        # Confinement is judged before existence, so a refusal never tells whether
        # something exists outside the allowed roots.
        candidate = _absolute(root, self.default)
        if not any(is_within(_resolve_lax(candidate), allowed) for allowed in self.allowed):
            raise WorkspaceError(
                f"root {root!r} is outside the allowed roots ({self._listing()}); pass a "
                "directory inside one of them, or restart the server with --root for it"
            )
        return check_root(root, base=self.default)

    def file(self, path: str, root: Path | None = None) -> Path:
        """A regular file inside ``root`` (default: the default root), resolved."""
        base = root or self.default
        if not path or not path.strip():
            raise WorkspaceError("path is empty; pass a file path relative to the project root")
        candidate = _absolute(path, base)
        # Judged before existence (and without showing where it points), so a refusal
        # tells nothing about what exists outside the root.
        if not is_within(_resolve_lax(candidate), base):
            raise WorkspaceError(
                f"{path!r} is outside the project root {base}; only files inside the root can "
                "be read (symlinks are followed before this check)"
            )
        resolved = _realpath(candidate, path)
        if not is_within(resolved, base):  # pragma: no cover - a symlink swapped meanwhile
            raise WorkspaceError(f"{path!r} is outside the project root {base}")
        try:
            st = os.stat(resolved)
        except FileNotFoundError:
            raise WorkspaceError(
                f"{path!r} does not exist under {base}; check the path (relative paths are "
                "relative to the project root)"
            ) from None
        if stat.S_ISDIR(st.st_mode):
            raise WorkspaceError(f"{path!r} is a directory; pass a .py file (or use scan_project)")
        if not stat.S_ISREG(st.st_mode):
            raise WorkspaceError(
                f"{path!r} is not a regular file (FIFO, socket or device); it was not opened"
            )
        return resolved

    def _listing(self) -> str:
        return ", ".join(str(p) for p in self.allowed)


def _strip_uri(value: str) -> str:
    if value.startswith("file:"):
        parsed = urlparse(value)
        if parsed.netloc not in ("", "localhost"):
            raise WorkspaceError(f"{value!r} names a remote host; only local file:// URIs work")
        return unquote(parsed.path)
    if "://" in value:
        raise WorkspaceError(f"{value!r} is not a local path or file:// URI")
    return value


def _absolute(value: str, base: Path) -> Path:
    candidate = Path(_strip_uri(value)).expanduser()
    return candidate if candidate.is_absolute() else base / candidate


def _resolve_lax(candidate: Path) -> Path:
    """Where ``candidate`` points, following the symlinks that exist (never raises)."""
    try:
        return Path(os.path.realpath(candidate))
    except (OSError, ValueError):
        return candidate


def _realpath(candidate: Path, shown: str) -> Path:
    try:
        return Path(os.path.realpath(candidate, strict=True))
    except FileNotFoundError:
        raise WorkspaceError(
            f"{shown!r} does not exist; check the path (relative paths are relative to the "
            "project root)"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WorkspaceError(f"{shown!r} is a symlink loop; it cannot be resolved") from None
        raise WorkspaceError(f"{shown!r} cannot be resolved: {exc.strerror}") from None


def check_root(value: str, base: Path | None = None) -> Path:
    """A usable project root: an existing directory that is neither ``/`` nor the home dir."""
    candidate = Path(_strip_uri(value)).expanduser()
    if not candidate.is_absolute():
        candidate = (base or Path.cwd()) / candidate
    resolved = _realpath(candidate, value)
    if not resolved.is_dir():
        raise WorkspaceError(f"root {value!r} is not a directory; pass the project directory")
    forbidden = {Path(os.path.realpath("/")), Path(os.path.realpath(Path.home()))}
    if resolved in forbidden or resolved.parent == resolved:
        raise WorkspaceError(
            f"root {value!r} ({resolved}) is the filesystem root or your home directory, which "
            "is never accepted; pass the project directory itself"
        )
    return resolved


def is_within(path: Path, root: Path) -> bool:
    try:
        return os.path.commonpath([path, root]) == str(root)
    except ValueError:  # different drives
        return False


def relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class TextFile:
    text: str
    size: int


def read_python(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> TextFile:
    """Read a source file's text, refusing huge, binary and undecodable files."""
    name = os.path.basename(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise WorkspaceError(f"{name} is not a regular file; it was not read")
        if st.st_size > max_bytes:
            raise WorkspaceError(
                f"{name} is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit per file"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    finally:
        os.close(fd)
    return TextFile(decode_source(data, name), len(data))


def decode_source(data: bytes, name: str) -> str:
    """Decode Python source bytes honouring a BOM / PEP 263 coding cookie."""
    if b"\0" in data[:_BINARY_SNIFF]:
        raise WorkspaceError(f"{name} looks binary (NUL bytes); it is not Python source")
    if b"coding" not in data[:400]:  # fast path: no PEP 263 cookie, so UTF-8 (PEP 3120)
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise WorkspaceError(
                f"{name} is not valid UTF-8 and declares no other encoding; save it as UTF-8 "
                "or add a `# -*- coding: <encoding> -*-` line"
            ) from None
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
    except SyntaxError:
        raise WorkspaceError(
            f"{name} is not valid UTF-8 and declares no other encoding; save it as UTF-8 or "
            "add a `# -*- coding: <encoding> -*-` line"
        ) from None
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise WorkspaceError(
            f"{name} is not valid {encoding} text ({exc.__class__.__name__}); save it as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


_SECRET_PATTERNS = (
    re.compile(r"\b(sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,})"),
    re.compile(r"\b(AKIA[0-9A-Z]{16})\b"),
    re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,})\b"),
    re.compile(r"\b(xox[abprs]-[A-Za-z0-9\-]{10,})\b"),
    re.compile(r"\b(AIza[0-9A-Za-z_\-]{30,})\b"),
    re.compile(
        r"(?i)((?:api[_-]?key|secret|token|password|passwd|authorization)\w*\s*[=:]\s*"
        r"[\"'])([^\"']{6,})([\"'])"
    ),
)


def mask_secrets(text: str) -> str:
    """Replace API keys, tokens and passwords in a snippet with ``***``."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}***{m.group(3)}", text)
        else:
            text = pattern.sub(
                lambda m: m.group(0).replace(m.group(1), m.group(1)[:4] + "***"), text
            )
    return text
