"""One measurement of the scale benchmark in its own process, so its memory is its own: an index build, or
a Searcher's load, memory, latency and routing hit@1. Prints one JSON object (benchmarks/scale.py reads it).

    python -m benchmarks.scale_probe build  --knowledge K --data D [--store pgvector --db URL]
    python -m benchmarks.scale_probe search --knowledge K --data D [--store pgvector --db URL --pg-k 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation.datasets import EVAL_DIR, RetrievalItem, read_jsonl  # noqa: E402
from assistant.evaluation.metrics import percentile  # noqa: E402
from benchmarks.synth import family  # noqa: E402

WIDE_K = 1000  # pgvector: the largest k its HNSW search allows (hnsw.ef_search ≤ 1000); the default is 300
RATE_SAMPLE = 48
SEARCHES = 200  # the held-out routing questions, then dev questions up to this many
WARMUP = 10


def memory_mb() -> dict[str, float]:
    """This process's resident set now (VmRSS) and at its peak so far (VmHWM), in MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(rest.split()[0]) / 1024, 1)
    return {
        "rss_mb": out.get("VmRSS", 0.0),
        "peak_rss_mb": out.get("VmHWM", 0.0),
        "load_average": round(os.getloadavg()[0], 2),
    }


def settings_for(args: argparse.Namespace) -> Settings:
    """No query-vector cache: every search that reaches the dense stage embeds its question."""
    return Settings(
        knowledge_dir=Path(args.knowledge),
        data_dir=Path(args.data),
        vector_store=args.store,
        database_url=args.db or "",
        pgvector_k=args.pg_k,
        query_cache_size=0,
        query_cache_disk=False,
    )


def _region_blind(embed, log: dict[str, int]):
    """An encoder that embeds each text with every Hunan place name replaced by one placeholder, each such
    text once: the synthetic guides differ from their templates only in place names, so 10k guides cost
    about what their 33 templates cost. Vectors are then blind to the region (latency, memory and FAISS vs
    pgvector stay comparable; absolute hit@1 does not)."""
    import re

    from benchmarks.hunan_regions import hunan_regions

    words = sorted(
        {w for r in hunan_regions() for w in [str(r["name"]), *r["short"]] if len(str(w)) >= 2},
        key=len,
        reverse=True,
    )
    places = re.compile("|".join(map(re.escape, words)))
    cache: dict[str, list[float]] = {}

    def blind(texts: list[str]):
        keys = [places.sub("某地", t) for t in texts]
        todo = sorted({k for k in keys if k not in cache}, key=len)
        for i in range(0, len(todo), 16):
            batch = todo[i : i + 16]
            for k, v in zip(batch, embed(batch), strict=True):
                cache[k] = v
        log["encoded"] += len(todo)
        import numpy as np

        return np.array([cache[k] for k in keys], dtype=np.float32)

    return blind


