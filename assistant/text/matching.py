"""Normalise text before key-point matching: width, punctuation, spaces and Chinese numerals."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.text.numerals import to_digits

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=4096)
def normalize_for_match(text: str) -> str:
    """NFKC (full → half width), lower case, Chinese numerals → digits (十个工作日 → 10个工作日,
    二〇二五年 → 2025年), then every space and punctuation mark removed."""
    return _PUNCT.sub("", to_digits(unicodedata.normalize("NFKC", text or "").lower()))


def contains(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` after both are normalised the same way."""
    n = normalize_for_match(needle)
    return bool(n) and n in normalize_for_match(haystack)


def positions(needle: str, haystack: str) -> list[int]:
    """Where a literal word starts in a text, left to right, without overlaps (what re.finditer on the
    escaped word gives, without building a pattern for every word of every message)."""
    out, i = [], haystack.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = haystack.find(needle, i + len(needle))
    return out
