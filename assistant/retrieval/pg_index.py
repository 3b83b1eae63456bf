"""The index in PostgreSQL with pgvector, for several nodes: section records and their vectors (an HNSW index
for the dense stage), the build manifest and the knowledge version every node watches.

A build publishes here in one transaction (rows whose text and vector are unchanged are not rewritten), so
a node that starts or reloads reads the whole knowledge base from one place; no node needs index files.
The tables are created by the alembic migrations (`onething db upgrade`); the HNSW index needs the vector
dimension, so a build creates it for the model in use."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import Connection

from assistant.guides.schema import MatterGuide
from assistant.retrieval.dense import shared_rows
from assistant.retrieval.index import ChunkRecord, IndexManifest, StoredIndex

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(url: str) -> Engine:
    """One pooled engine per URL and process (an explicit cache)."""
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
        return _ENGINES[url]


def _vec(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in v.tolist()) + "]"


def _row_hash(rec: ChunkRecord, model: str, vector_of: str | None = None) -> str:
    """A section row's identity: its record, the model that embedded it (a vector is a function of both;
    its bytes are not, after a round trip through text) and the row whose vector it shares, if any."""
    shared = f"\nvector_of={vector_of}" if vector_of else ""
    return hashlib.sha256((model + "\n" + rec.model_dump_json() + shared).encode()).hexdigest()[:32]


def vector_owners(records: list[ChunkRecord], matrix: np.ndarray) -> list[str | None]:
    """For each section, the id of the section that stores its vector when another one has the very same
    vector (the smallest such id, so that it does not depend on the order), else None. The same paragraph in
    every county's guide is one vector: stored once, pgvector's k nearest are k different vectors."""
    _kept, rows = shared_rows(matrix)
    owner: dict[int, str] = {}
    for row, r in zip(rows.tolist(), records, strict=True):
        if row not in owner or r.id < owner[row]:
            owner[row] = r.id
    return [None if owner[row] == r.id else owner[row] for row, r in zip(rows.tolist(), records, strict=True)]


class PgIndex:
    """Read and publish the index in PostgreSQL (tables `index_chunks`, `index_state`)."""

    def __init__(self, url: str):
        if not url.startswith("postgresql"):
            raise ValueError("pgvector 需要 PostgreSQL 地址（ONETHING_DATABASE_URL=postgresql+psycopg://…）")
        self.url = url
        self.engine = _engine(url)
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("index_chunks"):
                raise RuntimeError(
                    "PostgreSQL 中没有索引表：需要 vector 扩展（pgvector），装好后运行 onething db upgrade"
                )

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def version(self) -> int:
        """The knowledge version: bumped by every publish; 0 before the first."""
        with self.engine.connect() as conn:
            v = conn.execute(text("SELECT version FROM index_state WHERE id = 1")).scalar()
        return int(v or 0)

    def publish(
        self,
        manifest: IndexManifest,
        records: list[ChunkRecord],
        matrix: np.ndarray,
        words: list[str],
        guides: list[MatterGuide],
    ) -> int:
        """Make this build the one every node serves; returns the new knowledge version. Unchanged rows are
        left alone, changed and new ones written, removed ones deleted, all in one transaction."""
        owners = vector_owners(records, matrix)
        hashes = [_row_hash(r, manifest.model, o) for r, o in zip(records, owners, strict=True)]
        with self._tx() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('onething-index-publish'))"))
            have = dict(conn.execute(text("SELECT id, row_hash FROM index_chunks")).all())
            keep = {r.id for r in records}
            stale = [i for i in have if i not in keep]
            if stale:
                conn.execute(text("DELETE FROM index_chunks WHERE id = ANY(:ids)"), {"ids": stale})
            rows = [
                {
                    "id": r.id,
                    "pos": pos,
                    "record": r.model_dump_json(),
                    "row_hash": h,
                    "embedding": _vec(v) if o is None else None,
                    "vector_of": o,
                }
                for pos, (r, v, h, o) in enumerate(zip(records, matrix, hashes, owners, strict=True))
                if have.get(r.id) != h
            ]
            moved = [
                {"id": r.id, "pos": pos}
                for pos, (r, h) in enumerate(zip(records, hashes, strict=True))
                if have.get(r.id) == h
            ]
            if rows:
                conn.execute(
                    text(
                        "INSERT INTO index_chunks (id, pos, record, row_hash, embedding, vector_of) "
                        "VALUES (:id, :pos, CAST(:record AS jsonb), :row_hash, CAST(:embedding AS vector), "
                        ":vector_of) ON CONFLICT (id) DO UPDATE SET pos = EXCLUDED.pos, record = EXCLUDED.record, "
                        "row_hash = EXCLUDED.row_hash, embedding = EXCLUDED.embedding, vector_of = EXCLUDED.vector_of"
                    ),
                    rows,
                )
            if moved:
                conn.execute(text("UPDATE index_chunks SET pos = :pos WHERE id = :id"), moved)
            self._publish_guides(conn, guides)
            dims = int(manifest.dims)
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS index_chunks_hnsw_{dims} ON index_chunks "
                    f"USING hnsw ((embedding::vector({dims})) vector_ip_ops)"
                )
            )
            state = json.dumps({"manifest": manifest.model_dump(), "words": words}, ensure_ascii=False)
            version = conn.execute(
                text(
                    "INSERT INTO index_state (id, state, version, updated_at) "
                    "VALUES (1, CAST(:s AS jsonb), 1, now()) "
                    "ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, "
                    "version = index_state.version + 1, updated_at = now() RETURNING version"
                ),
                {"s": state},
            ).scalar_one()
        return int(version)

    @staticmethod
    def _publish_guides(conn: Connection, guides: list[MatterGuide]) -> None:
        """The guides the answers are composed from, as the build saw them (nodes hold no guide files)."""
        have = dict(conn.execute(text("SELECT id, row_hash FROM index_guides")).all())
        rows = []
        for g in guides:
            body = g.model_dump_json()
            h = hashlib.sha256(body.encode()).hexdigest()[:32]
            if have.get(g.id) != h:
                rows.append({"id": g.id, "row_hash": h, "guide": body})
        gone = [i for i in have if i not in {g.id for g in guides}]
        if gone:
            conn.execute(text("DELETE FROM index_guides WHERE id = ANY(:ids)"), {"ids": gone})
        if rows:
            conn.execute(
                text(
                    "INSERT INTO index_guides (id, row_hash, guide) VALUES (:id, :row_hash, CAST(:guide AS jsonb)) "
                    "ON CONFLICT (id) DO UPDATE SET row_hash = EXCLUDED.row_hash, guide = EXCLUDED.guide"
                ),
                rows,
            )

    def guides(self) -> list[MatterGuide]:
        return list(self.iter_guides())

    def iter_guides(self) -> Iterator[MatterGuide]:
        """The published guides one at a time, streamed (a serving node packs each before reading the next)."""
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, max_row_buffer=100).execute(
                text("SELECT guide::text FROM index_guides ORDER BY id")
            )
            for r in result:
                yield MatterGuide.model_validate_json(r[0])

    def bump(self) -> int:
        """A new knowledge version without a new build (e.g. the guides' files changed but not their chunks)."""
        with self._tx() as conn:
            v = conn.execute(
                text(
                    "UPDATE index_state SET version = version + 1, updated_at = now() WHERE id = 1 RETURNING version"
                )
            ).scalar()
        return int(v or 0)

    def read(
        self, with_vectors: bool = False, take_tokens: Callable[[ChunkRecord], None] | None = None
    ) -> tuple[StoredIndex | None, list[str], int]:
        """(the published index, its domain words, its version); vectors are read only when asked (a build
        reuses them; a serving node searches them in PostgreSQL and does not hold them). `take_tokens` sees
        each record as it is read (a serving node moves the BM25 tokens out of it)."""
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT state, version FROM index_state WHERE id = 1")).first()
            if row is None:
                return None, [], 0
            state, version = row
            cols = "record::text, embedding::text, vector_of" if with_vectors else "record::text"
            # each record parsed from its JSON text by pydantic, as the FAISS path reads chunks.jsonl: pydantic's
            # parser shares repeated short strings (the BM25 tokens), json.loads' dicts did not, which left a
            # serving node at 2.7 times the FAISS node's memory; streamed, a row at a time
            result = conn.execution_options(stream_results=True, max_row_buffer=1000).execute(
                text(f"SELECT {cols} FROM index_chunks ORDER BY pos")
            )
            chunks: list[ChunkRecord] = []
            rows_vec: list[np.ndarray | None] = []
            shared: list[tuple[int, str]] = []  # (position, id of the row holding its vector)
            for r in result:
                chunks.append(ChunkRecord.model_validate_json(r[0]))
                if take_tokens is not None:
                    take_tokens(chunks[-1])
                if with_vectors:
                    rows_vec.append(
                        np.asarray(json.loads(r[1]), dtype=np.float32) if r[1] is not None else None
                    )
                    if r[2] is not None:
                        shared.append((len(chunks) - 1, r[2]))
            if shared:
                at = {c.id: i for i, c in enumerate(chunks)}
                for i, owner in shared:
                    rows_vec[i] = rows_vec[at[owner]]
        manifest = IndexManifest.model_validate(state["manifest"])
        if with_vectors:
            vectors = np.stack(rows_vec) if rows_vec else np.zeros((0, 0), np.float32)
        else:
            vectors = np.zeros((len(chunks), 0), np.float32)
        return (
            StoredIndex(manifest=manifest, chunks=chunks, vectors=vectors),
            list(state.get("words", [])),
            int(version),
        )


class PgVectorSearch:
    """The dense stage in PostgreSQL: the k nearest sections by inner product (unit vectors: cosine) through
    the HNSW index. Returns scores and positions in the order the records were loaded."""

    def __init__(self, index: PgIndex, dims: int, ef_search: int = 200):
        self.index = index
        self.dims = dims
        self.ef_search = ef_search
        # the sections that share a stored vector, by the position of the row that stores it
        with index.engine.connect() as conn:
            pairs = conn.execute(
                text("SELECT o.pos, d.pos FROM index_chunks d JOIN index_chunks o ON o.id = d.vector_of")
            ).all()
        by_owner: dict[int, list[int]] = {}
        for owner, pos in pairs:
            by_owner.setdefault(int(owner), []).append(int(pos))
        self._sharing = {o: np.array(p, dtype=np.int64) for o, p in by_owner.items()}

    def scores(self, qv: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Similarity of the query to the given sections only (a shared vector read from its row)."""
        q = _vec(np.asarray(qv, dtype=np.float32).ravel())
        d = self.dims
        with self.index.engine.connect() as conn:
            rows = dict(
                conn.execute(
                    text(
                        f"SELECT s.pos, -((COALESCE(s.embedding, o.embedding)::vector({d})) <#> CAST(:q AS vector({d}))) "
                        "FROM index_chunks s LEFT JOIN index_chunks o ON o.id = s.vector_of WHERE s.pos = ANY(:p)"
                    ),
                    {"q": q, "p": [int(p) for p in positions]},
                ).all()
            )
        return np.array([rows.get(int(p), 0.0) for p in positions], dtype=np.float32)

    def search(self, qv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = _vec(np.asarray(qv, dtype=np.float32).ravel())
        d = self.dims
        with self.index.engine.begin() as conn:
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {max(int(self.ef_search), int(k))}"))
            rows = conn.execute(
                text(
                    f"SELECT pos, -((embedding::vector({d})) <#> CAST(:q AS vector({d}))) AS sim "
                    f"FROM index_chunks ORDER BY (embedding::vector({d})) <#> CAST(:q AS vector({d})) LIMIT :k"
                ),
                {"q": q, "k": int(k)},
            ).all()
        pos = np.array([r[0] for r in rows], dtype=np.int64)
        sims = np.array([r[1] for r in rows], dtype=np.float32)
        if self._sharing and len(pos):  # every section of a shared vector scores as the vector does
            extra = [
                (self._sharing[p], s)
                for p, s in zip(pos.tolist(), sims.tolist(), strict=True)
                if p in self._sharing
            ]
            if extra:
                pos = np.concatenate([pos, *(p for p, _ in extra)])
                sims = np.concatenate([sims, *(np.full(len(p), s, np.float32) for p, s in extra)])
        return sims, pos
