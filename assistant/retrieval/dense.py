"""Where a searcher's index comes from, and its dense stage behind one interface: the local build folder with
FAISS in this process (the embedded default), or PostgreSQL with pgvector (assistant.retrieval.pg_index),
each giving the k sections nearest a query vector."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import faiss
import numpy as np
from pydantic import BaseModel

from assistant.config import Settings
from assistant.guides.loader import load_guides
from assistant.guides.schema import MatterGuide
from assistant.retrieval.index import StoredIndex, current_dir, faiss_index, read_stored


class IndexNotBuiltError(RuntimeError):
    """No index yet (no build folder, or nothing published in PostgreSQL): run `onething index`."""


@runtime_checkable
class DenseSearch(Protocol):
    """The dense stage's store: the k sections nearest a query vector (scores, positions in `chunks`)."""

    def search(self, qv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...


class FaissSearch:
    """Exact inner product over every section in this process (the embedded default)."""

    def __init__(self, index: faiss.Index):
        self.index = index

    def search(self, qv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        sims, ids = self.index.search(np.asarray(qv, dtype=np.float32).reshape(1, -1), k)
        keep = ids[0] >= 0
        return sims[0][keep], ids[0][keep]


class OpenedIndex(BaseModel):
    """An index ready to search: its records, guides, domain words, dense stage and knowledge version."""

    model_config = {"arbitrary_types_allowed": True}

    stored: StoredIndex
    guides: list[MatterGuide]
    words: list[str]
    dense: DenseSearch
    dense_k: int
    version: int = 0


def open_index(settings: Settings) -> OpenedIndex:
    """The index a searcher serves: from PostgreSQL with pgvector (the vectors stay there, behind HNSW;
    the guides come from there too, so a node needs no knowledge files of them) or from the build folder."""
    if settings.vector_store == "pgvector":
        from assistant.retrieval.pg_index import PgIndex, PgVectorSearch

        pg = PgIndex(settings.database_url)
        stored, words, version = pg.read(with_vectors=False)
        if stored is None:
            raise IndexNotBuiltError(
                "PostgreSQL 中还没有索引。请先运行 onething index（ONETHING_VECTOR_STORE=pgvector）"
            )
        dense = PgVectorSearch(pg, stored.manifest.dims)
        return OpenedIndex(
            stored=stored,
            guides=pg.guides(),
            words=words,
            dense=dense,
            dense_k=settings.pgvector_k,
            version=version,
        )
    stored = read_stored(current_dir(settings))
    if stored is None:
        raise IndexNotBuiltError(f"索引不存在或已损坏：{current_dir(settings)}。请先运行 onething index")
    userdict = current_dir(settings) / "userdict.txt"
    words = (
        [w.split(" ")[0] for w in userdict.read_text(encoding="utf-8").splitlines() if w]
        if userdict.exists()
        else []
    )
    return OpenedIndex(
        stored=stored,
        guides=load_guides(settings.guides_dir)[0],
        words=words,
        dense=FaissSearch(faiss_index(stored.vectors)),
        dense_k=len(stored.chunks),
    )
