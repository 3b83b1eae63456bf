"""Form evaluation: field precision/recall/F1, invalid values caught, values invented from nothing — from a
pasted transcript (speaker labels kept) and from the same facts said turn by turn in the chat."""

from __future__ import annotations

from typing import Any

from assistant.config import Settings
from assistant.dialog import Assistant
from assistant.evaluation.datasets import FormCase, Split, load_split
from assistant.evaluation.metrics import mean, precision_recall_f1
from assistant.forms.service import FieldValue


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip().upper() == str(b).strip().upper()


def score_case(
    case: FormCase, values: dict[str, FieldValue], defaults: dict[str, Any] | None = None
) -> dict[str, Any]:
    """tp/fp/fn for one case. A wrong value for an expected field is a miss and a false value; any value in a
    field the citizen never gave (neither expected nor stated invalid) is invented. A field's default value
    (e.g. 居民身份证 as the ID type) is never counted, however it got there."""
    defaults = defaults or {}
    values = {
        k: v
        for k, v in values.items()
        if v.origin != "default"
        and v.value not in (None, "")
        and (k in case.expected or k in case.expected_invalid or not _same(v.value, defaults.get(k)))
    }
    tp = fp = fn = invented = false_alarm = 0
    problems = []
    for fid, exp in case.expected.items():
        got = values.get(fid)
        if got is not None and _same(got.value, exp):
            tp += 1
            if got.problem:
                false_alarm += 1
                problems.append(f"{fid} 误报：{got.problem}")
        else:
            fn += 1
            if got is not None:
                fp += 1
            problems.append(f"{fid}: 期望 {exp} 实得 {got.value if got else None}")
    caught = []
    for fid in case.expected_invalid:
        ok = fid in values and values[fid].problem is not None
        caught.append(1.0 if ok else 0.0)
        if not ok:
            problems.append(f"{fid} 未识别为无效（{values[fid].value if fid in values else '未提取'}）")
    for fid, got in values.items():
        if (
            fid in case.acceptable
            and fid not in case.expected
            and any(_same(got.value, a) for a in case.acceptable[fid])
        ):
            continue  # left open by the writer and filled with one of the fitting values
        if fid not in case.expected and fid not in case.expected_invalid:
            invented += 1
            fp += 1
            problems.append(f"{fid} 凭空填入 {got.value}")
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "invented": invented,
        "false_alarm": false_alarm,
        "caught": caught,
        "problems": problems,
    }


def _summary(prefix: str, scores: list[dict[str, Any]], ids: list[str]) -> dict[str, Any]:
    tp, fp, fn = (sum(s[k] for s in scores) for k in ("tp", "fp", "fn"))
    p, r, f = precision_recall_f1(tp, fp, fn)
    caught = [c for s in scores for c in s["caught"]]
    return {
        f"{prefix}cases": len(scores),
        f"{prefix}field_precision": round(p, 4),
        f"{prefix}field_recall": round(r, 4),
        f"{prefix}field_f1": round(f, 4),
        f"{prefix}invalid_caught": round(mean(caught), 4) if caught else None,
        f"{prefix}invented_values": sum(s["invented"] for s in scores),
        f"{prefix}false_alarms": sum(s["false_alarm"] for s in scores),
        f"{prefix}failures": [
            {"id": i, "problems": s["problems"]} for i, s in zip(ids, scores, strict=True) if s["problems"]
        ],
    }


def evaluate_forms(
    settings: Settings, bot: Assistant | None = None, split: Split = "test", llm: Any = None
) -> dict[str, Any]:
    """Transcript mode: the form built from the pasted conversation (with `llm`, the chat model fills what the
    deterministic reading missed). Dialog mode (with `bot`, for cases that have `turns`): the citizen's messages
    sent one by one through the assistant, then the session's draft."""
    from assistant.services import load_form_service

    service = bot.forms if bot is not None else load_form_service(settings)
    if service is None:
        raise FileNotFoundError(f"{settings.knowledge_dir / 'forms'} 中没有表单定义")
    cases = load_split("forms", FormCase, split)

    def defaults(code: str) -> dict[str, Any]:
        return {f.id: f.default for f in service.catalog.fields(code) if f.default is not None}

    scores = [
        score_case(
            c,
            service.build(c.matter_code, c.transcript, today=c.written, llm=llm).values,
            defaults(c.matter_code),
        )
        for c in cases
    ]
    out = _summary("", scores, [c.id for c in cases])
    if bot is not None:
        chat_cases = [c for c in cases if c.turns]
        chat_scores = []
        refused = tickets = 0
        for c in chat_cases:
            sid, _ = bot.new_session()
            for text in c.turns:
                ans = bot.respond(sid, text)
                # a citizen telling their facts is never refused, and nobody asked for a person
                refused += 1 if ans.mode == "refusal" else 0
                tickets += 1 if ans.handoff is not None and ans.handoff.ticket_id is not None else 0
            draft, _report = bot.form_draft(sid, c.matter_code)
            chat_scores.append(score_case(c, draft.values, defaults(c.matter_code)))
        out |= _summary("dialog_", chat_scores, [c.id for c in chat_cases])
        out["dialog_refused_turns"] = refused
        out["dialog_tickets"] = tickets
    return out
