"""Rate limits and login lockouts through the `limits` library: moving windows per client, per session and
per staff login. Storage: in process (`memory://`) for one worker; a SQLite file shared by all workers of a
machine (`onething-sqlite:///path`, registered here) when several run; Redis (limits' own storage, the
same moving windows) when several machines share one (`ONETHING_REDIS_URL`) or it is configured explicitly.

The SQLite storage is hand-written because `limits` ships none for files, and pyrate-limiter's SQLite
bucket counts a whole table per bucket (one table per client would be needed)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from limits import RateLimitItemPerMinute, parse
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assistant.store.wal import enable_wal


class SQLiteStorage(Storage, MovingWindowSupport):
    """Moving-window entries in one SQLite file: each hit is a row (key, time); a check counts the key's rows
    within the window inside one IMMEDIATE transaction, so concurrent processes never both take the last
    slot."""

    STORAGE_SCHEME = ["onething-sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: object) -> None:
        self.path = uri.split("://", 1)[1] or ":memory:"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # client addresses are kept here for a minute: readable by the service's own user only
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        self._local = threading.local()
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER, expires REAL)"
            )
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            enable_wal(db)
            db.execute("PRAGMA synchronous=OFF")  # counters: losing the last second on a crash is harmless
            self._local.db = db
        return db

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    # -- moving window (what we use) --------------------------------------------------------------------
    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at once: no other process counts in between."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._immediate() as db:
            db.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - expiry))
            (count,) = db.execute("SELECT COUNT(*) FROM hits WHERE key = ?", (key,)).fetchone()
            if count + amount > limit:
                return False
            db.executemany("INSERT INTO hits (key, at) VALUES (?, ?)", [(key, now)] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        oldest, count = (
            self._db()
            .execute("SELECT MIN(at), COUNT(*) FROM hits WHERE key = ? AND at > ?", (key, now - expiry))
            .fetchone()
        )
        return (oldest or now), count

    # -- fixed window (the Storage interface) -----------------------------------------------------------
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._immediate() as db:
            row = db.execute("SELECT value, expires FROM counters WHERE key = ?", (key,)).fetchone()
            value = amount if row is None or row[1] <= now else row[0] + amount
            expires = now + expiry if row is None or row[1] <= now else row[1]
            db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?, ?)", (key, value, expires))
            return value

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT value, expires FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row and row[1] > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        db = self._db()
        (n,) = db.execute("SELECT COUNT(*) FROM hits").fetchone()
        db.execute("DELETE FROM hits")
        db.execute("DELETE FROM counters")
        return n

    def clear(self, key: str) -> None:
        db = self._db()
        db.execute("DELETE FROM hits WHERE key = ?", (key,))
        db.execute("DELETE FROM counters WHERE key = ?", (key,))


def _storage(uri: str) -> Storage:
    """The `limits` storage for `uri`; a Redis one with short timeouts (an unreachable Redis fails a request
    within seconds instead of holding it for the operating system's connect timeout)."""
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return storage_from_string(uri, socket_timeout=2.0, socket_connect_timeout=2.0)
    return storage_from_string(uri)


class RateLimiter:
    """`per_minute` hits per key in any 60-second window, counted in `storage_uri`."""

    def __init__(self, per_minute: int, storage_uri: str = "memory://", namespace: str = "rl") -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.namespace = namespace
        self.limiter = MovingWindowRateLimiter(_storage(storage_uri))

    def allow(self, key: str) -> bool:
        return self.limiter.hit(self.item, self.namespace, key)


class Lockout:
    """Failed logins per key (a user name, an address): `attempts` failures within `window` lock the key
    until the window has passed."""

    def __init__(self, storage_uri: str, attempts: int = 5, window: str = "15 minutes") -> None:
        self.item = parse(f"{attempts} per {window}")
        self.limiter = MovingWindowRateLimiter(_storage(storage_uri))

    def locked(self, *keys: str) -> bool:
        return any(not self.limiter.test(self.item, "login", k) for k in keys)

    def failed(self, *keys: str) -> None:
        for k in keys:
            self.limiter.hit(self.item, "login", k)

    def succeeded(self, *keys: str) -> None:
        for k in keys:
            self.limiter.clear(self.item, "login", k)
