"""Scale benchmark (issue #19 item 7): index build, memory, search latency and routing hit@1 at 1k–10k guides.

For each size N the synthetic knowledge of benchmarks/synth.py (the real guides copied to Hunan's cities and
counties, region substituted; clones beyond the ~3,330 distinct matter-region pairs) is indexed and searched
twice: FAISS in the process (the default) and pgvector in PostgreSQL (pgserver). Each measurement runs in its
own process (benchmarks/scale_probe.py):

- build: `build_index` time, chunks, texts the encoder actually embedded and the encoder's own time. Sizes are
  built one after another on one data folder, so a larger build reuses the vectors of the smaller one where
  the embedded text is identical (what build_index does for any rebuild); the from-scratch time of every size
  is then *estimated* as (build time − encoder time) + distinct texts × encoder seconds per text measured in
  this run. The pgvector build reuses the FAISS build's vectors (same texts): its time is publishing.
- search: RSS after loading one Searcher and after 200 searches; p50/p95 over 200 questions (the 116 held-out
  routing questions, then dev ones) with the cascade on and off, no query-vector cache; hit@1 on the held-out
  questions by matter family (a clone counts as its matter).

    python benchmarks/scale.py [--quick] [--sizes 1000,5000,10000] [--work DIR] [--no-pgvector]

Writes benchmarks/scale_last_run.json (git-ignored) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import generate_knowledge  # noqa: E402

SIZES = (1000, 5000, 10000)
QUICK = (1000,)
OUT = ROOT / "benchmarks" / "scale_last_run.json"
OMP_THREADS = "1"
PG_MAINTENANCE_MEM = (
    "1GB"  # room for the HNSW graph while it is built (pgvector's advice); a deployment setting
)


def probe(what: str, knowledge: Path, data: Path, store: str = "faiss", db: str = "") -> dict:
    """Run one measurement in a fresh process and return its JSON."""
    cmd = [sys.executable, "-m", "benchmarks.scale_probe", what, "--knowledge", str(knowledge)]
    cmd += ["--data", str(data), "--store", store, "--db", db]
    # one encoder thread, as each of `onething serve --workers 2` has on 2 cores; on a shared machine two
    # OpenMP threads spin against other work (a 20 ms query embedding was seen to take 480 ms)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": OMP_THREADS}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{what} ({store}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


@contextmanager
def postgres() -> Iterator[object]:
    """A throwaway PostgreSQL with pgvector (PyPI pgserver), deleted afterwards."""
    import pgserver

    root = Path(tempfile.mkdtemp(prefix="onething-scale-pg-"))
    srv = pgserver.get_server(str(root / "pg"), cleanup_mode="delete")
    try:
        yield srv
    finally:
        srv.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def database(srv, name: str) -> str:
    """A fresh database with the project's tables (migrations), its URL."""
    from assistant.store import Store

    srv.psql(f'DROP DATABASE IF EXISTS "{name}";')
    srv.psql(f'CREATE DATABASE "{name}";')
    srv.psql(f"ALTER DATABASE \"{name}\" SET maintenance_work_mem = '{PG_MAINTENANCE_MEM}';")
    url = f"postgresql+psycopg://postgres:@/{name}?host={srv.get_uri().split('host=')[1]}"
    Store(url).engine.dispose()
    return url


def machine() -> dict[str, object]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(mem.split()[1]) / 1024 / 1024, 1),
        "load_average_start": os.getloadavg()[0],
        "omp_num_threads_in_probes": OMP_THREADS,
    }


def estimate(results: dict) -> None:
    """From-scratch build time per size: encoder seconds per text × the size's distinct texts, plus everything
    the build did besides encoding (an estimate wherever vectors were reused). The encoder's rate is the one
    measured in this run's builds when they embedded enough texts, else its timed sample."""
    builds = [r["faiss"]["build"] for r in results["sizes"].values()]
    builds += list(results.get("seed_builds", {}).values())
    texts = sum(b["embedded_texts"] for b in builds)
    if texts >= 200:
        rate, source = sum(b["embed_s"] for b in builds) / texts, "this run's builds"
    else:
        rate, source = max(b["sample_embed_s_per_text"] for b in builds), "sample of 48 texts"
    results["encoder_s_per_text"] = {"value": round(rate, 4), "from": source}
    for r in results["sizes"].values():
        for store in ("faiss", "pgvector"):
            b = r.get(store, {}).get("build")
            if b:
                b["from_scratch_est_s"] = round(b["build_s"] - b["embed_s"] + r["distinct_texts"] * rate, 0)
                b["from_scratch_measured"] = b["embedded_texts"] == r["distinct_texts"]


