"""The BM25 corpus collected while the index records are read: each record's token list becomes an int32
array of vocabulary ids and is dropped at once. Holding 206k lists of ~340 token references until BM25 was
built (10k guides) cost 2.7 KB per section and left the freed memory fragmented in the serving process.
bm25s indexes (ids, vocabulary) exactly as it indexes the token lists (same scores)."""

from __future__ import annotations

import bm25s
import numpy as np

from assistant.retrieval.index import ChunkRecord

EMPTY_DOC = "∅"  # a section without search tokens still gets one, so BM25 scores it 0 rather than failing


class TokenCorpus:
    """Token ids per record, in reading order, and the vocabulary they index."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.docs: list[np.ndarray] = []

    def take(self, record: ChunkRecord) -> None:
        """Keep the record's tokens as ids and clear them from the record."""
        tokens = record.tokens or [EMPTY_DOC]
        v = self.vocab
        self.docs.append(np.fromiter((v.setdefault(t, len(v)) for t in tokens), np.int32, len(tokens)))
        record.tokens = []

    def bm25(self) -> bm25s.BM25:
        """The BM25 index of the corpus (k1 1.2, b 0.6); the token ids are let go once it is built."""
        index = bm25s.BM25(k1=1.2, b=0.6)
        index.index((self.docs, self.vocab), show_progress=False)
        self.docs.clear()
        return index
