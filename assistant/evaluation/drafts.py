"""Turn a stored conversation (e.g. a low-rated answer) into draft eval items for a maintainer to complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.evaluation.datasets import EVAL_DIR
from assistant.masking import mask
from assistant.store import Store

DRAFTS_FILE = EVAL_DIR / "drafts.jsonl"


def draft_from_session(store: Store, session_id: str, out: Path = DRAFTS_FILE) -> dict[str, Any]:
    """A dialog item with one turn per user message; expectations pre-filled from what the assistant did,
    marked `todo` so nobody mistakes them for checked gold answers. Personal data is masked."""
    msgs = store.messages(session_id)
    if not msgs:
        raise LookupError(f"会话 {session_id} 不存在或没有消息。")
    feedback = {f["message_id"]: f for f in store.feedback() if f["session_id"] == session_id}
    turns = []
    for i, m in enumerate(msgs):
        if m["role"] != "user":
            continue
        reply = next((x for x in msgs[i + 1 :] if x["role"] == "assistant"), None)
        payload = (reply or {}).get("payload") or {}
        fb = feedback.get((reply or {}).get("id"))
        turns.append(
            {
                "user": mask(m["text"]),
                "expect": {
                    "matter_code": payload.get("matter_code"),
                    "region": payload.get("region_name"),
                    "aspect": payload.get("aspect"),
                    "refuse": payload.get("mode") == "refusal",
                    "key_points": [],
                },
                "assistant_said": mask((reply or {}).get("text", ""))[:300],
                "rating": fb["stars"] if fb else None,
            }
        )
    item = {
        "id": f"draft-{session_id}",
        "todo": "核对每轮 expect 并补充 key_points 后移入 eval/dev/dialogs.jsonl（来自真实会话、看过失败的题只能进开发集）",
        "turns": turns,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return item
