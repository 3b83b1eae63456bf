"""The scale-out path on real engines (issue 19): schema migrations (alembic) from an empty database and from
the schema made before migrations, on SQLite and on PostgreSQL; the index in PostgreSQL with pgvector
(pgserver ships PostgreSQL with the extension) routing like FAISS; publishing only what changed; and two
servers sharing one PostgreSQL and one Redis: a conversation, a rate limit and a knowledge change seen on
both."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from assistant.config import PROJECT_ROOT, Settings
from assistant.store import Base, Store
from assistant.store.schema import current, head
from tests.conftest import make_knowledge, serving

pgserver = pytest.importorskip("pgserver")
# SQLAlchemy does not know pgvector's column type when comparing schemas; the index tables are not the ORM's
pytestmark = pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory) -> Iterator[object]:
    root = tmp_path_factory.mktemp("pg")
    srv = pgserver.get_server(str(root), cleanup_mode="stop")
    try:
        yield srv
    finally:
        srv.cleanup()


@pytest.fixture
def pg_url(pg_server, request) -> str:
    """A fresh database of this test on the module's PostgreSQL server (pgvector available)."""
    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    pg_server.psql(f'DROP DATABASE IF EXISTS "{name}";')
    pg_server.psql(f'CREATE DATABASE "{name}";')
    host = pg_server.get_uri().split("host=")[1]
    return f"postgresql+psycopg://postgres:@/{name}?host={host}"


def _no_schema_drift(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # the index tables are the migrations' own (no ORM model): not drift
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("index_"))]
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].table.name.startswith("index_"))]
    assert diff == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_from_an_empty_database_and_from_the_schema_before_them(kind, tmp_path: Path, pg_url):
    url = f"sqlite:///{tmp_path / 'new.db'}" if kind == "sqlite" else pg_url
    store = Store(url)  # empty → head
    assert current(store.engine) == head() == "0003"
    _no_schema_drift(url)
    sid, token = store.create_session()
    if kind == "postgresql":
        assert {"index_chunks", "index_guides", "index_state"} <= set(inspect(store.engine).get_table_names())
    # a database made by the code before migrations: its tables, its rows, no alembic_version
    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    if kind == "postgresql":
        target = make_url(pg_url)
        engine = create_engine(pg_url)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}_old"'))
            conn.execute(text(f'CREATE DATABASE "{target.database}_old"'))
        old_url = target.set(database=f"{target.database}_old").render_as_string(hide_password=False)
    old = create_engine(old_url)
    Base.metadata.create_all(old)
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, token_hash, created_at, updated_at, state) "
                "VALUES ('s1', 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{}')"
            )
        )
    assert current(old) is None
    migrated = Store(old_url)
    assert current(migrated.engine) == head()
    assert migrated.get_state("s1") == {}  # the old rows are kept
    _no_schema_drift(old_url)
    assert store.authorize(sid, token) == "ok"


def _pg_settings(root: Path, pg_url: str, guide_ids: list[str]) -> Settings:
    s = make_knowledge(root, guide_ids)
    for sub in ("rules", "forms"):
        shutil.copytree(PROJECT_ROOT / "knowledge" / sub, s.knowledge_dir / sub)
    return s.model_copy(update={"vector_store": "pgvector", "database_url": pg_url})


