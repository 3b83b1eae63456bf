"""The package layout holds: small modules, data flowing down, no production import of the evaluation."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from assistant.config import PROJECT_ROOT

PKG = PROJECT_ROOT / "assistant"
# who may import the evaluation package: itself and the maintainers' faces
MAY_IMPORT_EVALUATION = {"evaluation", "cli", "console"}


def _modules() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def _package_of(path: Path) -> str:
    rel = path.relative_to(PKG).parts
    return rel[0].removesuffix(".py") if rel else ""


def _imports(path: Path) -> set[str]:
    """assistant.* modules the file imports, at any depth (lazy imports inside functions count)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant."):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("assistant."))
    return out


def test_no_module_longer_than_400_lines():
    long = {
        str(p.relative_to(PROJECT_ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_every_module_opens_with_a_docstring():
    missing = [
        str(p.relative_to(PROJECT_ROOT))
        for p in _modules()
        if p.read_text(encoding="utf-8").strip()
        and ast.get_docstring(ast.parse(p.read_text("utf-8"))) is None
    ]
    assert missing == []


def test_production_code_never_imports_the_evaluation():
    offenders = [
        f"{p.relative_to(PROJECT_ROOT)} → {m}"
        for p in _modules()
        if _package_of(p) not in MAY_IMPORT_EVALUATION
        for m in _imports(p)
        if m.startswith("assistant.evaluation")
    ]
    assert offenders == []


def test_forms_do_not_import_eligibility():
    offenders = [
        str(p.relative_to(PROJECT_ROOT))
        for p in (PKG / "forms").rglob("*.py")
        if any(m.startswith("assistant.eligibility") for m in _imports(p))
    ]
    assert offenders == []


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for p in _modules():
        src = _package_of(p)
        for m in _imports(p):
            dst = m.split(".")[1]
            if dst != src:
                graph[src].add(dst)
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append(" → ".join(path[path.index(nxt) :] + [nxt]))
            elif len(path) < 12:
                visit(nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []
