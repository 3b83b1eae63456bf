"""What a session remembers between turns (stored as JSON by the store), and the input limits of a turn."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

MAX_MESSAGE_CHARS = 500


class Choice(BaseModel):
    label: str
    value: str


class Pending(BaseModel):
    """A question the assistant asked and waits for: which region, or which of several matters."""

    kind: Literal["region", "matter"]
    question: str
    aspect: str | None = None
    aspects: list[str] = Field(default_factory=list, description="every aspect the question asked")
    matter_code: str | None = None
    choices: list[Choice] = Field(default_factory=list)


class DialogState(BaseModel):
    matter_code: str | None = None
    region_code: str | None = None
    aspect: str | None = None
    pending: Pending | None = None
    turns: int = 0
    extra: dict = Field(default_factory=dict, description="state owned by eligibility and forms")


class InputError(ValueError):
    """The message cannot be processed (empty or too long); the text says why, in Chinese."""


# control characters (NUL…) and invisible format characters (zero-width spaces, joiners, BOM, bidi marks)
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def strip_invisible(text: str) -> str:
    """The text without control and zero-width characters (tabs and line breaks are kept)."""
    return _INVISIBLE.sub("", text)


def check_message(text: str | None) -> str:
    """The message without control or invisible characters, stripped; InputError with a Chinese reason when
    nothing visible is left or it is too long."""
    text = strip_invisible(text or "").strip()
    if not text:
        raise InputError("消息不能为空（没有可见的文字）。")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(f"消息太长（{len(text)} 字），请控制在 {MAX_MESSAGE_CHARS} 字以内。")
    return text
