"""Eligibility rules as data (knowledge/rules/<matter_code>.yaml), validated on load."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.eligibility.expr import ExpressionError, evaluate, names, parse
from assistant.text.values import Choice

NOT_APPLICABLE = None  # the value of a question whose depends_on is false


class Outcome(StrEnum):
    ELIGIBLE = "可以办理"
    INELIGIBLE = "不符合条件"
    VERIFY = "需要窗口核实"


class Question(BaseModel):
    id: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$")
    text: str
    type: Literal["yesno", "choice", "number", "date", "region"]
    choices: list[Choice] = Field(default_factory=list)
    why: str = Field(..., min_length=1, description="为什么问这个")
    depends_on: str = Field("", description="仅当该表达式为真时才问")
    unit: str = ""

    @model_validator(mode="after")
    def _choices_for_choice(self) -> Question:
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError("choice 类型的问题至少要有两个选项")
        return self


class Rule(BaseModel):
    id: str
    when: str = Field(..., description="对回答的表达式；按顺序第一个为真的规则决定结果")
    outcome: Outcome
    message: str
    condition: str = Field("", description="所依据的指南受理条件或说明原文")
    source: str = Field("", description="条件出处：指南章节，如 受理条件、常见问题、申请材料说明")
    legal_basis: str = ""


class ChecklistItem(BaseModel):
    material: str = Field(..., description="指南中的材料名称（原文）")
    when: str = Field(..., description="该情形材料适用的表达式")


class RuleSet(BaseModel):
    matter_code: str
    title: str
    intro: str = ""
    questions: list[Question]
    rules: list[Rule] = Field(..., min_length=1)
    checklist: list[ChecklistItem] = Field(default_factory=list)

    def environment(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers plus NOT_APPLICABLE for every question whose depends_on is already false."""
        env = dict(answers)
        changed = True
        while changed:
            changed = False
            for q in self.questions:
                if q.id not in env and q.depends_on and evaluate(q.depends_on, env) is False:
                    env[q.id] = NOT_APPLICABLE
                    changed = True
        return env

    def question(self, qid: str) -> Question:
        """The question with this id; KeyError (not StopIteration) for an unknown one."""
        found = next((q for q in self.questions if q.id == qid), None)
        if found is None:
            raise KeyError(qid)
        return found


class RuleFileError(ValueError):
    def __init__(self, path: Path | str, problems: list[str]):
        self.path, self.problems = str(path), problems
        super().__init__(f"{path}: " + "；".join(problems))


def validate_ruleset(rs: RuleSet, path: Path | str, material_names: set[str] | None = None) -> None:
    """Unknown question ids, broken expressions, dependency cycles, unreachable rules, unknown materials."""
    problems: list[str] = []
    ids = [q.id for q in rs.questions]
    if len(set(ids)) != len(ids):
        problems.append("问题 id 重复")
    known = set(ids)

    def check(expr: str, where: str) -> None:
        try:
            parse(expr)
            unknown = [n for n in names(expr) if n not in known]
        except ExpressionError as exc:
            problems.append(f"{where}: {exc}")
            return
        if unknown:
            problems.append(f"{where}: 引用了不存在的问题 {unknown}")

    for q in rs.questions:
        if q.depends_on:
            check(q.depends_on, f"问题 {q.id} 的 depends_on")
    for r in rs.rules:
        check(r.when, f"规则 {r.id}")
    for c in rs.checklist:
        check(c.when, f"材料 {c.material}")
        if material_names is not None and c.material not in material_names:
            problems.append(f"材料 {c.material} 不在该事项的指南中")
    # cycles in depends_on
    deps = {
        q.id: [n for n in names(q.depends_on) if n in known] if q.depends_on else [] for q in rs.questions
    }
    state: dict[str, int] = {}

    def visit(n: str, stack: list[str]) -> None:
        if state.get(n) == 1:
            problems.append(f"问题依赖成环：{' → '.join([*stack, n])}")
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for m in deps.get(n, []):
            visit(m, [*stack, n])
        state[n] = 2

    for q in ids:
        visit(q, [])
    # a rule after an unconditional one can never fire
    for i, r in enumerate(rs.rules):
        if r.when.strip() in ("true", "True") and i < len(rs.rules) - 1:
            problems.append(f"规则 {rs.rules[i + 1].id} 永远不会生效（前面的规则 {r.id} 总是为真）")
    if rs.rules[-1].when.strip() not in ("true", "True"):
        problems.append(f"最后一条规则 {rs.rules[-1].id} 应为兜底规则（when: true）")
    if problems:
        raise RuleFileError(path, problems)


def load_ruleset(path: Path, material_names: set[str] | None = None) -> RuleSet:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        rs = RuleSet.model_validate(data)
    except yaml.YAMLError as exc:
        raise RuleFileError(path, [f"YAML 语法错误：{exc}"]) from exc
    except ValidationError as exc:
        raise RuleFileError(
            path, [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        ) from exc
    validate_ruleset(rs, path, material_names)
    return rs


def load_all(rules_dir: Path, materials_by_matter: dict[str, set[str]] | None = None) -> dict[str, RuleSet]:
    out: dict[str, RuleSet] = {}
    for p in sorted(Path(rules_dir).glob("*.yaml")):
        code = p.stem
        rs = load_ruleset(p, (materials_by_matter or {}).get(code))
        out[rs.matter_code] = rs
    return out
