"""Eval dataset items as pydantic models; the dev/test split loader, which rejects an item that appears in
both splits (exactly or nearly: character 3-gram Jaccard above 0.7), and a JSONL reader that names the file
and line of bad items."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from assistant.config import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "eval"
SPLITS = ("dev", "test")
Split = Literal["dev", "test", "all"]
NEAR_DUPLICATE_JACCARD = 0.7
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


class MultiAspectItem(BaseModel):
    """A question that asks two or three aspects at once; key points per aspect, aspects in asked order."""

    id: str
    question: str
    matter_code: str
    region: str | None = None
    aspects: list[str] = Field(..., min_length=2)
    key_points: dict[str, list[str]]
    must_not: list[str] = Field(default_factory=list)


class RefusalItem(BaseModel):
    """A question that must be refused (category not_in_kb, out_of_scope, injection, privacy), or a near miss
    that must be answered (category in_scope, with its matter)."""

    id: str
    question: str
    category: str
    matter_code: str | None = None


class OwnDataItem(BaseModel):
    """A message in which citizens give their own personal data (after `setup` messages in the same chat):
    it must never be refused as manipulation or sent to 转人工, and a question in it must be answered."""

    id: str
    setup: list[str] = Field(default_factory=list)
    message: str
    matter_code: str | None = None


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


class EligibilityCase(BaseModel):
    """A walkthrough: free-text `replies` by question id (or structured `answers`), with the outcome a person
    decided from the guide and the fewest questions that decide it (derived from the rules, not the engine)."""

    id: str
    matter_code: str
    situation: str = ""
    replies: dict[str, str] = Field(default_factory=dict)
    answers: dict[str, Any] = Field(default_factory=dict)
    expected_outcome: str
    expected_condition: str = ""
    deciding_rule: str = ""
    expected_checklist_includes: list[str] = Field(default_factory=list)
    expected_checklist_excludes: list[str] = Field(default_factory=list)
    min_questions: int | None = Field(None, ge=1, description="None: derived by brute force over the rules")


class FormCase(BaseModel):
    """A conversation and the form it should produce. `transcript` is a pasted chat (lines may carry the
    speaker labels 用户：/助手：); `turns` gives the same facts as the citizen's own chat messages."""

    id: str
    matter_code: str
    transcript: list[str]
    turns: list[str] = Field(default_factory=list)
    expected: dict[str, Any]
    expected_invalid: list[str] = Field(default_factory=list)
    must_be_empty: list[str] = Field(default_factory=list)
    acceptable: dict[str, list[str]] = Field(
        default_factory=dict,
        description="fields the writer left open because the form's choices fit the situation more than one way "
        "(个体户 owner: 本人 or 法定代表人): any of these values is neither credited nor invented; another is wrong",
    )
    written: date = Field(date(2026, 11, 29), description="the date the case was written against")


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


def item_text(item: BaseModel) -> str:
    """The text that makes an item what it is: the question, the dialog's or form's user turns, or the
    replies of an eligibility walkthrough (with its matter, so equal replies to different matters differ)."""
    if isinstance(item, DialogItem):
        return " / ".join(t.user for t in item.turns)
    if isinstance(item, FormCase):
        return " / ".join(item.turns or item.transcript)
    if isinstance(item, OwnDataItem):
        return " / ".join([*item.setup, item.message])
    if isinstance(item, EligibilityCase):
        parts = item.replies or {k: json.dumps(v, ensure_ascii=False) for k, v in item.answers.items()}
        return item.matter_code + " " + " / ".join(f"{k}:{v}" for k, v in sorted(parts.items()))
    return str(getattr(item, "question", ""))


def _grams(text: str) -> frozenset[str]:
    t = re.sub(r"[\s\W_]+", "", text.lower())
    return frozenset(t[i : i + 3] for i in range(max(1, len(t) - 2)))


def jaccard(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / len(ga | gb) if ga | gb else 1.0


def cross_split_duplicates(dev: list[BaseModel], test: list[BaseModel]) -> list[tuple[str, str, float]]:
    """(dev id, test id, similarity) of test items equal or nearly equal (3-gram Jaccard > 0.7) to a dev item."""
    dev_texts = [(d.id, _grams(item_text(d))) for d in dev]  # type: ignore[attr-defined]
    out = []
    for t in test:
        gt = _grams(item_text(t))
        for did, gd in dev_texts:
            union = gt | gd
            sim = len(gt & gd) / len(union) if union else 1.0
            if sim > NEAR_DUPLICATE_JACCARD:
                out.append((did, t.id, round(sim, 3)))  # type: ignore[attr-defined]
    return out


def split_path(name: str, split: Literal["dev", "test"], root: Path | None = None) -> Path:
    return (root or EVAL_DIR) / split / f"{name}.jsonl"


@lru_cache(maxsize=64)
def _checked(name: str, model: type[BaseModel], root: Path, stamp: tuple[float, float]) -> None:
    dev = read_jsonl(split_path(name, "dev", root), model)
    test = read_jsonl(split_path(name, "test", root), model)
    dups = cross_split_duplicates(dev, test)
    if dups:
        shown = "；".join(f"{d} ≈ {t}（{s}）" for d, t, s in dups[:5])
        raise DatasetError(f"{name}: {len(dups)} 条测试题与开发集重复或几乎相同：{shown}")


def load_split(name: str, model: type[T], split: Split, root: Path | None = None) -> list[T]:
    """The items of one eval set in one split ("all": dev then test). Loading verifies first that no test
    item repeats a dev item, so a score on test is never a score on something tuned on."""
    root = root or EVAL_DIR
    paths = {s: split_path(name, s, root) for s in SPLITS}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise DatasetError(f"{name}: 缺少评测文件 {', '.join(missing)}")
    _checked(name, model, root, tuple(p.stat().st_mtime for p in paths.values()))  # type: ignore[arg-type]
    wanted = SPLITS if split == "all" else (split,)
    return [it for s in wanted for it in read_jsonl(paths[s], model)]
