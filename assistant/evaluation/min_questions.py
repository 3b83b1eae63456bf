"""The fewest questions that decide an eligibility case, by brute force over the rules' dependencies: the
smallest set of answered questions, each askable (its depends_on holds within the set), under which the
first rule not known to be false is known to be true. Independent of the engine's choice of question order;
it reuses only the rule language itself (three-valued evaluation, questions that no longer apply)."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from assistant.eligibility.expr import UNKNOWN, evaluate
from assistant.eligibility.rules import RuleSet


def decided_rule(rs: RuleSet, known: dict[str, Any]) -> str | None:
    """The id of the rule that decides with these answers, None while an earlier rule is still unknown."""
    env = rs.environment(known)
    for rule in rs.rules:
        v = evaluate(rule.when, env)
        if v is UNKNOWN:
            return None
        if v is True:
            return rule.id
    return None


def _askable(rs: RuleSet, subset: dict[str, Any]) -> bool:
    for qid in subset:
        q = rs.question(qid)
        if q.depends_on and evaluate(q.depends_on, rs.environment(subset)) is not True:
            return False
    return True


def minimal_questions(rs: RuleSet, answers: dict[str, Any]) -> int | None:
    """Size of the smallest askable subset of `answers` that decides the same rule as all of them; None when
    the answers do not decide any rule."""
    target = decided_rule(rs, answers)
    if target is None:
        return None
    ids = [q.id for q in rs.questions if q.id in answers]
    for size in range(0, len(ids) + 1):
        for combo in combinations(ids, size):
            subset = {i: answers[i] for i in combo}
            if decided_rule(rs, subset) == target and _askable(rs, subset):
                return size
    return None
