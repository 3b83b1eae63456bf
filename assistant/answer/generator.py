"""LLM answer generation through a langchain chat model, grounded in the retrieved sections only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from assistant.config import PROJECT_ROOT

PROMPTS = PROJECT_ROOT / "prompts"


def load_prompt(prompts_dir: Path = PROMPTS) -> ChatPromptTemplate:
    system = (prompts_dir / "answer_system.md").read_text(encoding="utf-8")
    user = (prompts_dir / "answer_user.md").read_text(encoding="utf-8")
    return ChatPromptTemplate.from_messages([("system", system), ("human", user)])


def format_sources(sources: list[tuple[str, str]]) -> str:
    """[(label, text)] → numbered blocks the model cites as [1], [2]…"""
    return "\n\n".join(f"[{i}] {label}\n{text}" for i, (label, text) in enumerate(sources, 1))


class Generator:
    """question + sections → cited answer text (streamed or whole)."""

    def __init__(self, model: BaseChatModel, prompt: ChatPromptTemplate | None = None):
        self.chain = (prompt or load_prompt()) | model | StrOutputParser()

    def stream(self, question: str, sources: list[tuple[str, str]], shape: str = "") -> Iterator[str]:
        yield from self.chain.stream(
            {"question": question, "sources": format_sources(sources), "shape": shape}
        )


def answer_shape(aspect_labels: list[str]) -> str:
    """The shape the composer gives an answer, asked of the model too: a direct lead line, then each aspect
    asked, in the order asked, each with its citation; materials as a checklist."""
    if len(aspect_labels) <= 1:
        return "先用一句话直接回答，再给细节；材料写成清单，每行一项。"
    order = "、".join(f"【{x}】" for x in aspect_labels)
    return (
        f"先用一句话直接回答全部问题；再按 {order} 的顺序逐项回答，每项一段、以该标题开头、"
        "标注该项片段的出处编号；材料写成清单，每行一项。"
    )
