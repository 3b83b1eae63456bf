"""The eligibility interview: ask only what the rules still need, explain the outcome with its condition,
and turn the answers into a personalised materials checklist."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.eligibility.expr import UNKNOWN, evaluate, names
from assistant.eligibility.parsing import Unparsed, parse_answer
from assistant.eligibility.rules import Outcome, Question, RuleFileError, RuleSet
from assistant.guides.material_region import applies_in
from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import MatterGuide

WHY_RE = re.compile(r"为什么|为啥|干嘛问|问这个干|有什么用")
RESTART_RE = re.compile(r"^(重新开始|重来|从头再来|重新预审|再来一次)")
BACK_RE = re.compile(r"^(上一步|返回上一|改上一个|刚才(说|答)错了|上一题)")


class QuestionOut(BaseModel):
    id: str
    text: str
    type: str
    choices: list[dict[str, str]] = Field(default_factory=list)
    why: str
    unit: str = ""


class ChecklistEntry(BaseModel):
    name: str
    required: bool
    situation: str = ""
    waiver: str = Field("", description="免提交说明；非空表示无需自行提交")
    source: str = ""


class EligibilityResult(BaseModel):
    outcome: Outcome
    message: str
    rule_id: str
    condition: str
    condition_source: str
    legal_basis: str = ""
    guide_id: str
    guide_name: str
    region_name: str
    updated_at: str
    checklist: list[ChecklistEntry]
    next_steps: list[str]
    answers: dict[str, Any]
    questions_asked: int


class EligibilityState(BaseModel):
    matter_code: str
    guide_id: str
    answers: dict[str, Any] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list, description="question ids in the order answered")
    pending: str | None = None
    done: bool = False
    paused: bool = False


class Step(BaseModel):
    kind: Literal["question", "result", "why", "reask"]
    text: str
    question: QuestionOut | None = None
    result: EligibilityResult | None = None


class Engine:
    def __init__(self, rulesets: dict[str, RuleSet], registry: RegionRegistry):
        self.rulesets = rulesets
        self.registry = registry

    def has_rules(self, matter_code: str) -> bool:
        return matter_code in self.rulesets

    # -- core -----------------------------------------------------------------------------------
    def _next_needed(self, rs: RuleSet, env: dict[str, Any], expr: str) -> Question | None:
        for qid in names(expr):
            if qid in env:
                continue
            q = rs.question(qid)
            if q.depends_on:
                dep = evaluate(q.depends_on, env)
                if dep is UNKNOWN:
                    inner = self._next_needed(rs, env, q.depends_on)
                    if inner is not None:
                        return inner
                    continue
            return q
        return None

    def decide(self, rs: RuleSet, answers: dict[str, Any]) -> tuple[Question | None, int | None]:
        """(question to ask, None) or (None, index of the deciding rule)."""
        env = rs.environment(answers)
        for i, rule in enumerate(rs.rules):
            v = evaluate(rule.when, env)
            if v is True:
                return None, i
            if v is UNKNOWN:
                q = self._next_needed(rs, env, rule.when)
                if q is not None:
                    return q, None
        return None, len(rs.rules) - 1

    # -- steps ----------------------------------------------------------------------------------
    def start(self, matter_code: str, guide: MatterGuide) -> tuple[EligibilityState, Step]:
        state = EligibilityState(matter_code=matter_code, guide_id=guide.id)
        step = self.step(state, guide)
        rs = self.rulesets[matter_code]
        if step.kind == "question" and rs.intro:
            step.text = f"{rs.intro}\n{step.text}"
        return state, step

    def step(self, state: EligibilityState, guide: MatterGuide) -> Step:
        rs = self.rulesets[state.matter_code]
        q, rule_idx = self.decide(rs, state.answers)
        if q is not None:
            state.pending, state.done = q.id, False
            return Step(kind="question", text=self._ask_text(q, len(state.order) + 1), question=_qout(q))
        if rule_idx is None:  # decide() returns a question or a rule; a rule set ends with a catch-all
            raise RuleFileError(rs.matter_code, ["没有适用的规则（规则文件缺少兜底规则 when: true）"])
        state.pending, state.done = None, True
        result = self._result(rs, rs.rules[rule_idx], state, guide)
        return Step(kind="result", text=_result_text(result), result=result)

    def reply(
        self, state: EligibilityState, text: str, guide: MatterGuide, today: date | None = None
    ) -> Step:
        """Free text from the user while a question is pending."""
        t = text.strip()
        if RESTART_RE.search(t):
            state.answers, state.order = {}, []
            return self.step(state, guide)
        if BACK_RE.search(t) and state.order:
            last = state.order.pop()
            state.answers.pop(last, None)
            return self.step(state, guide)
        if state.pending is None:
            return self.step(state, guide)
        q = self.rulesets[state.matter_code].question(state.pending)
        if WHY_RE.search(t):
            return Step(kind="why", text=f"问这个是因为：{q.why}\n{q.text}", question=_qout(q))
        try:
            value = parse_answer(t, q, self.registry, today)
        except Unparsed:
            return Step(kind="reask", text=f"没听明白您的回答。{self._hint(q)}\n{q.text}", question=_qout(q))
        return self.set_answer(state, q.id, value, guide)

    def set_answer(self, state: EligibilityState, qid: str, value: Any, guide: MatterGuide) -> Step:
        """Record (or change) an answer; answers that no longer apply are dropped."""
        rs = self.rulesets[state.matter_code]
        rs.question(qid)  # KeyError for an unknown id
        state.answers[qid] = value
        if qid in state.order:
            state.order.remove(qid)
        state.order.append(qid)
        env = rs.environment(state.answers)
        for q in rs.questions:  # a changed answer can make later ones irrelevant
            if (
                q.id in state.answers
                and q.depends_on
                and evaluate(q.depends_on, {**env, q.id: state.answers[q.id]}) is False
            ):
                state.answers.pop(q.id)
                state.order.remove(q.id)
        return self.step(state, guide)

    def evaluate_answers(
        self, matter_code: str, answers: dict[str, Any], guide: MatterGuide
    ) -> tuple[Step, int]:
        """Run a whole interview from a given answer set; returns the final step and questions asked."""
        state = EligibilityState(matter_code=matter_code, guide_id=guide.id)
        asked = 0
        step = self.step(state, guide)
        while step.kind == "question":
            qid = step.question.id if step.question else ""
            if qid not in answers:
                return step, asked
            asked += 1
            step = self.set_answer(state, qid, answers[qid], guide)
        return step, asked

    # -- rendering ------------------------------------------------------------------------------
    @staticmethod
    def _ask_text(q: Question, n: int) -> str:
        opts = ""
        if q.type == "choice":
            opts = "（" + " / ".join(c.label for c in q.choices) + "）"
        elif q.type == "yesno":
            opts = "（是 / 否）"
        return f"第{n}问：{q.text}{opts}"

    @staticmethod
    def _hint(q: Question) -> str:
        return {
            "yesno": "请回答“是”或“否”。",
            "number": f"请回答一个数字{('（单位：' + q.unit + '）') if q.unit else ''}。",
            "date": "请回答日期，例如 2025年3月5日。",
            "choice": "请从以下选项中选一个：" + "、".join(c.label for c in q.choices) + "。",
            "region": "请回答所在的市或区县，例如 长沙市、芙蓉区。",
        }[q.type]

    def _result(self, rs: RuleSet, rule, state: EligibilityState, guide: MatterGuide) -> EligibilityResult:
        env = rs.environment(state.answers)
        situational = {c.material for c in rs.checklist if evaluate(c.when, env) is True}
        # a material the rules tie to a situation is listed only in that situation, even when the guide marks
        # it 必要 (a 未婚 applicant is not told to bring a 结婚证)
        conditional = {c.material for c in rs.checklist}
        checklist = [
            ChecklistEntry(
                name=m.name, required=m.required, situation=m.situation, waiver=m.waiver, source=m.source
            )
            for m in guide.materials
            if ((m.required and m.name not in conditional) or m.name in situational) and applies_in(m, guide)
        ]
        steps = []
        if rule.outcome == Outcome.INELIGIBLE:  # nothing to apply for: the reason, and whom to ask
            if guide.contact.consultation:
                steps.append(f"如有疑问请咨询：{'、'.join(guide.contact.consultation)}，或转人工。")
        if guide.online_entry and rule.outcome != Outcome.INELIGIBLE:
            steps.append(f"网上办理：{guide.online_entry}")
        for loc in guide.locations[:2] if rule.outcome != Outcome.INELIGIBLE else []:
            steps.append(
                f"窗口办理：{loc.name}"
                + (f"（{loc.address}）" if loc.address and loc.address != loc.name else "")
                + (f"，办公时间：{loc.hours}" if loc.hours else "")
            )
        if guide.contact.consultation and rule.outcome != Outcome.INELIGIBLE:
            steps.append(f"咨询电话：{'、'.join(guide.contact.consultation)}")
        return EligibilityResult(
            outcome=rule.outcome,
            message=rule.message,
            rule_id=rule.id,
            condition=rule.condition,
            condition_source=rule.source,
            legal_basis=rule.legal_basis,
            guide_id=guide.id,
            guide_name=guide.name,
            region_name=guide.region_name,
            updated_at=guide.updated_at,
            checklist=checklist,
            next_steps=steps,
            answers=dict(state.answers),
            questions_asked=len(state.order),
        )


def _qout(q: Question) -> QuestionOut:
    return QuestionOut(
        id=q.id,
        text=q.text,
        type=q.type,
        choices=[c.model_dump(exclude={"keywords"}) for c in q.choices],
        why=q.why,
        unit=q.unit,
    )


def _result_text(r: EligibilityResult) -> str:
    lines = [f"【{r.guide_name}·{r.region_name}】预审结果：{r.outcome.value}", r.message]
    if r.condition:
        lines.append(f"依据（{r.condition_source or '办事指南'}）：{r.condition}")
    if r.legal_basis:
        lines.append(f"法律依据：{r.legal_basis}")
    if r.checklist and r.outcome != Outcome.INELIGIBLE:
        lines.append("您需要准备的材料：")
        for i, c in enumerate(r.checklist, 1):
            note = "（免提交：" + c.waiver + "）" if c.waiver else ""
            tag = "" if c.required else f"〔因您的情况需要：{c.situation or '情形材料'}〕"
            lines.append(f"{i}. {c.name}{note}{tag}")
    if r.next_steps:
        lines.append("下一步：")
        lines += [f"· {s}" for s in r.next_steps]
    lines.append(
        f"来源：{r.guide_name}（{r.region_name}）办事指南，更新于 {r.updated_at}。预审结果仅供参考，以窗口受理为准。"
    )
    return "\n".join(lines)
