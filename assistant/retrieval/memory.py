"""Hand freed heap memory back to the operating system after a load: glibc keeps freed blocks of the process
for reuse, so a node's resident size would stay at its loading peak (the index records' token lists, freed
once BM25 has indexed them). Standard library only (ctypes); a no-op where glibc's malloc_trim is missing."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Collect garbage and return free heap pages to the OS; True when glibc did the trimming."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))
