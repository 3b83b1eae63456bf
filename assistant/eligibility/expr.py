"""Three-valued evaluation of rule expressions over partial answers: True, False or UNKNOWN.

Rules are written in a small Python-like language (and/or/not, comparisons, in, literals, answer ids).
No library evaluates with *unknown* variables and Kleene logic, which the interview needs to know which
question still matters, so this is hand-written over Python's own parser (ast), with nothing executable."""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # pragma: no cover - guarded everywhere
        raise TypeError("UNKNOWN has no truth value")


UNKNOWN: Any = _Unknown()
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
)


class ExpressionError(ValueError):
    pass


@lru_cache(maxsize=2048)
def parse(expr: str) -> ast.Expression:
    try:
        tree = ast.parse(expr.strip() or "True", mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"表达式语法错误：{expr!r}（{exc.msg}）") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"表达式中不允许 {type(node).__name__}：{expr!r}")
    return tree


def names(expr: str) -> list[str]:
    """Answer ids an expression reads, in order of appearance."""
    found = sorted(
        (node.col_offset, node.id)
        for node in ast.walk(parse(expr))
        if isinstance(node, ast.Name) and node.id not in ("true", "false", "True", "False")
    )
    out: list[str] = []
    for _, name in found:  # left to right, as the rule author wrote them
        if name not in out:
            out.append(name)
    return out


def evaluate(expr: str, answers: dict[str, Any]) -> Any:
    """True / False / UNKNOWN (when the result depends on an unanswered id)."""
    return _eval(parse(expr).body, answers)


def _eval(node: ast.AST, env: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("true", "True"):
            return True
        if node.id in ("false", "False"):
            return False
        return env.get(node.id, UNKNOWN)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, env) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, env)
        return UNKNOWN if v is UNKNOWN else (not v)
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        unknown = False
        for v in (_eval(x, env) for x in node.values):
            if v is UNKNOWN:
                unknown = True
            elif bool(v) is not is_and:  # a False in `and`, a True in `or` decides
                return not is_and
        return UNKNOWN if unknown else is_and
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, env)
            if left is UNKNOWN or right is UNKNOWN or (isinstance(right, list) and UNKNOWN in right):
                return UNKNOWN
            try:
                ok = _compare(op, left, right)
            except TypeError:
                return False
            if not ok:
                return False
            left = right
        return True
    raise ExpressionError(f"不支持的表达式：{ast.dump(node)}")


def _compare(op: ast.cmpop, a: Any, b: Any) -> bool:
    if isinstance(op, ast.Eq):
        return a == b
    if isinstance(op, ast.NotEq):
        return a != b
    if isinstance(op, ast.Lt):
        return a < b
    if isinstance(op, ast.LtE):
        return a <= b
    if isinstance(op, ast.Gt):
        return a > b
    if isinstance(op, ast.GtE):
        return a >= b
    if isinstance(op, ast.In):
        return a in b
    if isinstance(op, ast.NotIn):
        return a not in b
    raise ExpressionError(f"不支持的比较：{type(op).__name__}")
