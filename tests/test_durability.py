"""No acknowledged write is lost when the server process is killed with SIGKILL during writes."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from assistant.store import Store
from benchmarks.load import free_port, start_server

pytestmark = pytest.mark.slow


def test_kill_9_keeps_every_acknowledged_write(settings, tmp_path: Path):
    db = tmp_path / "d.db"
    port = free_port()
    proc = start_server(db, port, workers=1)
    base = f"http://127.0.0.1:{port}/api/v1"
    acked_messages: list[tuple[str, str]] = []
    acked_drafts: list[tuple[str, str]] = []
    try:
        with httpx.Client(timeout=30) as c:
            s = c.post(f"{base}/sessions").json()
            auth = {"Authorization": f"Bearer {s['token']}"}
            sid = s["session_id"]
            c.post(
                f"{base}/sessions/{sid}/chat",
                json={"message": "长沙新生儿出生一件事要带什么材料"},
                headers=auth,
            )
            for i in range(12):
                phone = f"1381234{i:04d}"
                r = c.patch(
                    f"{base}/sessions/{sid}/forms/43PCN0009",
                    json={"field": "applicant_phone", "value": phone},
                    headers=auth,
                )
                if r.status_code == 200:
                    acked_drafts.append((sid, phone))
                msg = f"第{i}次提问：开饭店要带什么材料"
                r = c.post(f"{base}/sessions/{sid}/chat", json={"message": msg}, headers=auth)
                if r.status_code == 200:
                    acked_messages.append((sid, msg))
                if i == 8:
                    proc.send_signal(
                        signal.SIGKILL
                    )  # mid-stream: later requests fail, earlier ones were acknowledged
                    proc.wait(timeout=10)
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
    assert acked_messages and acked_drafts
    store = Store(f"sqlite:///{db}")  # "restart": a fresh process reading the same file
    texts = {m["text"] for m in store.messages(acked_messages[0][0])}
    for _sid, msg in acked_messages:
        assert msg in texts
    draft = store.get_draft(acked_drafts[-1][0], "43PCN0009")
    assert draft["values"]["applicant_phone"]["value"] == acked_drafts[-1][1]
