"""Several nodes sharing one real Redis (ONETHING_REDIS_URL): one rate-limit budget, one login lockout, one
query-vector cache that never holds personal data, console logouts that hold on every node. Each "node" is
its own limiter, cache or app instance with its own connections; only Redis links them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import redis
from fastapi.testclient import TestClient
from stdnum.cn import ric

from assistant.api.app import create_app
from assistant.config import PROJECT_ROOT, ConfigError, Settings
from assistant.console.auth import LockedOutError, StaffAuth, hash_password
from assistant.ratelimit import Lockout, RateLimiter
from assistant.retrieval.query_cache import QueryVectorCache

ID = next("43010419900110093" + d for d in "0123456789X" if ric.is_valid("43010419900110093" + d))


def test_the_redis_url_is_the_limit_storage_unless_one_is_set_explicitly(redis_url):
    assert Settings(redis_url=redis_url).limits_storage == redis_url
    assert Settings(redis_url=redis_url, rate_limit_storage="memory://").limits_storage == "memory://"
    assert Settings().limits_storage == "memory://"
    assert Settings(redis_url="unix:///run/redis.sock").limits_storage == "redis+unix:///run/redis.sock"


def test_two_nodes_share_one_moving_window_budget(redis_url):
    storage = Settings(redis_url=redis_url).limits_storage
    node_a = RateLimiter(5, storage, "client")
    node_b = RateLimiter(5, storage, "client")
    verdicts = [(node_a, node_b)[i % 2].allow("203.0.113.7") for i in range(7)]
    assert verdicts == [True] * 5 + [False, False]  # 5 per minute across both nodes, not 5 each
    assert node_b.allow("203.0.113.8")  # another client has its own budget
    assert any(k.startswith(b"LIMITS") for k in redis.Redis.from_url(redis_url).keys("*"))

    # a moving window, as with the SQLite storage: a hit leaves the budget 2 s after it was made, not when a
    # fixed window rolls over (a fixed window would have forgotten all three hits at t ≈ 2.2 s)
    a, b = Lockout(storage, attempts=3, window="2 seconds"), Lockout(storage, attempts=3, window="2 seconds")
    t0 = time.time()
    a.failed("user:bob")
    time.sleep(1.0)
    b.failed("user:bob")
    b.failed("user:bob")
    assert a.locked("user:bob") and b.locked("user:bob")
    time.sleep(max(0.0, t0 + 2.2 - time.time()))
    assert not a.locked("user:bob")  # the first hit has left the window, the two later ones have not
    b.failed("user:bob")
    assert a.locked("user:bob")


def test_a_lockout_on_one_node_is_seen_by_the_other(redis_url):
    accounts = f"alice:{hash_password('pw')}"
    storage = Settings(redis_url=redis_url).limits_storage
    node_a = StaffAuth(accounts, "secret", lockout=Lockout(storage))
    node_b = StaffAuth(accounts, "secret", lockout=Lockout(storage))
    for _ in range(5):
        assert node_a.login("alice", "wrong", "198.51.100.1") is None
    with pytest.raises(LockedOutError):  # even the right password, from another address, on the other node
        node_b.login("alice", "pw", "198.51.100.2")
    assert node_b.login("carol", "pw", "198.51.100.2") is None  # other users are not locked by it


def test_query_vectors_are_shared_through_redis_and_never_hold_personal_data(redis_url, tmp_path: Path):
    calls: list[str] = []

    def embed(text: str) -> np.ndarray:
        calls.append(text)
        return np.linspace(0, 1, 8, dtype=np.float32) + len(calls)

    node_a = QueryVectorCache(8, tmp_path, model_id="model-a", expire_s=3600, redis_url=redis_url)
    node_b = QueryVectorCache(8, tmp_path, model_id="model-a", expire_s=3600, redis_url=redis_url)
    question = "公租房怎么申请"
    vec, hit = node_a.get_or_compute(question, embed)
    assert not hit and calls == [question]
    again, hit = node_b.get_or_compute(question, embed)
    assert hit and node_b.shared_hits == 1 and np.array_equal(vec, again) and len(calls) == 1

    r = redis.Redis.from_url(redis_url)
    key = f"onething:qv:model-a:{hashlib.sha256(question.encode()).hexdigest()}".encode()
    assert r.keys("*") == [key]  # keyed by model and hash; the vector as float32 bytes, expiring
    assert r.get(key) == vec.astype(np.float32).tobytes() and 3500 < r.ttl(key) <= 3600
    other_model = QueryVectorCache(8, tmp_path, model_id="model-b", redis_url=redis_url)
    assert not other_model.get_or_compute(question, embed)[1] and len(calls) == 2
    assert not list(tmp_path.iterdir())  # with Redis, nothing goes to the disk cache

    before = set(r.keys("*"))
    for private in (f"我的身份证{ID}，公租房怎么申请", "我电话13812345678，公租房怎么申请"):
        node_a.get_or_compute(private, embed)
        assert not node_b.get_or_compute(private, embed)[1]  # computed again: it was never shared
    assert set(r.keys("*")) == before
    stored = b"".join([*r.keys("*"), *(r.get(k) for k in r.keys("*"))])
    assert "公租房".encode() not in stored and ID.encode() not in stored and b"13812345678" not in stored


def test_the_searcher_keeps_its_query_vectors_in_redis(settings, redis_url):
    from assistant.retrieval.search import Searcher

    s = settings.model_copy(update={"redis_url": redis_url, "cascade": False})
    searcher = Searcher(s)
    searcher.search("交不满15年怎么办")
    keys = redis.Redis.from_url(redis_url).keys("onething:qv:*")
    assert len(keys) == 1 and searcher.embeddings.model_id.encode() in keys[0]
    searcher.query_vectors.close()


@pytest.fixture
def two_nodes(settings, redis_url, tmp_path: Path):
    """Two app instances sharing Redis and the console secret, each with its own database, so that nothing
    but Redis can carry a logout from one to the other."""
    common = {
        "staff_accounts": f"alice:{hash_password('pw')}",
        "console_secret": "same-secret-on-every-node",
        "redis_url": redis_url,
    }
    apps = [
        create_app(settings.model_copy(update={**common, "database_url": f"sqlite:///{tmp_path}/{n}.db"}))
        for n in ("a", "b")
    ]
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        yield a, b


def test_console_logout_on_one_node_ends_the_session_on_the_other(two_nodes, redis_url):
    a, b = two_nodes
    ok = a.post("/console/login", data={"username": "alice", "password": "pw"}, follow_redirects=False)
    assert ok.status_code == 303
    cookie = a.cookies.get("onething_staff")
    b.cookies.set("onething_staff", cookie, path="/console")
    assert b.get("/console/app/config").status_code == 200  # one secret, one session store: valid on b
    r = redis.Redis.from_url(redis_url)
    [key] = r.keys("onething:staff-session:*")
    assert r.get(key) == b"alice" and 8 * 3600 - 60 < r.ttl(key) <= 8 * 3600

    a.get("/console/logout", follow_redirects=False)
    assert r.keys("onething:staff-session:*") == []
    assert b.get("/console/app/config").status_code == 401
    assert a.get("/console/app/config").status_code == 401

    # a correctly signed, unexpired cookie whose session is not in Redis is refused as well
    forged = b.app.state.staff_auth.sign("alice", int(time.time()) + 3600, "0123456789abcdef01234567")
    b.cookies.set("onething_staff", forged, path="/console")
    assert b.get("/console/app/config").status_code == 401


def test_several_nodes_refuse_to_start_without_a_shared_console_secret(settings, redis_url):
    with pytest.raises(ConfigError, match="ONETHING_CONSOLE_SECRET") as err:
        create_app(settings.model_copy(update={"redis_url": redis_url, "console_secret": ""}))
    assert "各节点" in str(err.value) and "every node" in str(err.value)
    create_app(settings.model_copy(update={"redis_url": redis_url, "console_enabled": False}))  # no console

    env = {
        **os.environ,
        "ONETHING_REDIS_URL": redis_url,
        "ONETHING_CONSOLE_SECRET": "",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--port", "1"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "ONETHING_CONSOLE_SECRET" in done.stdout + done.stderr
