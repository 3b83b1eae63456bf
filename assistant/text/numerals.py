"""Chinese numerals to digits (十个工作日 → 10个工作日, 二〇二五年 → 2025年, 六十二 → 62)."""

from __future__ import annotations

import warnings
from functools import lru_cache

import cn2an


@lru_cache(maxsize=8192)
def to_digits(text: str) -> str:
    """cn2an's conversion, quiet, and the text unchanged where cn2an cannot parse a numeral run. An explicit
    cache: a form conversation is read again on every turn, each message by every field (a fifth of the
    reading time went to converting the same few texts)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except (ValueError, KeyError, IndexError):
            return text
