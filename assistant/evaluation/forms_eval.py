"""Form evaluation: field precision/recall/F1, invalid values caught, values invented from nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.evaluation.datasets import EVAL_DIR, read_jsonl
from assistant.evaluation.metrics import mean, precision_recall_f1

EVAL_TODAY = date(2026, 11, 29)  # the date the form cases were written against (relative dates, age windows)


class FormCase(BaseModel):
    id: str
    matter_code: str
    transcript: list[str]
    expected: dict[str, Any]
    expected_invalid: list[str] = Field(default_factory=list)
    must_be_empty: list[str] = Field(default_factory=list)


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip().upper() == str(b).strip().upper()


def evaluate_forms(settings: Settings) -> dict[str, Any]:
    """precision = correct filled / all filled among expected+must_be_empty fields; recall = correct / expected;
    invalid_caught = share of expected-invalid fields flagged; invented = fields in must_be_empty that got a value."""
    from assistant.services import load_form_service

    service = load_form_service(settings)
    if service is None:
        raise FileNotFoundError(f"{settings.knowledge_dir / 'forms'} 中没有表单定义")
    cases = read_jsonl(EVAL_DIR / "forms.jsonl", FormCase)
    tp = fp = fn = 0
    caught, invented, false_alarm = [], 0, 0
    failures = []
    for c in cases:
        draft = service.build(c.matter_code, c.transcript, today=EVAL_TODAY)
        values = {k: v for k, v in draft.values.items() if v.origin != "default"}
        case_fail = []
        for fid, exp in c.expected.items():
            got = values.get(fid)
            if got is not None and _same(got.value, exp):
                tp += 1
                if got.problem and fid not in c.expected_invalid:
                    false_alarm += 1
                    case_fail.append(f"{fid} 误报：{got.problem}")
            else:
                fn += 1
                if got is not None:
                    fp += 1
                case_fail.append(f"{fid}: 期望 {exp} 实得 {got.value if got else None}")
        for fid in c.expected_invalid:
            ok = fid in values and values[fid].problem is not None
            caught.append(1.0 if ok else 0.0)
            if not ok:
                case_fail.append(f"{fid} 未识别为无效")
        for fid in c.must_be_empty:
            if fid in values:
                invented += 1
                fp += 1
                case_fail.append(f"{fid} 凭空填入 {values[fid].value}")
        if case_fail:
            failures.append({"id": c.id, "problems": case_fail})
    p, r, f = precision_recall_f1(tp, fp, fn)
    return {
        "cases": len(cases),
        "field_precision": round(p, 4),
        "field_recall": round(r, 4),
        "field_f1": round(f, 4),
        "invalid_caught": round(mean(caught), 4),
        "invented_values": invented,
        "false_alarms": false_alarm,
        "failures": failures,
    }
