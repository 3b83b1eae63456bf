"""Shared fixtures: the real bundled knowledge and index, and small temporary knowledge folders."""

from __future__ import annotations

import gc
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"
# 公租房 (43PCP0002) eligibility answers of an unmarried local applicant who qualifies
PUBLIC_HOUSING_UNMARRIED = {
    "adult_capable": True,
    "housing": "none",
    "sold_house_2y": False,
    "applicant_type": "local",
    "had_housing_benefit": False,
    "income_ok": "yes",
    "marital_status": "unmarried",
}
SMALL_SET = ["43PCN0009-430100", "43PCN0009-430200", "43TCN0003-430100", "43PCP0002-430100"]


# the guides' sentence vectors (public text) are shared by every knowledge base of the run and with
# `onething index`, which embeds them once (answer/pinpoint.py)
_PASSAGES = Settings().data_dir / "query_vectors"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The bundled knowledge with its index (built once if missing; unchanged indexes are reused)."""
    from assistant.retrieval.index import build_index

    s = Settings(passage_cache_dir=_PASSAGES)
    build_index(s)
    return s


@pytest.fixture(scope="session")
def searcher(settings: Settings):
    from assistant.retrieval.search import get_searcher

    return get_searcher(settings)


def make_knowledge(root: Path, guide_ids: list[str]) -> Settings:
    kdir = root / "knowledge"
    (kdir / "guides").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "knowledge" / "regions.yaml", kdir / "regions.yaml")
    for gid in guide_ids:
        shutil.copy(PROJECT_ROOT / "knowledge" / "guides" / f"{gid}.yaml", kdir / "guides" / f"{gid}.yaml")
    return Settings(knowledge_dir=kdir, data_dir=root / "data", passage_cache_dir=_PASSAGES)


@pytest.fixture
def small_kb(tmp_path: Path) -> Settings:
    """A temporary knowledge folder with a few real guides and its own data folder."""
    return make_knowledge(tmp_path, SMALL_SET)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real redis-server of this test alone (Debian's; `make redis` installs it), on a free local port."""
    from tests.redis_server import RedisServer, find_redis_server

    binary = find_redis_server()
    if binary is None:
        pytest.skip("Debian's redis-server is not installed (make test installs it)")
    server = RedisServer(binary)
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def serving(app) -> Iterator[str]:
    """A real uvicorn server for `app` on a free local port, in a thread, with the options `onething serve`
    uses (no X-Forwarded-For unless proxies are configured); yields its base URL."""
    import uvicorn

    from assistant.api.app import uvicorn_options

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(app.state.settings)
    )
    srv = uvicorn.Server(config)
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(300):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        t.join(timeout=10)


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    """No garbage collection while tests are collected. CPython 3.11's AST builder raises a false "recursion
    depth mismatch" (SystemError) when a collection pass runs finalizers in the middle of it; schemathesis'
    collection makes hypothesis parse a large module to describe a lambda, and it failed now and then."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
