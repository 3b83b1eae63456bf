"""Benchmarks for the targets in the issues: index build time, re-index time, search latency, memory, and
the scale bench at its quick size (1k synthetic guides, benchmarks/scale.py).

Run with `make bench`. Prints a table and writes benchmarks/last_run.json (git-ignored).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation.datasets import EVAL_DIR, QAItem, RetrievalItem, read_jsonl  # noqa: E402
from assistant.evaluation.metrics import percentile  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_build() -> dict[str, float]:
    from assistant.retrieval.index import build_index

    tmp = Path(tempfile.mkdtemp(prefix="onething-bench-"))
    try:
        s = Settings(data_dir=tmp)
        t = time.perf_counter()
        full = build_index(s)
        scratch = time.perf_counter() - t
        t = time.perf_counter()
        again = build_index(s)
        noop = time.perf_counter() - t
        assert not again.rebuilt
        return {
            "index_build_from_scratch_s": round(scratch, 1),
            "reindex_no_change_s": round(noop, 2),
            "chunks": full.chunks,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _search_latencies(searcher, questions: list[str]) -> list[float]:
    """Milliseconds per search, one search per question."""
    out = []
    for q in questions:
        t = time.perf_counter()
        searcher.search(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def bench_search() -> dict[str, float]:
    from assistant.retrieval.index import build_index
    from assistant.retrieval.query_cache import QueryVectorCache
    from assistant.retrieval.search import Searcher

    # cold: no query-vector cache, so every search embeds its question
    s = Settings(query_cache_size=0, query_cache_disk=False)
    build_index(s)
    before = rss_mb()
    t = time.perf_counter()
    searcher = Searcher(s)
    load = time.perf_counter() - t
    questions = [i.question for i in read_jsonl(EVAL_DIR / "dev" / "retrieval.jsonl", RetrievalItem)]
    questions += [i.question for i in read_jsonl(EVAL_DIR / "dev" / "qa.jsonl", QAItem)]
    for q in questions[:20]:
        searcher.search(q)
    lat = _search_latencies(searcher, questions)
    searcher.query_vectors = QueryVectorCache(4096)  # warm: the same questions again, vectors cached
    _search_latencies(searcher, questions)
    warm = _search_latencies(searcher, questions)
    return {
        "index_load_s": round(load, 2),
        "search_p50_ms": round(percentile(lat, 50), 1),
        "search_p95_ms": round(percentile(lat, 95), 1),
        "search_mean_ms": round(statistics.mean(lat), 1),
        "search_cached_p50_ms": round(percentile(warm, 50), 2),
        "search_cached_p95_ms": round(percentile(warm, 95), 2),
        "searches": len(lat),
        "rss_before_load_mb": round(before, 0),
        "rss_after_load_mb": round(rss_mb(), 0),
    }


def main() -> None:
    results: dict[str, float] = {}
    results.update(bench_search())
    results.update(bench_build())
    from benchmarks.dialog_bench import bench_dialog
    from benchmarks.load import load_test

    results.update(bench_dialog())
    # issue #8 targets: >= 100 turns/s with 2 workers, p95 <= 150 ms at 20 sessions, 0 errors / 0 lost at 50
    results.update(load_test(sessions=20, seconds=30, workers=2))  # closed loop: throughput
    results.update(load_test(sessions=20, seconds=30, workers=2, think=1.0))  # citizens who read
    # every question new, with and without the retrieval cascade (#20: >= 100 turns/s, p95 <= 250 ms)
    results.update(load_test(sessions=20, seconds=30, workers=2, questions="fresh"))
    results.update(load_test(sessions=20, seconds=30, workers=2, questions="fresh", cascade=False))
    results.update(load_test(sessions=50, seconds=60, workers=2))
    # #19 item 7: synthetic knowledge at 1k guides, FAISS and pgvector (benchmarks/scale.py; the full 1k/5k/10k
    # run is `python benchmarks/scale.py`). Its data folder is kept, so a rerun embeds only what changed.
    from benchmarks.scale import QUICK, flat, run_scale

    results.update(flat(run_scale(QUICK, work=ROOT / "data" / "scale-bench")))
    # #19: through nginx with 1 and 2 nodes, and the shared per-client limit under concurrent load
    from assistant.ops import nginx
    from benchmarks.cluster_load import bench_load, bench_rate_limit

    if nginx.find_nginx() is not None and shutil.which("redis-server") is not None:
        results.update(bench_load(sessions=20, seconds=30, workers=2, warmup=10))
        results.update(bench_rate_limit(limit=120, clients=4, conns=8, seconds=20, workers=2))
    else:
        print("cluster bench skipped: nginx or redis-server missing (make nginx redis)")
    for k, v in results.items():
        print(f"{k:32s} {v}")
    (ROOT / "benchmarks" / "last_run.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
