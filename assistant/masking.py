"""Mask personal data (ID numbers, phone numbers) in text that goes to logs or to staff screens."""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """430***********1234 for an 18-digit ID, 138****5678 for a mobile number."""
    text = _ID.sub(lambda m: f"{m.group(1)}{'*' * 11}{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if record.args:
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        return True


def setup_logging(level: int = logging.INFO) -> None:
    """Structured one-line logs with personal data masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter(
            '{"t":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":"%(message)s"}'
        )
    )
    handler.addFilter(MaskingFilter())
    root = logging.getLogger("onething")
    root.handlers = [handler]
    root.setLevel(level)
    root.propagate = False


def personal_data_kinds(text: str) -> list[str]:
    """Which kinds of personal data the text contains ("id_number", "mobile"), for the turn's trace."""
    kinds = []
    if _ID.search(text):
        kinds.append("id_number")
    if _MOBILE.search(text):
        kinds.append("mobile")
    return kinds
