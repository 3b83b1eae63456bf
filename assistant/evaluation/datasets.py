"""Eval dataset items as pydantic models, and a JSONL reader that names the file and line of bad items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError

from assistant.config import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "eval"
T = TypeVar("T", bound=BaseModel)


class RetrievalItem(BaseModel):
    id: str
    question: str
    matter_code: str
    section: str
    region: str | None = None
    style: str = ""


class QAItem(BaseModel):
    id: str
    question: str
    matter_code: str
    region: str | None = None
    aspect: str
    key_points: list[str] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)


class RefusalItem(BaseModel):
    id: str
    question: str
    category: str


class TurnExpect(BaseModel):
    matter_code: str | None = None
    region: str | None = None
    aspect: str | None = None
    key_points: list[str] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)
    clarify_region: bool = False
    refuse: bool = False


class DialogTurn(BaseModel):
    user: str
    expect: TurnExpect


class DialogItem(BaseModel):
    id: str
    turns: list[DialogTurn] = Field(..., min_length=1)


class DatasetError(ValueError):
    pass


def read_jsonl(path: Path, model: type[T]) -> list[T]:
    items: list[T] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(model.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise DatasetError(f"{path}:{n}: {exc}") from exc
    return items
