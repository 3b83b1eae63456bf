"""Who said what in a pasted conversation: lines labelled 用户：/助手： (群众/工作人员, Q/A, 问/答…) become
citizen and assistant utterances. Only citizen lines are sources of values; an assistant line tells which
fields its question asks. Unlabelled text is the citizen's."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

_CITIZEN = r"用户|群众|市民|申请人|办事人|办事群众|客户|居民|我|Q|问|user|citizen"
_ASSISTANT = r"助手|小助手|智能助手|工作人员|客服|智能客服|窗口|机器人|系统|AI|A|答|assistant|bot|agent"
_LABEL = re.compile(rf"^\s*[【\[]?\s*({_CITIZEN}|{_ASSISTANT})\s*[】\]]?\s*[:：]\s*", re.I)
_ASSISTANT_RE = re.compile(rf"^(?:{_ASSISTANT})$", re.I)


class Utterance(BaseModel):
    speaker: Literal["citizen", "assistant"]
    text: str
    message_index: int


def split_speakers(messages: list[str]) -> list[Utterance]:
    """The conversation as utterances, in order. A message may hold a whole pasted transcript: its lines are
    split, and an unlabelled line continues the previous speaker."""
    out: list[Utterance] = []
    for i, msg in enumerate(messages):
        speaker: Literal["citizen", "assistant"] = "citizen"
        for line in (msg or "").splitlines():
            if not line.strip():
                continue
            m = _LABEL.match(line)
            if m:
                speaker = "assistant" if _ASSISTANT_RE.match(m.group(1)) else "citizen"
                line = line[m.end() :]
            if line.strip():
                out.append(Utterance(speaker=speaker, text=line.strip(), message_index=i))
    return out
