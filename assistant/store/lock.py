"""The write lock every writer of one database takes first: a thread lock plus an flock beside the file."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux: the thread lock and the busy timeout remain
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("onething.store")


class StoreLockError(RuntimeError):
    """The cross-process write lock failed: writing without it could interleave with another process."""


class WriteLock:
    """A thread lock plus, for a database file, an flock on a file beside it, which every process of
    ours that writes to that database takes first. Blocking in flock releases the GIL."""

    def __init__(self, path: Path | None):
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        if path is not None and fcntl is not None:
            try:
                self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                weakref.finalize(self, os.close, self._fd)
            except OSError as exc:  # a read-only folder: the thread lock and SQLite's busy timeout remain
                log.warning(
                    "no write-lock file %s (%s): writers of other processes are not queued", path, exc
                )
                self._fd = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except OSError as exc:
                self._thread_lock.release()
                log.error("could not take the database write lock: %s", exc)
                raise StoreLockError(f"无法获取数据库写锁：{exc}") from exc

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        except OSError as exc:
            log.error("could not release the database write lock: %s", exc)
            raise StoreLockError(f"无法释放数据库写锁：{exc}") from exc
        finally:
            self._thread_lock.release()


class TurnLocks:
    """One turn at a time per session, across threads and processes: a thread lock per stripe, plus a POSIX
    byte-range lock on that stripe's byte of a file beside the database (striped by the session id's hash,
    so unrelated sessions rarely wait for each other). PostgreSQL uses advisory locks instead (store)."""

    STRIPES = 1024

    def __init__(self, path: Path | None):
        self._locks = [threading.Lock() for _ in range(self.STRIPES)]
        self._fd: int | None = None
        if path is not None and fcntl is not None:
            try:
                self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                weakref.finalize(self, os.close, self._fd)
            except OSError as exc:
                log.warning("no turn-lock file %s (%s): turns are serialised per process only", path, exc)

    def stripe(self, session_id: str) -> int:
        return int.from_bytes(hashlib.blake2b(session_id.encode(), digest_size=4).digest()) % self.STRIPES

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        n = self.stripe(session_id)
        with self._locks[n]:
            if self._fd is None:
                yield
                return
            fcntl.lockf(self._fd, fcntl.LOCK_EX, 1, n)
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, n)
