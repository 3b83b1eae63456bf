"""Load test: N concurrent citizens for T seconds against a server started here with W workers.

Each virtual citizen opens a session, asks a question, follows up to two of the answer's chips (as people
click "需要哪些材料？"), then starts over with a new session. By default there is no think time: every
citizen sends its next message as soon as the reply arrives (a closed-loop throughput test, where latency
is bound by Little's law: sessions / throughput). `--think S` makes citizens read for S seconds on average
(exponentially distributed) before each chip click and each new question.

Questions (`--questions`):
  popular  drawn at random from eval/qa.jsonl (333 citizen questions), after a warm-up of the same load;
           models a service that has been running and sees the common questions again.
  fresh    every first message is a question the server has not seen in this run (from all eval and
           calibration sets), so each one is embedded: the worst case for the query-vector cache.

Reports turns/s, p50/p95 latency, errors, lost messages (acknowledged but missing from the database),
the share of turns answered from the query-vector cache and the load client's own CPU use.

    python benchmarks/load.py --sessions 20 --seconds 30 --workers 2 [--questions fresh]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer.scope import CalibrationItem  # noqa: E402
from assistant.evaluation.datasets import (  # noqa: E402
    EVAL_DIR,
    DialogItem,
    QAItem,
    RefusalItem,
    RetrievalItem,
    read_jsonl,
)
from assistant.evaluation.metrics import percentile  # noqa: E402
from assistant.ops.procs import free_ports  # noqa: E402

QuestionMode = Literal["popular", "fresh"]


def free_port() -> int:
    return free_ports(1)[0]


def start_server(
    db: Path, port: int, workers: int, extra_env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        "ONETHING_DATABASE_URL": f"sqlite:///{db}",
        # a query-vector cache of this run only (the workers share it), so no run starts warm from another
        "ONETHING_QUERY_CACHE_DIR": str(db.parent / "query_vectors"),
        "ONETHING_CONSOLE_ENABLED": "false",
        "ONETHING_RATE_PER_MINUTE_CLIENT": "1000000",
        "ONETHING_RATE_PER_MINUTE_SESSION": "1000000",
        "ONETHING_RATE_LIMIT_STORAGE": f"onething-sqlite:///{db.parent / 'ratelimit.db'}",
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab") if log is not None else subprocess.DEVNULL,
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


def question_pool(mode: QuestionMode) -> list[str]:
    if mode == "popular":
        return [i.question for i in read_jsonl(EVAL_DIR / "dev" / "qa.jsonl", QAItem)]
    texts = [i.question for i in read_jsonl(EVAL_DIR / "dev" / "qa.jsonl", QAItem)]
    texts += [i.question for i in read_jsonl(EVAL_DIR / "dev" / "retrieval.jsonl", RetrievalItem)]
    texts += [i.question for i in read_jsonl(EVAL_DIR / "dev" / "qa_refusal.jsonl", RefusalItem)]
    texts += [i.question for i in read_jsonl(EVAL_DIR / "calibration.jsonl", CalibrationItem)]
    texts += [t.user for d in read_jsonl(EVAL_DIR / "dev" / "dialogs.jsonl", DialogItem) for t in d.turns]
    unique = list(dict.fromkeys(texts))
    random.shuffle(unique)
    return unique


@dataclass
class Tally:
    record: bool = False
    lat: list[float] = field(default_factory=list)
    acked: list[tuple[str, int]] = field(default_factory=list)
    errors: int = 0
    cached: int = 0
    embedded: int = 0
    lexical: int = 0  # answered by the cascade's lexical stage: no encoder


class Questions:
    """Random picks (popular) or each question once, in order (fresh)."""

    def __init__(self, mode: QuestionMode):
        self.mode = mode
        self.pool = question_pool(mode)
        self.next = 0

    def take(self) -> str:
        if self.mode == "popular":
            return random.choice(self.pool)
        q = self.pool[self.next % len(self.pool)]
        self.next += 1
        return q


async def citizen(
    client: aiohttp.ClientSession, base: str, questions: Questions, stop: float, t: Tally, think: float
) -> None:
    while time.perf_counter() < stop:
        try:
            async with client.post(f"{base}/sessions") as r:
                s = await r.json() if r.status == 201 else None
        except aiohttp.ClientError:
            s = None
        if s is None:
            t.errors += t.record
            continue
        auth = {"Authorization": f"Bearer {s['token']}"}
        message = questions.take()
        for _ in range(3):  # the question, then up to two chips
            if think > 0:  # reading (or typing) before each message: exponential, mean `think` seconds
                await asyncio.sleep(random.expovariate(1 / think))
            if time.perf_counter() >= stop:
                return
            t0 = time.perf_counter()
            ans = None
            try:
                async with client.post(
                    f"{base}/sessions/{s['session_id']}/chat", json={"message": message}, headers=auth
                ) as r:
                    if r.status == 200:
                        ans = await r.json()
            except aiohttp.ClientError:
                pass
            if not t.record:
                if ans is None:
                    break
                continue
            t.lat.append((time.perf_counter() - t0) * 1000)
            if ans is None:
                t.errors += 1
                break
            t.acked.append((s["session_id"], ans.get("message_id")))
            timings = ans.get("trace", {}).get("timings_ms", {})
            if ans.get("trace", {}).get("stage") == "lexical":
                t.lexical += 1
            elif "embed_cached" in timings:
                t.cached += 1
            elif "embed" in timings:
                t.embedded += 1
            chips = [c["text"] for c in ans.get("suggestions", []) if c.get("kind") != "handoff"]
            if not chips or random.random() < 0.3:
                break
            message = random.choice(chips)


async def run(
    base: str, sessions: int, seconds: float, warmup: float, mode: QuestionMode, think: float = 0.0
) -> dict:
    questions = Questions(mode)
    tally = Tally()
    # aiohttp: the client shares the 2 cores with the server, and httpx's pool cost up to a core at 50
    connector = aiohttp.TCPConnector(limit=sessions + 5)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        if warmup > 0:
            stop = time.perf_counter() + warmup
            await asyncio.gather(
                *(citizen(client, base, questions, stop, tally, think) for _ in range(sessions))
            )
        tally.record = True
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        stop = t0 + seconds
        await asyncio.gather(*(citizen(client, base, questions, stop, tally, think) for _ in range(sessions)))
        elapsed = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {"tally": tally, "elapsed": elapsed, "client_cpu_share": client_cpu / elapsed}


def _run_loop(coro):
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover - uvloop is installed with the project on Linux
        return asyncio.run(coro)


def lost_messages(store_url: str, acked: list[tuple[str, int]]) -> int:
    """Acknowledged turns (session, message id) that the database does not hold."""
    from assistant.store import Store

    store = Store(store_url)
    ids_by_session: dict[str, set[int]] = {}
    for sid, _mid in acked:
        if sid not in ids_by_session:
            ids_by_session[sid] = {m["id"] for m in store.messages(sid, limit=100000)}
    return sum(1 for sid, mid in acked if mid not in ids_by_session[sid])


def load_numbers(prefix: str, out: dict, store_url: str) -> dict[str, float]:
    """Throughput, latency, errors and lost messages of one `run`, named `prefix_…`."""
    t: Tally = out["tally"]
    return {
        f"{prefix}_turns_per_s": round(len(t.acked) / out["elapsed"], 1),
        f"{prefix}_p50_ms": round(percentile(t.lat, 50), 1),
        f"{prefix}_p95_ms": round(percentile(t.lat, 95), 1),
        f"{prefix}_errors": t.errors,
        f"{prefix}_lost_messages": lost_messages(store_url, t.acked),
        f"{prefix}_turns": len(t.acked),
    }


def load_test(
    sessions: int,
    seconds: float,
    workers: int,
    questions: QuestionMode = "popular",
    warmup: float = 15,
    think: float = 0.0,
    cascade: bool = True,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="onething-load-") as tmp:
        db = Path(tmp) / "load.db"
        port = free_port()
        proc = start_server(db, port, workers, extra_env={"ONETHING_CASCADE": str(cascade).lower()})
        try:
            out = _run_loop(
                run(
                    f"http://127.0.0.1:{port}/api/v1",
                    sessions,
                    seconds,
                    warmup if questions == "popular" else 0,
                    questions,
                    think,
                )
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        p = (
            f"load_{questions}_{sessions}s"
            + (f"_think{think:g}s" if think else "")
            + ("" if cascade else "_no_cascade")
        )
        t: Tally = out["tally"]
        return {
            **load_numbers(p, out, f"sqlite:///{db}"),
            f"{p}_query_cache_hit_share": round(t.cached / max(1, t.cached + t.embedded), 3),
            f"{p}_lexical_share": round(t.lexical / max(1, t.lexical + t.cached + t.embedded), 3),
            f"{p}_client_cpu_cores": round(out["client_cpu_share"], 2),
        }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--questions", choices=["popular", "fresh"], default="popular")
    ap.add_argument("--warmup", type=float, default=15, help="seconds of unmeasured load first (popular)")
    ap.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a citizen reads before the next message"
    )
    a = ap.parse_args()
    print(json.dumps(load_test(a.sessions, a.seconds, a.workers, a.questions, a.warmup, a.think), indent=2))
