"""Lock files that die with their owner.

A lock is an advisory lock (``flock``) held on a small file beside what it
protects, with the owner's process id written inside for messages. The
operating system releases it when the owner's process ends in any way, a
``SIGKILL`` included, so a lock is never stale: a lock file that can be locked
belongs to nobody alive, and whatever it protected is a leftover.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

RETRIES = 3
"""Attempts to take a lock that another process may be releasing right now."""


class LockHeld(Exception):
    """The lock is held by a live process; ``owner`` is its process id when known."""

    def __init__(self, path: Path, owner: int | None) -> None:
        self.path, self.owner = path, owner
        super().__init__(f"{path} is locked by process {owner}")


class FileLock:
    """An exclusive lock on ``path`` (created if missing), taken without waiting.

    Use as a context manager, or call :meth:`acquire` and :meth:`release`.
    ``release(remove=True)`` deletes the lock file too (while still holding it).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> FileLock:
        """Take the lock or raise :class:`LockHeld` (after a few quick retries)."""
        for attempt in range(RETRIES):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            if _try_lock(fd) and _same_file(fd, self.path):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._fd = fd
                return self
            os.close(fd)  # held by another, or removed by its owner as we opened it
            if attempt < RETRIES - 1:
                time.sleep(0.05)
        raise LockHeld(self.path, read_owner(self.path))

    def release(self, remove: bool = False) -> None:
        """Let go of the lock; with ``remove``, delete its file first."""
        if self._fd is None:
            return
        if remove:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)  # closing the descriptor releases the lock
        self._fd = None

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.release(remove=True)


def read_owner(path: Path) -> int | None:
    """The process id written in a lock file, if any."""
    try:
        return int(path.read_text(encoding="ascii").strip() or "x")
    except (OSError, ValueError):
        return None


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file locked through ``fd`` (not removed meanwhile)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False