def probe_build(s: Settings, region_blind: bool = False) -> dict[str, object]:
    """build_index, with the time spent in the encoder measured apart from the rest."""
    from assistant.retrieval.embeddings import get_embeddings
    from assistant.retrieval.index import build_index, current_dir, embedding_text

    emb = get_embeddings(s)
    spent = {"seconds": 0.0, "texts": 0}
    blind_log = {"encoded": 0}
    raw = emb.embed_passages
    inner = _region_blind(raw, blind_log) if region_blind else raw

    def timed(texts: list[str]):
        t = time.perf_counter()
        try:
            return inner(texts)
        finally:
            spent["seconds"] += time.perf_counter() - t
            spent["texts"] += len(texts)

    emb.embed_passages = timed  # type: ignore[method-assign]
    t = time.perf_counter()
    summary = build_index(s)
    seconds = time.perf_counter() - t
    with (current_dir(s) / "chunks.jsonl").open(encoding="utf-8") as fh:
        texts = sorted({embedding_text(json.loads(line)["text"]) for line in fh if line.strip()})
    # the encoder's speed on a sample of this index's texts, for the from-scratch estimate when vectors
    # were reused (batches of 16 sorted by length, as build_index embeds)
    sample = sorted(texts[:: max(1, len(texts) // RATE_SAMPLE)][:RATE_SAMPLE], key=len)
    t = time.perf_counter()
    for i in range(0, len(sample), 16):
        raw(sample[i : i + 16])
    sample_rate = (time.perf_counter() - t) / max(1, len(sample))
    return {
        "build_s": round(seconds, 1),
        "embed_s": round(spent["seconds"], 1),
        "embedded_texts": spent["texts"],
        "chunks": summary.chunks,
        "distinct_texts": len(texts),
        "sample_embed_s_per_text": round(sample_rate, 4),
        "errors": len(summary.errors),
        **({"region_blind_encoded_texts": blind_log["encoded"]} if region_blind else {}),
        "knowledge_version": summary.knowledge_version,
        **memory_mb(),
    }


def _items() -> tuple[list[RetrievalItem], list[RetrievalItem], list[RetrievalItem]]:
    test = read_jsonl(EVAL_DIR / "test" / "retrieval.jsonl", RetrievalItem)
    dev = read_jsonl(EVAL_DIR / "dev" / "retrieval.jsonl", RetrievalItem)
    timed = test + dev[: max(0, SEARCHES - len(test))]
    return test, timed, dev[len(timed) - len(test) :][:WARMUP]


def _pass(searcher, items: list[RetrievalItem], cascade: bool) -> tuple[list[float], list[str], list[str]]:
    """Milliseconds, top matter code and stage per question."""
    lat, top, stage = [], [], []
    for it in items:
        t = time.perf_counter()
        r = searcher.search(it.question, region=it.region, k=5, lexical_ok=cascade)
        lat.append((time.perf_counter() - t) * 1000)
        top.append(r.matters[0].matter_code if r.matters else "")
        stage.append(r.stage)
    return lat, top, stage


def probe_search(s: Settings) -> dict[str, object]:
    """Load a Searcher; memory after loading and after 200 searches; p50/p95 with the cascade on and off;
    hit@1 on the held-out routing questions (the matter family: a clone counts as its matter)."""
    from assistant.retrieval.search import Searcher

    test, timed, warm = _items()
    before = memory_mb()["rss_mb"]
    load_start = os.getloadavg()[0]
    t = time.perf_counter()
    searcher = Searcher(s)
    out: dict[str, object] = {"load_s": round(time.perf_counter() - t, 1), "rss_before_load_mb": before}
    out["rss_after_load_mb"] = memory_mb()["rss_mb"]
    out["chunks"] = len(searcher.chunks)
    for it in warm:
        searcher.search(it.question, region=it.region)
    for name, cascade in (("on", True), ("off", False)):
        lat, top, stage = _pass(searcher, timed, cascade)
        if cascade:
            out["rss_after_200_searches_mb"] = memory_mb()["rss_mb"]
        n = len(test)
        out[f"cascade_{name}"] = {
            "searches": len(lat),
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "mean_ms": round(sum(lat) / len(lat), 1),
            "lexical_share": round(stage.count("lexical") / len(stage), 3),
            "hit1": round(
                sum(family(c) == it.matter_code for c, it in zip(top[:n], test, strict=True)) / n, 4
            ),
            "hit1_exact_code": round(
                sum(c == it.matter_code for c, it in zip(top[:n], test, strict=True)) / n, 4
            ),
        }
    if s.vector_store == "pgvector":
        searcher.dense_k = WIDE_K
        lat, top, _ = _pass(searcher, test, False)
        out["cascade_off_wide_k"] = {
            "k": WIDE_K,
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "hit1": round(
                sum(family(c) == it.matter_code for c, it in zip(top, test, strict=True)) / len(test), 4
            ),
        }
    out["peak_rss_mb"] = memory_mb()["peak_rss_mb"]
    out["load_average_start_end"] = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["build", "search"])
    ap.add_argument("--knowledge", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--store", choices=["faiss", "pgvector"], default="faiss")
    ap.add_argument("--db", default="")
    ap.add_argument("--pg-k", type=int, default=300)
    args = ap.parse_args(argv)
    s = settings_for(args)
    blind = os.environ.get("ONETHING_SCALE_REGION_BLIND") == "1"
    result = probe_build(s, region_blind=blind) if args.what == "build" else probe_search(s)
    print("RESULT " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
