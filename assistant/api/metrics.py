"""Prometheus metrics of the API (prometheus_client): requests by route and status, turns by answer mode and
search stage, latencies, feedback, the query-vector cache. With PROMETHEUS_MULTIPROC_DIR set (`onething serve
--workers N` sets it), every worker process writes its values to files there and /metrics reports the sum."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

if TYPE_CHECKING:
    from assistant.retrieval.query_cache import QueryVectorCache

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
disable_created_metrics()  # no *_created series: they are not summed across processes and add nothing here


@dataclass(frozen=True)
class _Families:
    requests: Counter
    request_seconds: Histogram
    turns: Counter
    turn_seconds: Histogram
    feedback: Counter
    cache_hits: Counter
    cache_misses: Counter
    cache_entries: Gauge


def _families(registry: CollectorRegistry | None) -> _Families:
    f = _Families(
        requests=Counter(
            "onething_requests",
            "HTTP responses by route template and status",
            ["path", "status"],
            registry=registry,
        ),
        request_seconds=Histogram(
            "onething_request_seconds",
            "Time until the response starts, by route template",
            ["path"],
            registry=registry,
        ),
        turns=Counter(
            "onething_turns",
            "Dialog turns by answer mode and search stage (lexical: no query embedding; none: no search)",
            ["mode", "stage"],
            registry=registry,
        ),
        turn_seconds=Histogram(
            "onething_turn_seconds", "Time to answer one turn, by answer mode", ["mode"], registry=registry
        ),
        feedback=Counter("onething_feedback", "Citizen ratings by stars", ["stars"], registry=registry),
        cache_hits=Counter(
            "onething_query_vector_cache_hits",
            "Query vectors found in a cache, by level (memory: the process's LRU; shared: disk or Redis)",
            ["level"],
            registry=registry,
        ),
        cache_misses=Counter(
            "onething_query_vector_cache_misses", "Query vectors that had to be computed", registry=registry
        ),
        cache_entries=Gauge(
            "onething_query_vector_cache_entries",
            "Query vectors held in the processes' in-memory caches",
            multiprocess_mode="livesum",
            registry=registry,
        ),
    )
    for level in ("memory", "shared"):  # present from the start, at 0
        f.cache_hits.labels(level)
    return f


@lru_cache(maxsize=1)
def _process_families() -> _Families:
    """In multiprocess mode one set per process: two objects for one series would overwrite each other's file."""
    return _families(None)


class Metrics:
    """The API's metrics: one registry per app, or the multiprocess files when PROMETHEUS_MULTIPROC_DIR is set."""

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.registry = CollectorRegistry()
        self.f = _process_families() if self.multiprocess else _families(self.registry)
        self.cache_source: Callable[[], QueryVectorCache | None] = lambda: None
        self._lock = threading.Lock()
        self._seen: tuple[object, int, int, int] = (None, 0, 0, 0)

    def request(self, path: str, status: int, seconds: float) -> None:
        self.f.requests.labels(path, str(status)).inc()
        self.f.request_seconds.labels(path).observe(seconds)
        self.sync_cache()

    def turn(self, mode: str, stage: str, seconds: float) -> None:
        self.f.turns.labels(mode, stage or "none").inc()
        self.f.turn_seconds.labels(mode).observe(seconds)

    def feedback(self, stars: int) -> None:
        self.f.feedback.labels(str(stars)).inc()

    def sync_cache(self) -> None:
        """Carry the query-vector cache's own counters (the retrieval layer knows nothing of Prometheus) over
        as increments, so each process's files stay current even if /metrics is read from another worker."""
        cache = self.cache_source()
        if cache is None:
            return
        with self._lock:
            seen, hits, shared, misses = self._seen
            if seen is not cache:  # a new searcher (after re-indexing) starts its counts at 0
                hits = shared = misses = 0
            now = (cache.hits, cache.shared_hits, cache.misses)
            if now[0] > hits:
                self.f.cache_hits.labels("memory").inc(now[0] - hits)
            if now[1] > shared:
                self.f.cache_hits.labels("shared").inc(now[1] - shared)
            if now[2] > misses:
                self.f.cache_misses.inc(now[2] - misses)
            self._seen = (cache, *now)
            self.f.cache_entries.set(len(cache))

    def render(self) -> bytes:
        """The Prometheus text format: this app's registry, or the sum over every process's files."""
        self.sync_cache()
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """Before the workers start: the folder their metrics go to, set in the environment they inherit and
    emptied (counts of an earlier run must not be added); (folder, True) when it was created here."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.db"):
            old.unlink()
        return folder, False
    folder = Path(tempfile.mkdtemp(prefix="onething-metrics-"))
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder, True


def worker_exited(pid: int) -> None:
    """A dead worker's in-memory cache no longer counts in the entries gauge (its counters stay summed)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)
