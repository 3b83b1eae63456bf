"""Form extraction with a chat model: langchain `with_structured_output` into the form's own pydantic model,
one re-ask on a validation error, and every value traced back to the message it came from (else dropped)."""

from __future__ import annotations

import logging
import re
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, Field, create_model

from assistant.config import PROJECT_ROOT
from assistant.forms.extract import Extracted
from assistant.forms.speakers import split_speakers
from assistant.forms.spec import FieldSpec
from assistant.forms.validate import check_field
from assistant.text.matching import contains

log = logging.getLogger("onething.forms")
PROMPTS = PROJECT_ROOT / "prompts"


def _prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [
            ("system", (PROMPTS / "form_extract_system.md").read_text(encoding="utf-8")),
            ("human", (PROMPTS / "form_extract_user.md").read_text(encoding="utf-8")),
        ]
    )


def _source(value: Any, f: FieldSpec, messages: list[str]) -> int | None:
    """Index of the message that states `value`, or None when no message does (the value is invented)."""
    text = str(value)
    for i, msg in enumerate(messages):
        if f.type == "date":
            m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
            if m and contains(msg, f"{int(m.group(2))}月{int(m.group(3))}"):
                return i
            if m and contains(msg, text):
                return i
        elif f.type == "choice":
            if contains(msg, text) or any(k in msg for k in f.keywords.get(text, [])):
                return i
        elif contains(msg, text):
            return i
    return None


def missing_model(
    form_model: type[BaseModel],
    field_ids: list[str],
    free_text: set[str] = frozenset(),  # type: ignore[assignment]
) -> type[BaseModel]:
    """The form's pydantic model cut down to the fields still missing: a shorter schema to fill, and the
    model cannot overwrite what the deterministic reading found. Fields in `free_text` (dates, IDs, phones:
    their schema carries regular expressions that llama.cpp's grammar converter cannot read, "unknown escape
    at \\d") are plain optional strings; their values are checked against the field's rules afterwards."""
    defs: dict[str, Any] = {
        fid: (
            (str | None, Field(None, description=info.description))
            if fid in free_text
            else (info.annotation, info)
        )
        for fid, info in form_model.model_fields.items()
        if fid in field_ids
    }
    return create_model(f"{form_model.__name__}_missing", **defs)


def llm_extract(
    model: BaseChatModel,
    form_model: type,
    fields: list[FieldSpec],
    messages: list[str],
    taken: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Extracted]:
    """Values for `fields` (the ones still missing) from the citizen's lines of the conversation. A value is
    kept only when a citizen's line states it, it passes the field's checks (a model's guess that fails them
    is not something the citizen said wrong), it is not already another field's value (`taken`) and the
    model did not put it into two fields at once (a small model copies one number everywhere)."""
    if not fields:
        return {}
    citizen = [u.text for u in split_speakers(messages) if u.speaker == "citizen"]
    if citizen:
        messages = citizen
    form_model = missing_model(
        form_model, [f.id for f in fields], {f.id for f in fields if f.type not in ("choice", "number")}
    )
    field_list = "\n".join(
        f"{f.id}：{f.label}，{f.type}" + (f"，选项：{'/'.join(f.choices)}" if f.choices else "")
        for f in fields
    )
    transcript = "\n".join(f"{i + 1}. {m}" for i, m in enumerate(messages))
    kwargs: dict[str, Any] = {"include_raw": True}
    if type(model).__name__ == "ChatOpenAI":
        kwargs["method"] = "json_mode"
    chain = _prompt() | model.with_structured_output(form_model, **kwargs)
    error = ""
    parsed = None
    for _attempt in range(2):  # one re-ask with the validation error
        out = chain.invoke({"fields": field_list, "transcript": transcript, "error": error})
        if out.get("parsing_error") is None and out.get("parsed") is not None:
            parsed = out["parsed"]
            break
        error = f"\n上一次输出无效：{str(out.get('parsing_error'))[:300]}。请修正后重新输出。\n"
    if parsed is None:
        log.warning("LLM form extraction failed twice; deterministic values only")
        return {}
    values = parsed.model_dump(mode="json") if hasattr(parsed, "model_dump") else dict(parsed)
    by_id = {f.id: f for f in fields}
    result: dict[str, Extracted] = {}
    given = [str(v) for v in values.values() if v not in (None, "")]
    for fid, value in values.items():
        if value in (None, "") or fid not in by_id:
            continue
        if str(value) in taken or given.count(str(value)) > 1:
            log.info("dropped LLM value for %s: already another field's value", fid)
            continue
        if check_field(by_id[fid], value) is not None:
            log.info("dropped LLM value for %s: fails the field's checks", fid)
            continue
        idx = _source(value, by_id[fid], messages)
        if idx is None:
            log.info("dropped LLM value for %s: not stated in the conversation", fid)
            continue
        result[fid] = Extracted(value=value, source=messages[idx], message_index=idx)
    return result
