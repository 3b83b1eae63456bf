"""/metrics in the Prometheus format: summed over worker processes (prometheus_client's multiprocess mode, set
up by `onething serve --workers N`), and readable only with the configured token or from the machine itself."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.metrics import MULTIPROC_ENV, prepare_multiprocess_dir
from assistant.api.workers import reuse_port_supported
from assistant.config import PROJECT_ROOT

WORKER = """
import sys
from assistant.api.metrics import Metrics
m = Metrics()
assert m.multiprocess
for _ in range(int(sys.argv[1])):
    m.request("/api/v1/guides", 200, 0.01)
m.turn("composer", "lexical", 0.02)
"""
RENDER = "from assistant.api.metrics import Metrics; print(Metrics().render().decode())"


def _python(code: str, folder: Path, *args: str) -> str:
    env = {**os.environ, MULTIPROC_ENV: str(folder), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def test_two_processes_writing_to_one_folder_are_reported_as_their_sum(tmp_path: Path):
    _python(WORKER, tmp_path, "3")
    _python(WORKER, tmp_path, "4")
    assert len(list(tmp_path.glob("*.db"))) >= 2  # each process wrote its own files
    text = _python(RENDER, tmp_path)  # a third process (the one asked for /metrics) reads them all
    assert 'onething_requests_total{path="/api/v1/guides",status="200"} 7.0' in text
    assert 'onething_turns_total{mode="composer",stage="lexical"} 2.0' in text
    assert 'onething_turn_seconds_count{mode="composer"} 2.0' in text
    assert "# TYPE onething_turn_seconds histogram" in text and "# HELP onething_requests_total " in text


def test_the_folder_is_emptied_on_start(tmp_path: Path, monkeypatch):
    _python(WORKER, tmp_path, "5")  # counts of an earlier run
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    folder, created = prepare_multiprocess_dir()
    assert folder == tmp_path and not created and not list(tmp_path.glob("*.db"))
    assert "onething_requests_total{" not in _python(RENDER, tmp_path)


def test_metrics_need_the_token_when_one_is_configured(settings, tmp_path: Path):
    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/m.db",
            "console_enabled": False,
            "metrics_token": "t0k3n",
        }
    )
    app = create_app(s)
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 401  # a token is configured: even the machine needs it
        wrong = local.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "令牌" in wrong.json()["message"]
    remote = TestClient(app, client=("203.0.113.9", 50000))
    ok = remote.get("/metrics", headers={"Authorization": "Bearer t0k3n"})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")
    assert "# TYPE onething_requests_total counter" in ok.text
    assert remote.get("/metrics").status_code == 401


@pytest.mark.slow
@pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT load spreading is Linux-only")
def test_two_worker_processes_report_the_sum_and_the_token_is_required(tmp_path: Path):
    from benchmarks.load import free_port, start_server

    pattern = os.path.join(tempfile.gettempdir(), "onething-metrics-*")
    before = set(glob.glob(pattern))
    port = free_port()
    log = tmp_path / "server.log"  # a worker that died and was started again shows here
    proc = start_server(
        tmp_path / "m.db",
        port,
        workers=2,
        extra_env={"ONETHING_METRICS_TOKEN": "t0k3n", MULTIPROC_ENV: ""},
        log=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        [folder] = set(glob.glob(pattern)) - before  # `serve` made a fresh folder for this run
        # a new connection per request: the kernel spreads them over both workers' sockets
        for _ in range(24):
            assert httpx.get(f"{base}/api/v1/guides").status_code == 200
        pids = {p.name.rsplit("_", 1)[1] for p in Path(folder).glob("counter_*.db")}
        assert len(pids) == 2, (pids, log.read_text(errors="replace")[-3000:])  # both served, none restarted
        assert httpx.get(f"{base}/metrics").status_code == 401
        text = httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer t0k3n"}).text
        assert 'onething_requests_total{path="/api/v1/guides",status="200"} 24.0' in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not Path(folder).exists()  # removed when the server stops
