"""Where a searcher's index comes from, and its dense stage behind one interface: the local build folder with
FAISS in this process (the embedded default), or PostgreSQL with pgvector (assistant.retrieval.pg_index),
each giving the k sections nearest a query vector."""

from __future__ import annotations

import hashlib
from typing import Protocol, runtime_checkable

import faiss
import numpy as np
from pydantic import BaseModel

from assistant.config import Settings
from assistant.guides.loader import iter_guides
from assistant.guides.store import GuideStore
from assistant.retrieval.corpus import TokenCorpus
from assistant.retrieval.index import StoredIndex, current_dir, faiss_index, read_stored


class IndexNotBuiltError(RuntimeError):
    """No index yet (no build folder, or nothing published in PostgreSQL): run `onething index`."""


@runtime_checkable
class DenseSearch(Protocol):
    """The dense stage's store: the k sections nearest a query vector (scores, positions in `chunks`), and
    the similarity to chosen sections (None when this store cannot score chosen sections)."""

    def search(self, qv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def scores(self, qv: np.ndarray, positions: np.ndarray) -> np.ndarray | None: ...


class FaissSearch:
    """Exact inner product over every section in this process (the embedded default). The vectors live once,
    in the FAISS index; asked for every section (the hybrid ranking scores all of them), the scores are one
    matrix-vector product over a view of that storage: FAISS's k-nearest search with k = all sections would
    also sort them all (at 206k sections 62 ms against 17 ms). Sections with the same text (the same portal
    paragraph in many counties' guides) share one row: `rows` maps each section to its row."""

    def __init__(self, index: faiss.Index, rows: np.ndarray | None = None):
        self.index = index
        n, d = index.ntotal, index.d
        if rows is not None and not isinstance(index, faiss.IndexFlat):
            raise ValueError("shared rows need a flat index: its k-nearest ids are rows, not sections")
        self._rows = rows
        self.sections = len(rows) if rows is not None else n
        self._all = (
            faiss.rev_swig_ptr(index.get_xb(), n * d).reshape(n, d)
            if n and isinstance(index, faiss.IndexFlat)
            else None
        )

    def search(self, qv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = np.asarray(qv, dtype=np.float32).reshape(-1)
        if self._all is not None and (k >= self.sections or self._rows is not None):
            scores = self._all @ q
            if self._rows is not None:
                scores = scores[self._rows]
            if k >= self.sections:
                return scores, np.arange(self.sections)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top])]
            return scores[top], top
        sims, ids = self.index.search(q.reshape(1, -1), k)
        keep = ids[0] >= 0
        return sims[0][keep], ids[0][keep]

    def scores(self, qv: np.ndarray, positions: np.ndarray) -> np.ndarray | None:
        """Similarity of the query to the given sections only (None: an index without its own vector storage)."""
        if self._all is None:
            return None
        rows = self._rows[positions] if self._rows is not None else positions
        return self._all[rows] @ np.asarray(qv, dtype=np.float32).reshape(-1)


def shared_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the rows to keep, each section's row among them): one row per distinct vector. The same portal
    paragraph in many counties' guides is one vector (a text embedded twice gives the same vector); sections
    are grouped by a digest of their vector's bytes, so no second copy of the vectors is made at start-up
    (316 MB at 10k guides). Both the FAISS rows and the vectors stored in PostgreSQL are shared this way."""
    first: dict[bytes, int] = {}
    keep: list[int] = []
    rows = np.empty(len(vectors), dtype=np.int64)
    for i, v in enumerate(vectors):
        j = first.setdefault(
            hashlib.sha1(np.ascontiguousarray(v, dtype=np.float32).tobytes()).digest(), len(keep)
        )
        if j == len(keep):
            keep.append(i)
        rows[i] = j
    return np.asarray(keep, dtype=np.int64), rows


class OpenedIndex(BaseModel):
    """An index ready to search: its records, guides, domain words, dense stage and knowledge version."""

    model_config = {"arbitrary_types_allowed": True}

    stored: StoredIndex
    guides: GuideStore
    words: list[str]
    dense: DenseSearch
    dense_k: int
    corpus: TokenCorpus  # the BM25 tokens, moved out of the records as they were read
    version: int = 0


def open_index(settings: Settings) -> OpenedIndex:
    """The index a searcher serves: from PostgreSQL with pgvector (the vectors stay there, behind HNSW;
    the guides come from there too, so a node needs no knowledge files of them) or from the build folder."""
    if settings.vector_store == "pgvector":
        from assistant.retrieval.pg_index import PgIndex, PgVectorSearch

        pg = PgIndex(settings.database_url)
        corpus = TokenCorpus()
        stored, words, version = pg.read(with_vectors=False, take_tokens=corpus.take)
        if stored is None:
            raise IndexNotBuiltError(
                "PostgreSQL 中还没有索引。请先运行 onething index（ONETHING_VECTOR_STORE=pgvector）"
            )
        dense = PgVectorSearch(pg, stored.manifest.dims)
        return OpenedIndex(
            stored=stored,
            guides=GuideStore(pg.iter_guides()),
            words=words,
            dense=dense,
            dense_k=settings.pgvector_k,
            corpus=corpus,
            version=version,
        )
    corpus = TokenCorpus()
    stored = read_stored(current_dir(settings), take_tokens=corpus.take)
    if stored is None:
        raise IndexNotBuiltError(f"索引不存在或已损坏：{current_dir(settings)}。请先运行 onething index")
    userdict = current_dir(settings) / "userdict.txt"
    words = (
        [w.split(" ")[0] for w in userdict.read_text(encoding="utf-8").splitlines() if w]
        if userdict.exists()
        else []
    )
    kept, rows = shared_rows(stored.vectors)
    dense = FaissSearch(faiss_index(np.ascontiguousarray(stored.vectors[kept])), rows)
    # the index holds its own copy of the vectors: the loaded array is not kept (at 10k guides, 316 MB)
    stored = stored.model_copy(update={"vectors": np.empty((0, stored.vectors.shape[1]), dtype=np.float32)})
    return OpenedIndex(
        stored=stored,
        guides=GuideStore(iter_guides(settings.guides_dir)),
        words=words,
        dense=dense,
        dense_k=len(stored.chunks),
        corpus=corpus,
    )
