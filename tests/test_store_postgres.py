"""The store on a real PostgreSQL server (the design's production database), when Debian's postgresql is
installed (`make test` installs it): the same behaviour as on SQLite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from assistant.store import SessionRow, Store
from tests.pg_server import PostgresServer, find_bindir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_url():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("Debian's postgresql is not installed (make test installs it)")
    server = PostgresServer(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


def test_sessions_turns_drafts_and_purge_on_postgres(pg_url):
    store = Store(pg_url)
    sid, token = store.create_session({"turns": 0})
    assert store.authorize(sid, token) == "ok" and store.authorize(sid, "x") == "forbidden"
    assert store.authorize("nope", token) == "missing"

    def turns(i: int) -> list[int]:
        return [store.record_turn(sid, f"问{i}-{j}", {"turns": j}, f"答{i}-{j}", {"n": j}) for j in range(10)]

    with ThreadPoolExecutor(4) as pool:
        ids = [mid for batch in pool.map(turns, range(4)) for mid in batch]
    stored = store.messages(sid)
    assert len(stored) == 80 and {m["id"] for m in stored if m["role"] == "assistant"} == set(ids)
    assert store.get_state(sid)["turns"] == 9

    store.save_draft(sid, "43PCN0009", {"applicant_name": "张三"})
    assert store.get_draft(sid, "43PCN0009") == {"applicant_name": "张三"}
    store.create_handoff(sid, "我想找人工", "user_request", "43PCN0009", "0731-12345")
    store.add_feedback(sid, 2, ["不准确"], "材料不全", ids[0])
    assert store.handoffs()[0]["session_id"] == sid and store.feedback(max_stars=3)[0]["stars"] == 2

    old, _ = store.create_session()
    store.add_message(old, "user", "旧会话")
    with store._sessions.begin() as db:
        db.execute(
            update(SessionRow)
            .where(SessionRow.id == old)
            .values(updated_at=datetime.now() - timedelta(days=40))
        )
    assert store.purge_older_than(30) == 1
    assert store.authorize(old, "") == "missing" and store.authorize(sid, token) == "ok"
    store.engine.dispose()


def test_a_dialog_turn_on_postgres(pg_url, settings):
    from assistant.services import build_assistant

    bot = build_assistant(settings, store=Store(pg_url))
    sid, _ = bot.new_session()
    ans = bot.respond(sid, "长沙开饭店要带什么材料")
    assert ans.matter_code == "43TCN0003" and ans.message_id
    assert [m["role"] for m in bot.store.messages(sid)] == ["user", "assistant"]
    bot.store.engine.dispose()