def run_scale(
    sizes: tuple[int, ...] = QUICK,
    work: Path | None = None,
    pgvector: bool = True,
    log: Callable = print,
    seeds: tuple[int, ...] = (),
) -> dict:
    """Measure every size in turn (smallest first); with `work`, its data folder lends vectors to later runs.
    `seeds` are sizes only built (FAISS), between the measured ones: each build keeps its vectors, so an
    interrupted run loses at most one step of encoding."""
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="onething-scale-")) if own else work
    kdir, data = work / "knowledge", work / "data"
    results: dict = {"machine": machine(), "sizes": {}, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        with postgres() if pgvector else nullcontext() as srv:
            for n in sorted(set(sizes) | set(seeds)):
                t = time.perf_counter()
                synth = generate_knowledge(kdir, n)
                row: dict = {"synth": synth.model_dump(), "generate_s": round(time.perf_counter() - t, 1)}
                if n not in sizes:
                    log(f"[{n}] seed build (FAISS, not searched)…")
                    results.setdefault("seed_builds", {})[str(n)] = probe("build", kdir, data)
                    log(f"[{n}] {results['seed_builds'][str(n)]}")
                    continue
                log(f"[{n}] generated {synth.guides} guides in {row['generate_s']} s; building (FAISS)…")
                row["faiss"] = {"build": probe("build", kdir, data)}
                row["chunks"] = row["faiss"]["build"]["chunks"]
                row["distinct_texts"] = row["faiss"]["build"]["distinct_texts"]
                log(f"[{n}] {row['faiss']['build']}; searching (FAISS)…")
                row["faiss"]["search"] = probe("search", kdir, data)
                log(f"[{n}] {row['faiss']['search']}")
                if srv is not None:
                    url = database(srv, f"scale_{n}")
                    row["pgvector"] = {"build": probe("build", kdir, data, "pgvector", url)}
                    log(f"[{n}] pgvector {row['pgvector']['build']}; searching (pgvector)…")
                    row["pgvector"]["search"] = probe("search", kdir, data, "pgvector", url)
                    log(f"[{n}] pgvector {row['pgvector']['search']}")
                    srv.psql(f'DROP DATABASE IF EXISTS "scale_{n}" WITH (FORCE);')
                results["sizes"][str(n)] = row
                estimate(results)
                OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return results


def table(results: dict) -> str:
    """One line per size and store."""
    head = "guides store    chunks  build_s(est) embedded  rss_load rss_200 p50/p95 on  p50/p95 off  hit@1 on/off"
    out = [head]
    for n, r in results["sizes"].items():
        for store in ("faiss", "pgvector"):
            if store not in r:
                continue
            b, s = r[store]["build"], r[store]["search"]
            on, off = s["cascade_on"], s["cascade_off"]
            out.append(
                f"{n:>6} {store:8} {r['chunks']:>7} {b['build_s']:>6}({b.get('from_scratch_est_s', '-')}) "
                f"{b['embedded_texts']:>8} {s['rss_after_load_mb']:>8} {s['rss_after_200_searches_mb']:>7} "
                f"{on['p50_ms']:>5}/{on['p95_ms']:<6} {off['p50_ms']:>5}/{off['p95_ms']:<6} "
                f"{on['hit1']:.3f}/{off['hit1']:.3f}"
            )
    return "\n".join(out)


def flat(results: dict) -> dict[str, float]:
    """The numbers `make bench` prints, one key each."""
    out: dict[str, float] = {}
    for n, r in results["sizes"].items():
        for store in ("faiss", "pgvector"):
            if store not in r:
                continue
            b, s = r[store]["build"], r[store]["search"]
            key = f"scale_{n}_{store}"
            out[f"{key}_build_s"] = b["build_s"]
            out[f"{key}_embedded_texts"] = b["embedded_texts"]
            out[f"{key}_rss_after_200_mb"] = s["rss_after_200_searches_mb"]
            for c in ("on", "off"):
                out[f"{key}_cascade_{c}_p95_ms"] = s[f"cascade_{c}"]["p95_ms"]
                out[f"{key}_cascade_{c}_hit1"] = s[f"cascade_{c}"]["hit1"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1k guides only (what make bench runs)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--work", type=Path, default=None, help="keep knowledge and builds here (vectors reused)")
    ap.add_argument(
        "--seeds", default="", help="sizes only built, to keep encoding progress (e.g. 2000,2600)"
    )
    ap.add_argument("--no-pgvector", action="store_true")
    ap.add_argument(
        "--region-blind",
        action="store_true",
        help="embed each text once with Hunan place names masked (10k in minutes; hit@1 then only comparable "
        "between FAISS and pgvector, not to real vectors)",
    )
    args = ap.parse_args()
    if args.region_blind:
        os.environ["ONETHING_SCALE_REGION_BLIND"] = "1"
        global OUT
        OUT = OUT.with_name("scale_region_blind_last_run.json")
    sizes = QUICK if args.quick else tuple(int(x) for x in args.sizes.split(","))
    seeds = tuple(int(x) for x in args.seeds.split(",") if x)
    # a SIGTERM ends the run through the finally blocks: the probe is killed, PostgreSQL stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = run_scale(sizes, work=args.work, pgvector=not args.no_pgvector, seeds=seeds)
    print(table(results))


if __name__ == "__main__":
    main()
