"""Persistence on a real SQLite file: tokens, state, retention purge, masking of personal data in logs."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from assistant.masking import MaskingFilter, mask
from assistant.store import SessionRow, Store


def test_tokens_state_and_wal(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path}/s.db")
    sid, token = store.create_session({"turns": 0})
    assert store.authorize(sid, token) == "ok" and store.authorize(sid, "wrong") != "ok"
    store.save_state(sid, {"turns": 1, "extra": {"x": "宝宝"}})
    assert Store(f"sqlite:///{tmp_path}/s.db").get_state(sid)["extra"]["x"] == "宝宝"
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_retention_purge(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path}/r.db")
    old, _ = store.create_session()
    new, _ = store.create_session()
    for sid in (old, new):
        store.add_message(sid, "user", "我的身份证430102199001011234")
        store.create_handoff(sid, "q", "out_of_scope")
        store.save_draft(sid, "43PCN0009", {"a": 1})
    with store._sessions.begin() as db:
        db.execute(
            update(SessionRow)
            .where(SessionRow.id == old)
            .values(updated_at=datetime.now() - timedelta(days=40))
        )
    assert store.purge_older_than(30) == 1
    assert store.authorize(old, "") == "missing" and store.authorize(new, "") != "missing"
    assert store.messages(old) == [] and store.get_draft(old, "43PCN0009") is None
    assert all(h["session_id"] == new for h in store.handoffs())


def test_masking_in_logs(caplog):
    assert mask("身份证430102199001011234，电话13812345678") == "身份证430***********1234，电话138****5678"
    logger = logging.getLogger("onething.test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="onething.test"):
        logger.info("user said %s", "我的手机是13812345678")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text


def test_authorize_tells_missing_from_forbidden(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path}/a.db")
    sid, token = store.create_session()
    assert store.authorize(sid, token) == "ok"
    assert store.authorize(sid, "not-the-token") == "forbidden"
    assert store.authorize(sid, "") == "forbidden"
    assert store.authorize("no-such-session", token) == "missing"


def test_turns_from_many_threads_are_all_recorded(tmp_path: Path):
    """The per-turn write path under concurrency: every returned message id is stored, in order per
    session, and the state is the last one written."""
    from concurrent.futures import ThreadPoolExecutor

    store = Store(f"sqlite:///{tmp_path}/t.db")
    sids = [store.create_session()[0] for _ in range(4)]

    def turns(sid: str) -> list[int]:
        return [store.record_turn(sid, f"问{i}", {"turns": i}, f"答{i}", {"n": i}) for i in range(25)]

    with ThreadPoolExecutor(8) as pool:
        ids = dict(zip(sids, pool.map(turns, sids), strict=True))
    for sid in sids:
        stored = store.messages(sid)
        assert [m["id"] for m in stored if m["role"] == "assistant"] == ids[sid]
        assert [m["text"] for m in stored][:2] == ["问0", "答0"] and stored[1]["payload"] == {"n": 0}
        assert store.get_state(sid) == {"turns": 24}


def test_switching_a_fresh_file_to_wal_waits_for_another_process(tmp_path):
    """Two workers starting on a new database: one holds the file while the other switches it to WAL
    ("database is locked" at once, which once killed a worker at start); the switch is retried."""
    import sqlite3
    import threading
    import time

    import pytest

    from assistant.store.wal import enable_wal

    path = tmp_path / "fresh.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("PRAGMA journal_mode=WAL")  # what a worker did before
    t0 = time.monotonic()
    enable_wal(other)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert time.monotonic() - t0 < 3
