"""The service's single-instance lock: an OS file lock that dies with its process.

The lock is held on `service.lock` for the life of the process (`fcntl.flock` on POSIX,
`msvcrt.locking` on Windows); the holder writes its pid into the file so that a second
instance can say which process holds it. A process killed with SIGKILL loses the lock
at once, so there is never a stale lock to clean up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from runtime._procs import pid_alive

__all__ = ["AlreadyRunning", "InstanceLock"]

_LOCK_OFFSET = 1 << 20  # Windows locks a byte range: lock one far from the pid text


class AlreadyRunning(RuntimeError):
    """Another process holds the lock; `pid` is its process id when known."""

    def __init__(self, path: Path, pid: int | None):
        self.path = path
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"the Loomwork service is already running ({who}; lock {path})")


class InstanceLock:
    """`acquire()` or raise `AlreadyRunning`; `release()` (also on process exit)."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def holder(self) -> int | None:
        """The pid written by the current (or last) holder, if any."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise AlreadyRunning(self.path, self.holder()) from None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def running_pid(self) -> int | None:
        """The holder's pid when that process is alive (a probe that never takes the lock,
        so it cannot get in the way of a service that is starting)."""
        pid = self.holder()
        if pid is None or (pid == os.getpid() and self._fd is None):
            return None
        return pid if pid_alive(pid) else None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
