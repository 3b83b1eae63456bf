"""Load through nginx with 1 and 2 nodes, and the shared per-client rate limit under concurrent load (#19).

Starts the same deployment as `make cluster` (pgserver's PostgreSQL with pgvector, Debian's redis-server and
nginx, nodes of `onething serve --workers W` with their console processes) in a temporary run folder, twice:

1. **Load**: limits high; 2 nodes behind nginx. The closed-loop citizens of `benchmarks/load.py` (a new
   session, a question, up to two chips, no think time) run once through an nginx that knows only node1 and
   once through the cluster's nginx (node1 + node2), in that order, on the same database. Reports turns/s,
   p50/p95, errors and lost messages (acknowledged turns missing from PostgreSQL) for each.
2. **Rate limit**: a per-client limit of L requests a minute, all nodes together (Redis moving window).
   C client addresses (127.0.x.y; nginx passes the connecting address on) each hammer GET /api/v1/guides
   with K concurrent connections for S seconds (S < 60, so the whole run is inside one window). Each client
   should get exactly L answers with 200; reports the accepted count per client, its largest deviation
   from L and how the accepted requests split across the nodes.

All on one 2-core machine: a second node shares the cores of the first, so it adds failover, not throughput.

    python benchmarks/cluster_load.py [--sessions 20] [--seconds 30] [--limit 120] [--clients 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.ops import nginx  # noqa: E402
from assistant.ops.cluster import Cluster, ClusterSpec, start, stop_cluster  # noqa: E402
from assistant.ops.procs import free_ports, stop, wait_http  # noqa: E402
from benchmarks.load import _run_loop, load_numbers, run  # noqa: E402


def _start(run_dir: Path, nodes: int, workers: int, env: dict[str, str]) -> tuple[Cluster, list[int]]:
    """The cluster and its nodes' API ports."""
    ports = free_ports(2 * nodes + 2)
    spec = ClusterSpec(
        run_dir=run_dir,
        port=ports[0],
        node_ports=ports[2 : 2 + nodes],
        console_ports=ports[2 + nodes :],
        redis_port=ports[1],
        workers=workers,
        env=env,
    )
    return start(spec, say=lambda m: print(f"  {m}", flush=True)), spec.node_ports


def bench_load(sessions: int, seconds: float, workers: int, warmup: float) -> dict[str, float]:
    """The same citizens through nginx with node1 only, then with both nodes."""
    run_dir = Path(tempfile.mkdtemp(prefix="onething-cluster-load-"))
    high = {"ONETHING_RATE_PER_MINUTE_CLIENT": "1000000", "ONETHING_RATE_PER_MINUTE_SESSION": "1000000"}
    results: dict[str, float] = {}
    try:
        cluster, node_ports = _start(run_dir, 2, workers, high)
        db_url = cluster.env["ONETHING_DATABASE_URL"]
        # a second nginx in front of node1 alone: the one-node deployment, same database and Redis
        binary = nginx.find_nginx()
        assert binary is not None
        (front,) = free_ports(1)
        one_dir = run_dir / "nginx-one-node"
        node1 = f"127.0.0.1:{node_ports[0]}"
        conf = nginx.write_config(one_dir, f"127.0.0.1:{front}", [node1], [node1])  # no console calls here
        nginx.check(binary, one_dir, conf)
        one = nginx.start(binary, one_dir, conf, {})
        try:
            wait_http(f"http://127.0.0.1:{front}/readyz", one, 30, one_dir / "error.log")
            for label, url in (("one_node", f"http://127.0.0.1:{front}"), ("two_nodes", cluster.url)):
                print(f"load through nginx, {label} …", flush=True)
                out = _run_loop(run(f"{url}/api/v1", sessions, seconds, warmup, "popular"))
                results.update(load_numbers(f"cluster_{label}_{sessions}s", out, db_url))
        finally:
            stop(one)
    finally:
        stop_cluster(run_dir, say=lambda _m: None)
        shutil.rmtree(run_dir, ignore_errors=True)
    return results


async def _hammer(url: str, address: str, conns: int, seconds: float) -> Counter:
    """`conns` connections from one client address asking as fast as answers come; statuses and nodes."""
    seen: Counter = Counter()
    connector = aiohttp.TCPConnector(limit=conns, local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as client:
        stop_at = time.perf_counter() + seconds

        async def one() -> None:
            while time.perf_counter() < stop_at:
                try:
                    async with client.get(f"{url}/api/v1/guides") as r:
                        await r.read()
                        seen[r.status] += 1
                        if r.status == 200:
                            seen[f"node:{r.headers.get('x-onething-node')}"] += 1
                except aiohttp.ClientError:
                    seen["error"] += 1

        await asyncio.gather(*(one() for _ in range(conns)))
    return seen


def bench_rate_limit(limit: int, clients: int, conns: int, seconds: float, workers: int) -> dict[str, float]:
    if seconds >= 60:
        raise ValueError("the run must fit in one 60 s window")
    run_dir = Path(tempfile.mkdtemp(prefix="onething-cluster-limit-"))
    try:
        cluster, _ports = _start(
            run_dir,
            2,
            workers,
            {"ONETHING_RATE_PER_MINUTE_CLIENT": str(limit), "ONETHING_RATE_PER_MINUTE_SESSION": "1000000"},
        )
        print(f"rate limit: {clients} clients x {conns} connections, {seconds:g} s …", flush=True)

        async def all_clients() -> list[Counter]:
            return await asyncio.gather(
                *(_hammer(cluster.url, f"127.0.9.{i + 1}", conns, seconds) for i in range(clients))
            )

        counts = _run_loop(all_clients())
    finally:
        stop_cluster(run_dir, say=lambda _m: None)
        shutil.rmtree(run_dir, ignore_errors=True)
    accepted = [c[200] for c in counts]
    nodes = Counter()
    for c in counts:
        nodes.update({k: v for k, v in c.items() if isinstance(k, str) and k.startswith("node:")})
    return {
        "cluster_rate_limit_per_client": limit,
        "cluster_rate_limit_accepted_min": min(accepted),
        "cluster_rate_limit_accepted_max": max(accepted),
        "cluster_rate_limit_max_deviation": round(max(abs(a - limit) for a in accepted) / limit, 3),
        "cluster_rate_limit_requests": sum(
            sum(v for k, v in c.items() if isinstance(k, int)) for c in counts
        ),
        "cluster_rate_limit_refused": sum(c[429] for c in counts),
        "cluster_rate_limit_other_errors": sum(
            v for c in counts for k, v in c.items() if k not in (200, 429) and not str(k).startswith("node:")
        ),
        "cluster_rate_limit_node1_share": round(nodes["node:node1"] / max(1, sum(nodes.values())), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=120, help="per-client requests a minute in the limit run")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--limit-seconds", type=float, default=20)
    ap.add_argument("--skip-load", action="store_true")
    a = ap.parse_args()
    results: dict[str, float] = {}
    if not a.skip_load:
        results.update(bench_load(a.sessions, a.seconds, a.workers, a.warmup))
    results.update(bench_rate_limit(a.limit, a.clients, a.conns, a.limit_seconds, a.workers))
    print(json.dumps(results, indent=2))
    (ROOT / "benchmarks" / "cluster_last_run.json").write_text(
        json.dumps(results, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
