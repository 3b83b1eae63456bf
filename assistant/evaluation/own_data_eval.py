"""Citizens giving their own personal data: never refused as manipulation, never sent to 转人工, and the
question in the message still answered with the right matter."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.dialog import Assistant
from assistant.evaluation.datasets import OwnDataItem, load_split
from assistant.evaluation.metrics import mean


class OwnDataScores(BaseModel):
    n: int
    not_refused: float = Field(..., description="share of messages answered without refusal or ticket")
    matter_accuracy: float | None = Field(
        None, description="share of messages naming a matter whose answer (or form) is about that matter"
    )
    tickets: int
    failures: list[dict] = Field(default_factory=list)


def evaluate_own_data(bot: Assistant, split: str = "test") -> OwnDataScores:
    items = load_split("own_data", OwnDataItem, split)  # type: ignore[arg-type]
    ok, matter_ok, failures = [], [], []
    tickets = 0
    for it in items:
        sid, _ = bot.new_session()
        for text in it.setup:
            bot.respond(sid, text)
        ans = bot.respond(sid, it.message)
        ticket = ans.handoff is not None and ans.handoff.ticket_id is not None
        refused = ans.mode == "refusal" or ticket
        tickets += 1 if ticket else 0
        ok.append(0.0 if refused else 1.0)
        if it.matter_code:
            matter_ok.append(1.0 if ans.matter_code == it.matter_code and not refused else 0.0)
        if refused or (it.matter_code and ans.matter_code != it.matter_code):
            failures.append(
                {
                    "id": it.id,
                    "message": it.message,
                    "expected": it.matter_code,
                    "got": ans.matter_code,
                    "mode": ans.mode,
                    "reason": ans.handoff.reason if ans.handoff else None,
                }
            )
    return OwnDataScores(
        n=len(items),
        not_refused=round(mean(ok), 4),
        matter_accuracy=round(mean(matter_ok), 4) if matter_ok else None,
        tickets=tickets,
        failures=failures,
    )
