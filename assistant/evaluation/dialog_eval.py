"""Multi-turn dialog evaluation: follow-ups, region clarification and refusals, turn by turn."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant.answer.models import Answer
from assistant.dialog import Assistant
from assistant.evaluation.datasets import DialogItem, Split, load_split
from assistant.evaluation.metrics import mean
from assistant.text.matching import contains


class DialogScores(BaseModel):
    mode: str
    dialogs: int
    turns: int
    turn_success: float
    dialog_success: float
    followup_resolution: float
    clarification_when_required: float
    failures: list[dict] = Field(default_factory=list)


def _turn_ok(ans: Answer, exp) -> tuple[bool, str]:
    if exp.refuse:
        return ans.mode == "refusal", "expected refusal"
    if exp.clarify_region:
        ok = ans.mode == "clarify" and (exp.matter_code is None or ans.matter_code == exp.matter_code)
        return ok, "expected a region question"
    if ans.mode in ("refusal", "clarify"):
        return False, f"got {ans.mode}"
    if exp.matter_code and ans.matter_code != exp.matter_code:
        return False, f"matter {ans.matter_code}"
    if exp.region and ans.region_name != exp.region:
        return False, f"region {ans.region_name}"
    if exp.aspect and ans.aspect != exp.aspect and not (exp.aspect == "faq" or ans.aspect == "faq"):
        return False, f"aspect {ans.aspect}"
    missing = [p for p in exp.key_points if not contains(ans.text, p)]
    if missing:
        return False, f"missing {missing}"
    if any(contains(ans.text, m) for m in exp.must_not):
        return False, "must_not present"
    return True, ""


def evaluate_dialogs(
    bot: Assistant,
    mode: str = "composer",
    progress: Callable[[int], None] | None = None,
    split: Split = "test",
) -> DialogScores:
    dialogs = load_split("dialogs", DialogItem, split)
    turn_ok, dialog_ok, follow_ok, clarify_ok = [], [], [], []
    failures = []
    for d in dialogs:
        sid, _ = bot.new_session()
        all_ok = True
        for i, turn in enumerate(d.turns):
            ans = bot.respond(sid, turn.user)
            ok, why = _turn_ok(ans, turn.expect)
            turn_ok.append(1.0 if ok else 0.0)
            if i > 0 and not turn.expect.refuse and not turn.expect.clarify_region:
                follow_ok.append(1.0 if ok else 0.0)
            if turn.expect.clarify_region:
                clarify_ok.append(1.0 if ok else 0.0)
            if not ok:
                all_ok = False
                failures.append(
                    {
                        "dialog": d.id,
                        "turn": i + 1,
                        "user": turn.user,
                        "why": why,
                        "mode": ans.mode,
                        "matter": ans.matter_code,
                        "aspect": ans.aspect,
                    }
                )
        dialog_ok.append(1.0 if all_ok else 0.0)
        if progress:
            progress(1)
    return DialogScores(
        mode=mode,
        dialogs=len(dialogs),
        turns=len(turn_ok),
        turn_success=round(mean(turn_ok), 4),
        dialog_success=round(mean(dialog_ok), 4),
        followup_resolution=round(mean(follow_ok), 4),
        clarification_when_required=round(mean(clarify_ok), 4),
        failures=failures,
    )