def test_the_index_in_postgresql_routes_like_faiss_and_publishes_only_what_changed(
    settings, tmp_path: Path, pg_url
):
    from assistant.evaluation.datasets import RetrievalItem, load_split
    from assistant.retrieval.index import build_index
    from assistant.retrieval.pg_index import PgIndex, PgVectorSearch
    from assistant.retrieval.search import Searcher

    Store(pg_url)  # migrations
    ids = sorted(p.stem for p in (PROJECT_ROOT / "knowledge" / "guides").glob("*.yaml"))
    pgs = _pg_settings(tmp_path, pg_url, ids)
    shutil.copytree(
        settings.index_dir, pgs.index_dir, symlinks=True
    )  # the vectors are reused, not re-embedded
    first = build_index(pgs)
    assert first.knowledge_version == 1 and first.embedded_chunks == 0
    index = PgIndex(pg_url)
    stored, words, version = index.read()
    assert version == 1 and len(stored.chunks) == first.chunks and words

    # sections with the very same vector (one paragraph in two cities' guides) store it once
    with index.engine.connect() as conn:
        shared = conn.execute(
            text("SELECT d.pos, o.pos FROM index_chunks d JOIN index_chunks o ON o.id = d.vector_of")
        ).all()
        stored_null = conn.execute(text("SELECT count(*) FROM index_chunks WHERE embedding IS NULL")).scalar()
    assert shared and stored_null == len(shared)
    full, _w, _v = index.read(with_vectors=True)
    dup, owner = shared[0]
    assert np.array_equal(full.vectors[dup], full.vectors[owner])  # read back whole for a build to reuse
    sims, positions = PgVectorSearch(index, full.manifest.dims).search(full.vectors[owner], 1)
    assert {dup, owner} <= set(positions.tolist()) and np.allclose(sims, sims[0])
    # chosen sections scored alone (the FAQ closeness), a shared vector read from its row
    chosen = np.array([dup, owner, 0], dtype=np.int64)
    by_pg = PgVectorSearch(index, full.manifest.dims).scores(full.vectors[owner], chosen)
    assert np.allclose(by_pg, full.vectors[chosen] @ full.vectors[owner], atol=1e-4)

    faiss_s = Searcher(settings.model_copy(update={"cascade": False}))
    pg_s = Searcher(pgs.model_copy(update={"cascade": False}))
    assert len(pg_s.guides) == len(faiss_s.guides)
    items = load_split("retrieval", RetrievalItem, "dev")
    agree = right_pg = right_faiss = 0
    for it in items:
        a = faiss_s.search(it.question, region=it.region, k=3).matters
        b = pg_s.search(it.question, region=it.region, k=3).matters
        agree += a[0].matter_code == b[0].matter_code
        right_faiss += a[0].matter_code == it.matter_code
        right_pg += b[0].matter_code == it.matter_code
    assert agree / len(items) >= 0.95
    assert right_pg / len(items) >= right_faiss / len(items) - 0.01

    # nothing changed: nothing published; one guide edited: only its sections are rewritten
    again = build_index(pgs)
    assert again.rebuilt is False and index.version() == 1
    path = pgs.guides_dir / "43TCN0003-430100.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("0731-", "0731 -", 1), encoding="utf-8")
    with index.engine.connect() as conn:
        before = dict(conn.execute(text("SELECT id, row_hash FROM index_chunks")).all())
    edited = build_index(pgs)
    assert edited.changed == ["43TCN0003-430100"] and edited.knowledge_version == 2
    with index.engine.connect() as conn:
        after = dict(conn.execute(text("SELECT id, row_hash FROM index_chunks")).all())
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed and all(k.startswith("43TCN0003-430100") for k in changed)


def test_two_nodes_share_conversations_limits_and_knowledge(tmp_path: Path, pg_url, redis_url, settings):
    from assistant.api.app import create_app
    from assistant.retrieval.index import build_index

    Store(pg_url)
    small = ["43PCN0009-430100", "43TCN0003-430100"]
    a = _pg_settings(tmp_path / "a", pg_url, small).model_copy(
        update={"redis_url": redis_url, "rate_per_minute_session": 4, "knowledge_poll_seconds": 0.5}
    )
    b = _pg_settings(tmp_path / "b", pg_url, small).model_copy(
        update={"redis_url": redis_url, "rate_per_minute_session": 4, "knowledge_poll_seconds": 0.5}
    )
    for s in (a, b):
        shutil.copytree(settings.index_dir, s.index_dir, symlinks=True)
        s.knowledge_dir.joinpath("scope.yaml").write_bytes(
            (PROJECT_ROOT / "knowledge/scope.yaml").read_bytes()
        )
    build_index(a)
    app_a = create_app(a.model_copy(update={"console_enabled": False}))
    app_b = create_app(b.model_copy(update={"console_enabled": False}))
    with serving(app_a) as url_a, serving(app_b) as url_b, httpx.Client(timeout=30) as http:
        made = http.post(f"{url_a}/api/v1/sessions").json()
        auth = {"Authorization": f"Bearer {made['token']}"}
        sid = made["session_id"]
        r1 = http.post(
            f"{url_a}/api/v1/sessions/{sid}/chat", json={"message": "长沙开饭店要带什么材料"}, headers=auth
        )
        assert r1.status_code == 200
        # the conversation continues on the other node: same session, its messages, its state
        r2 = http.post(f"{url_b}/api/v1/sessions/{sid}/chat", json={"message": "要多久"}, headers=auth)
        assert r2.status_code == 200
        msgs = http.get(f"{url_b}/api/v1/sessions/{sid}/messages", headers=auth).json()
        assert [m["text"] for m in msgs if m["role"] == "user"] == ["长沙开饭店要带什么材料", "要多久"]
        # one budget of 4 session requests a minute (3 taken: two chats, one read), whichever node takes them;
        # node B alone has seen 2, so only a shared count refuses its next one
        codes = [
            http.post(f"{u}/api/v1/sessions/{sid}/chat", json={"message": "收费吗"}, headers=auth).status_code
            for u in (url_a, url_b, url_a)
        ]
        assert codes == [200, 429, 429]
        # a guide imported on node A reaches node B, which has no file of it
        assert "43PCN0013-430100" not in {g["id"] for g in http.get(f"{url_b}/api/v1/guides").json()}
        shutil.copy(PROJECT_ROOT / "knowledge/guides/43PCN0013-430100.yaml", a.guides_dir)
        assert build_index(a).knowledge_version == 2
        published = time.monotonic()  # from the publish on: embedding the new guide is the build's time
        seen = None
        while time.monotonic() - published < 15:
            if "43PCN0013-430100" in {g["id"] for g in http.get(f"{url_b}/api/v1/guides").json()}:
                seen = time.monotonic() - published
                break
            time.sleep(0.2)
        assert seen is not None and seen <= 5.0
