"""One exclusive lock per file, across processes and threads, for the small files several
writers share (the waiver log, the users file): two browser sessions, or the dashboard and a
command, must not interleave their writes."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS: threads are still serialised
    fcntl = None

_thread_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Given a file path, holds an exclusive lock on its sidecar `<name>.lock` (created beside
    it) while the block runs. The sidecar, not the file, is locked so the file itself can be
    replaced atomically (os.replace) while locked."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with _guard:
        tlock = _thread_locks.setdefault(str(lock_path.resolve()), threading.Lock())
    with tlock:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
