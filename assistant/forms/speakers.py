"""Who said what in a pasted conversation: lines labelled 用户：/助手： (群众/工作人员, Q/A, 问/答…) become
citizen and assistant utterances. Only citizen lines are sources of values; an assistant line tells which
fields its question asks. Unlabelled text is the citizen's."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from assistant.text.synonyms import plain_words

_CITIZEN = r"用户|群众|市民|申请人|办事人|办事群众|客户|居民|我|Q|问|user|citizen"
_ASSISTANT = r"助手|小助手|智能助手|工作人员|客服|智能客服|窗口|机器人|系统|AI|A|答|assistant|bot|agent"
_LABEL = re.compile(rf"^\s*[【\[]?\s*({_CITIZEN}|{_ASSISTANT})\s*[】\]]?\s*[:：]\s*", re.I)
_ASSISTANT_RE = re.compile(rf"^(?:{_ASSISTANT})$", re.I)


class Utterance(BaseModel):
    speaker: Literal["citizen", "assistant"]
    text: str
    message_index: int


_ASSISTANT_LABELS = {
    "助手",
    "小助手",
    "智能助手",
    "工作人员",
    "客服",
    "智能客服",
    "窗口",
    "机器人",
    "系统",
    "ai",
    "assistant",
    "bot",
    "agent",
}
_AMBIGUOUS = {"q": "citizen", "问": "citizen", "a": "assistant", "答": "assistant"}
_ASKS = re.compile(r"您|请(?:问|提供|报|说|留)|[？?]\s*$")
_GIVES = re.compile(r"\d{7,}|^(?:我|本人)")


def _ambiguous_sides(lines: list[tuple[str, str]]) -> dict[str, str]:
    """Q/A and 问/答 name who asks, which is the citizen in a consultation but the clerk in an interview for
    a form ("Q：请报一下您的姓名和身份证号。" "A：郑凯文，4307…"): the side that asks for details is the clerk."""
    asks: dict[str, int] = {}
    gives: dict[str, int] = {}
    for label, text in lines:
        asks[label] = asks.get(label, 0) + bool(_ASKS.search(text))
        gives[label] = gives.get(label, 0) + bool(_GIVES.search(text))
    out = dict(_AMBIGUOUS)
    for q, a in (("q", "a"), ("问", "答")):
        if q in asks and a in asks and asks[q] - gives[q] > asks[a] - gives[a]:
            out[q], out[a] = "assistant", "citizen"
    return out


# full-width digits and Latin letters ("１５１７３…", "Ｘ") as their ASCII forms; Chinese punctuation is kept
_HALF_WIDTH = {
    c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def split_speakers(messages: list[str]) -> list[Utterance]:
    """The conversation as utterances, in order. A message may hold a whole pasted transcript: its lines are
    split, and an unlabelled line continues the previous speaker."""
    labelled: list[tuple[int, str | None, str]] = []
    for i, msg in enumerate(messages):
        for line in (msg or "").splitlines():
            if not line.strip():
                continue
            m = _LABEL.match(line)
            label = m.group(1).lower() if m else None
            said = (line[m.end() :] if m else line).translate(_HALF_WIDTH)
            labelled.append((i, label, plain_words(said) if label not in _ASSISTANT_LABELS else said))
    sides = _ambiguous_sides([(lb, t) for _, lb, t in labelled if lb in _AMBIGUOUS])
    out: list[Utterance] = []
    speaker: Literal["citizen", "assistant"] = "citizen"
    current = -1
    for i, label, text in labelled:
        if i != current:  # each message starts with the citizen unless labelled
            speaker, current = "citizen", i
        if label is not None:
            if label in sides:
                speaker = "assistant" if sides[label] == "assistant" else "citizen"
            else:
                speaker = "assistant" if _ASSISTANT_RE.match(label) else "citizen"
        if text.strip():
            out.append(Utterance(speaker=speaker, text=text.strip(), message_index=i))
    return out
