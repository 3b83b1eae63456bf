"""Chinese numerals to digits (十个工作日 → 10个工作日, 二〇二五年 → 2025年, 六十二 → 62)."""

from __future__ import annotations

import warnings

import cn2an


def to_digits(text: str) -> str:
    """cn2an's conversion, quiet, and the text unchanged where cn2an cannot parse a numeral run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except (ValueError, KeyError, IndexError):
            return text
