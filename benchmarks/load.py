"""Load test: N concurrent sessions for T seconds against a running server (started here with W workers).
Reports turns/s, p50/p95, errors and lost messages (acknowledged but missing from the database).

    python benchmarks/load.py --sessions 20 --seconds 30 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation.datasets import EVAL_DIR, QAItem, read_jsonl  # noqa: E402
from assistant.evaluation.metrics import percentile  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "ONETHING_DATABASE_URL": f"sqlite:///{db}",
        "ONETHING_CONSOLE_ENABLED": "false",
        "ONETHING_RATE_PER_MINUTE_CLIENT": "1000000",
        "ONETHING_RATE_PER_MINUTE_SESSION": "1000000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                # every worker loads its own index: warm them all up
                for _ in range(workers * 4):
                    httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30)
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not become ready")


async def session_loop(
    client: httpx.AsyncClient, base: str, questions: list[str], stop: float, out: dict
) -> None:
    r = await client.post(f"{base}/sessions")
    s = r.json()
    auth = {"Authorization": f"Bearer {s['token']}"}
    while time.perf_counter() < stop:
        q = random.choice(questions)
        t = time.perf_counter()
        try:
            r = await client.post(
                f"{base}/sessions/{s['session_id']}/chat", json={"message": q}, headers=auth
            )
            ok = r.status_code == 200
        except httpx.HTTPError:
            ok = False
        out["lat"].append((time.perf_counter() - t) * 1000)
        if ok:
            out["acked"].append((s["session_id"], q, r.json().get("message_id")))
        else:
            out["errors"] += 1


async def run(base: str, sessions: int, seconds: float) -> dict:
    questions = [i.question for i in read_jsonl(EVAL_DIR / "qa.jsonl", QAItem)]
    out: dict = {"lat": [], "acked": [], "errors": 0}
    limits = httpx.Limits(max_connections=sessions + 5)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        stop = time.perf_counter() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(session_loop(client, base, questions, stop, out) for _ in range(sessions)))
        out["elapsed"] = time.perf_counter() - t0
    return out


def lost_messages(db: Path, acked: list[tuple[str, str, int]]) -> int:
    from assistant.store import Store

    store = Store(f"sqlite:///{db}")
    ids_by_session: dict[str, set[int]] = {}
    for sid, _q, _mid in acked:
        if sid not in ids_by_session:
            ids_by_session[sid] = {m["id"] for m in store.messages(sid, limit=100000)}
    return sum(1 for sid, _q, mid in acked if mid not in ids_by_session[sid])


def load_test(sessions: int, seconds: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="onething-load-") as tmp:
        db = Path(tmp) / "load.db"
        port = free_port()
        proc = start_server(db, port, workers)
        try:
            out = asyncio.run(run(f"http://127.0.0.1:{port}/api/v1", sessions, seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        turns = len(out["acked"])
        return {
            f"load_{sessions}s_turns_per_s": round(turns / out["elapsed"], 1),
            f"load_{sessions}s_p50_ms": round(percentile(out["lat"], 50), 1),
            f"load_{sessions}s_p95_ms": round(percentile(out["lat"], 95), 1),
            f"load_{sessions}s_errors": out["errors"],
            f"load_{sessions}s_lost_messages": lost_messages(db, out["acked"]),
        }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    print(json.dumps(load_test(a.sessions, a.seconds, a.workers), indent=2))
