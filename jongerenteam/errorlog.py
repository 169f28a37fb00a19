"""The local error log: what failed and where in the code, never what it was about.

When something fails the worker reads one Dutch sentence on screen. For
whoever has to find the cause later, the same failure is appended here:
the time, what the app was doing (a fixed code such as ``vandaag-laden``),
the exception's type and the code locations of its traceback. Never the
exception's message, arguments or local variables: those can hold a name
or a note (``KeyError('Kim')``). The file is part of the canary tests.

The log lives in the user's log folder (platformdirs), is created ``0600``
and is cut to its newest half when it grows past ``MAX_BYTES``.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_ENV = "JONGERENTEAM_ERROR_LOG"  # tests point it into their own folder
FILE_NAME = "fouten.log"
MAX_BYTES = 256 * 1024


def log_path() -> Path:
    explicit = os.environ.get(LOG_ENV)
    if explicit:
        return Path(explicit)
    from platformdirs import user_log_path

    return user_log_path("jongerenteam", appauthor=False) / FILE_NAME


def describe(exc: BaseException, what: str) -> str:
    """One log record: time, what, the exception types of the chain and their code locations."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [f"{now} {what} {type(exc).__module__}.{type(exc).__qualname__}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current is not exc:
            lines.append(f"  veroorzaakt door {type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"    {_short(frame.filename)}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines) + "\n"


def _short(filename: str) -> str:
    """A file name without the user's home folder (which can carry their name)."""
    parts = Path(filename).parts
    for anchor in ("site-packages", "jongerenteam", "screens", "storage"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor):])
    return Path(filename).name


def record(exc: BaseException, what: str) -> None:
    """Append ``exc`` to the error log (once per exception); a log that cannot be written is no reason to fail."""
    if getattr(exc, "_jongerenteam_logged", False):
        return
    with contextlib.suppress(AttributeError):  # an exception type that takes no attributes is logged each time
        exc._jongerenteam_logged = True  # type: ignore[attr-defined]  # a mark on the exception itself, whatever its type
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = describe(exc, what)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(text)
        if path.stat().st_size > MAX_BYTES:
            _trim(path)
    except OSError:
        pass


def _trim(path: Path) -> None:
    data = path.read_bytes()
    keep = data[len(data) // 2:]
    start = keep.find(b"\n20")  # the start of a whole record
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(keep[start + 1:] if start >= 0 else b"")
    os.replace(tmp, path)
