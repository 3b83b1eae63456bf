"""`onething serve --workers 2`: processes with their own SO_REUSEPORT sockets on one port, sharing sessions
through the database; SIGTERM stops them all; a worker that dies is started again."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from assistant.api.workers import reuse_port_supported
from benchmarks.load import free_port, start_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT load spreading is Linux-only"),
]


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid and "spawn_main" in (entry / "cmdline").read_text(errors="ignore"):
                out.add(int(entry.name))
    return out


def _wait(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_two_workers_share_sessions_restart_and_stop(settings, tmp_path: Path):
    port = free_port()
    proc = start_server(tmp_path / "w.db", port, workers=2)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        workers = _children(proc.pid)
        assert len(workers) == 2, workers
        s = httpx.post(f"{base}/sessions").json()
        auth = {"Authorization": f"Bearer {s['token']}"}
        # a new connection per request: the kernel spreads them over both workers' sockets
        for i in range(12):
            r = httpx.post(
                f"{base}/sessions/{s['session_id']}/chat",
                json={"message": f"开饭店要带什么材料{i}"},
                headers=auth,
            )
            assert r.status_code == 200 and r.json()["matter_code"] == "43TCN0003"
        assert len(httpx.get(f"{base}/sessions/{s['session_id']}/messages", headers=auth).json()) == 24

        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        assert _wait(lambda: len(_children(proc.pid) - {victim}) == 2, 60), "dead worker not replaced"
        assert _wait(lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200, 60)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for pid in workers:  # orphans would live on under init; none may
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_rate_limits_hold_across_two_workers(tmp_path: Path):
    """The client limit is counted in one storage for both workers: 30 per minute means 30, not 60."""
    port = free_port()
    proc = start_server(
        tmp_path / "rl.db", port, workers=2, extra_env={"ONETHING_RATE_PER_MINUTE_CLIENT": "30"}
    )
    try:
        assert len(_children(proc.pid)) == 2
        codes = [httpx.get(f"http://127.0.0.1:{port}/api/v1/guides").status_code for _ in range(60)]
        assert codes.count(200) == 30 and codes.count(429) == 30
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_concurrent_turns_on_one_session_are_all_kept_across_two_workers(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    from assistant.store import Store

    port = free_port()
    proc = start_server(tmp_path / "turns.db", port, workers=2)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        s = httpx.post(f"{base}/sessions").json()
        auth = {"Authorization": f"Bearer {s['token']}"}

        def send(i: int) -> int:
            return httpx.post(
                f"{base}/sessions/{s['session_id']}/chat",
                json={"message": f"开饭店要带什么材料{i}"},
                headers=auth,
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(10) as pool:
            assert list(pool.map(send, range(10))) == [200] * 10
        assert len(httpx.get(f"{base}/sessions/{s['session_id']}/messages", headers=auth).json()) == 20
        assert Store(f"sqlite:///{tmp_path / 'turns.db'}").get_state(s["session_id"])["turns"] == 10
    finally:
        proc.terminate()
        proc.wait(timeout=30)
