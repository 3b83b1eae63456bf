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
    assert store.check_token(sid, token) and not store.check_token(sid, "wrong")
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
    assert not store.session_exists(old) and store.session_exists(new)
    assert store.messages(old) == [] and store.get_draft(old, "43PCN0009") is None
    assert all(h["session_id"] == new for h in store.handoffs())


def test_masking_in_logs(caplog):
    assert mask("身份证430102199001011234，电话13812345678") == "身份证430***********1234，电话138****5678"
    logger = logging.getLogger("onething.test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="onething.test"):
        logger.info("user said %s", "我的手机是13812345678")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text
