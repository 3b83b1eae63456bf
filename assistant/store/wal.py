"""Switching a new SQLite file to WAL when several processes open it at once.

Two server workers starting on a fresh database both run PRAGMA journal_mode=WAL; the switch needs the file
to itself, and SQLite answers "database is locked" at once instead of waiting (the busy timeout does not
cover it), which killed a worker at start (seen in CI). Once one process has switched, the mode is stored in
the file and the pragma is a no-op for the others. A short retry loop; no library call does this."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

_ATTEMPTS = 40


def enable_wal(conn: Any) -> None:
    """PRAGMA journal_mode=WAL on a DB-API connection or cursor, retried while another process holds the
    file (about 4 s in all)."""
    for attempt in range(_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(min(0.2, 0.01 * (attempt + 1)))
