"""Dataset hygiene, per split: items refer to real matters, key points occur in the guide, no duplicates,
no test item repeating a dev item, no_alias questions free of names and aliases, eligibility and form items
consistent with their rules and forms."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from assistant.answer.composer import ASPECT_TO_SECTION
from assistant.config import Settings
from assistant.evaluation.datasets import (
    EVAL_DIR,
    SPLITS,
    DatasetError,
    DialogItem,
    EligibilityCase,
    FormCase,
    MultiAspectItem,
    OwnDataItem,
    QAItem,
    RefusalItem,
    RetrievalItem,
    cross_split_duplicates,
    read_jsonl,
    split_path,
)
from assistant.guides.loader import load_guides
from assistant.guides.regions import RegionRegistry
from assistant.guides.schema import MatterGuide
from assistant.text.matching import contains, normalize_for_match

SETS = {
    "retrieval": RetrievalItem,
    "qa": QAItem,
    "qa_multi": MultiAspectItem,
    "qa_refusal": RefusalItem,
    "dialogs": DialogItem,
    "eligibility": EligibilityCase,
    "forms": FormCase,
    "own_data": OwnDataItem,
}


class CheckResult(BaseModel):
    counts: dict[str, int] = Field(default_factory=dict, description="<split>/<set> -> items")
    problems: list[str] = Field(default_factory=list)
    coverage: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="matter -> aspect/section -> items (test split)"
    )

    def print(self, console: Console) -> None:
        console.print("评测集条目数：", self.counts)
        aspects = sorted({a for v in self.coverage.values() for a in v})
        t = Table("事项", *aspects, title="测试集覆盖情况（事项 × 方面）")
        for code, row in sorted(self.coverage.items()):
            t.add_row(code, *[str(row.get(a, 0)) for a in aspects])
        console.print(t)
        if self.problems:
            console.print(f"[red]发现 {len(self.problems)} 个问题：[/red]")
            for p in self.problems[:100]:
                console.print(f"  - {p}")
        else:
            console.print("[green]评测集检查通过。[/green]")


def _guide_text(g: MatterGuide) -> str:
    return json.dumps(g.model_dump(mode="json"), ensure_ascii=False)


class _Checker:
    def __init__(self, settings: Settings, root: Path):
        guides, errors = load_guides(settings.guides_dir)
        self.registry = RegionRegistry.load(settings.knowledge_dir / "regions.yaml")
        self.by_code: dict[str, list[MatterGuide]] = {}
        for g in guides:
            self.by_code.setdefault(g.matter_code, []).append(g)
        self.settings = settings
        self.root = root
        self.result = CheckResult(problems=[str(e) for e in errors])
        self.coverage: dict[str, Counter] = {}

    def problem(self, text: str) -> None:
        self.result.problems.append(text)

    def guide_for(self, code: str, region: str | None) -> MatterGuide | None:
        options = self.by_code.get(code, [])
        if region:
            reg = self.registry.find_by_name(region)
            lineage = [r.code for r in self.registry.lineage(reg.code)] if reg else []
            # the region's own guide or one of a region above it, nearest first; else one of a district in it
            # (株洲市 asked, only 荷塘区's guide)
            inside = [g for g in options if reg and reg.code in self.registry.lineage_codes(g.region_code)]
            options = (
                sorted(
                    (g for g in options if g.region_code in lineage),
                    key=lambda g: lineage.index(g.region_code),
                )
                or inside
                or options
            )
        return options[0] if options else None

    def key_points(self, where: str, g: MatterGuide, points: list[str], must_not: list[str]) -> None:
        text = _guide_text(g)
        for kp in points:
            days = kp.removesuffix("个工作日")
            if kp.endswith("个工作日") and days.replace(".", "").isdigit():
                allowed = {g.promised_days, *[lm.promised_days for lm in g.linked_matters]}
                if float(days) not in {float(a) for a in allowed if a is not None}:
                    self.problem(f"{where}: 时限要点“{kp}”与指南 {g.id} 不符")
            elif kp == "不收费":
                if g.fee.charged:
                    self.problem(f"{where}: 指南 {g.id} 标注收费，要点却是“不收费”")
            elif not contains(text, kp):
                self.problem(f"{where}: 要点“{kp}”不在指南 {g.id} 中")
        for mn in must_not:
            if contains(text, mn):
                self.problem(f"{where}: 禁止出现的“{mn}”其实在指南 {g.id} 中")

    def load(self, split: str, name: str) -> list:
        path = split_path(name, split, self.root)  # type: ignore[arg-type]
        try:
            items = read_jsonl(path, SETS[name])
        except (DatasetError, FileNotFoundError) as exc:
            self.problem(str(exc))
            return []
        self.result.counts[f"{split}/{name}"] = len(items)
        return items

    def matter(self, where: str, code: str | None) -> bool:
        if code and code not in self.by_code:
            self.problem(f"{where}: 事项 {code} 不存在")
            return False
        return True

    def run(self) -> CheckResult:
        loaded: dict[tuple[str, str], list] = {}
        for split in SPLITS:
            ids: set[str] = set()
            for name in SETS:
                items = loaded[(split, name)] = self.load(split, name)
                seen: set[str] = set()
                for it in items:
                    where = f"{split}/{name} {it.id}"
                    if it.id in ids:
                        self.problem(f"{where}: id 重复")
                    ids.add(it.id)
                    key = normalize_for_match(
                        json.dumps(it.model_dump(mode="json", exclude={"id"}), ensure_ascii=False)
                    )
                    if key in seen:
                        self.problem(f"{where}: 与同一文件中的另一条完全相同")
                    seen.add(key)
                    getattr(self, f"_{name}")(where, it, split)
        for name in SETS:
            for dev_id, test_id, sim in cross_split_duplicates(loaded[("dev", name)], loaded[("test", name)]):
                self.problem(f"{name}: 测试题 {test_id} 与开发题 {dev_id} 重复或几乎相同（{sim}）")
        self.result.coverage = {k: dict(v) for k, v in self.coverage.items()}
        return self.result

    def _retrieval(self, where: str, it: RetrievalItem, split: str) -> None:
        if not self.matter(where, it.matter_code):
            return
        if it.section not in {s.value for s in ASPECT_TO_SECTION.values()}:
            self.problem(f"{where}: 未知章节 {it.section}")
        if it.style == "no_alias":
            q = normalize_for_match(it.question)
            for g in self.by_code[it.matter_code]:
                for n in (g.name.replace("“", "").replace("”", ""), *g.aliases):
                    if normalize_for_match(n) in q:
                        self.problem(f"{where}: 标为 no_alias 却含有名称或别名“{n}”")
        if split == "test":
            self.coverage.setdefault(it.matter_code, Counter())[f"r:{it.section}"] += 1

    def _qa(self, where: str, it: QAItem, split: str) -> None:
        if not self.matter(where, it.matter_code):
            return
        g = self.guide_for(it.matter_code, it.region)
        if g is not None:
            self.key_points(where, g, it.key_points, it.must_not)
        if split == "test":
            self.coverage.setdefault(it.matter_code, Counter())[f"q:{it.aspect}"] += 1

    def _qa_multi(self, where: str, it: MultiAspectItem, split: str) -> None:
        if not self.matter(where, it.matter_code):
            return
        if set(it.key_points) - set(it.aspects):
            self.problem(f"{where}: 要点所属方面不在 aspects 中")
        g = self.guide_for(it.matter_code, it.region)
        if g is not None:
            self.key_points(where, g, [p for ps in it.key_points.values() for p in ps], it.must_not)

    def _qa_refusal(self, where: str, it: RefusalItem, split: str) -> None:
        if it.category == "in_scope" and not it.matter_code:
            self.problem(f"{where}: in_scope 题需要 matter_code")
        self.matter(where, it.matter_code)

    def _own_data(self, where: str, it: OwnDataItem, split: str) -> None:
        self.matter(where, it.matter_code)

    def _dialogs(self, where: str, d: DialogItem, split: str) -> None:
        for i, t in enumerate(d.turns, 1):
            e, w = t.expect, f"{where} 第{i}轮"
            if not self.matter(w, e.matter_code):
                continue
            if e.refuse and (e.matter_code or e.key_points):
                self.problem(f"{w}: 拒答轮不应带事项或要点")
            if e.clarify_region and e.matter_code:
                cities = {self._city(g.region_code) for g in self.by_code.get(e.matter_code, [])}
                if len(cities) < 2:
                    self.problem(f"{w}: 事项只有一个地区，不应追问地区")
            if (e.key_points or e.must_not) and e.matter_code:
                g = self.guide_for(e.matter_code, e.region)
                if g is not None:
                    self.key_points(w, g, e.key_points, e.must_not)

    def _city(self, region_code: str) -> str:
        lineage = self.registry.lineage(region_code)
        return next((r.code for r in lineage if r.level == "city"), region_code)

    def _eligibility(self, where: str, c: EligibilityCase, split: str) -> None:
        from assistant.eligibility.rules import load_ruleset

        if not self.matter(where, c.matter_code):
            return
        path = self.settings.knowledge_dir / "rules" / f"{c.matter_code}.yaml"
        if not path.exists():
            self.problem(f"{where}: 事项 {c.matter_code} 没有资格预审规则")
            return
        rs = load_ruleset(path)
        known = {q.id for q in rs.questions}
        for qid in [*c.replies, *c.answers]:
            if qid not in known:
                self.problem(f"{where}: 规则中没有问题 {qid}")
        if not c.replies and not c.answers:
            self.problem(f"{where}: 既没有 replies 也没有 answers")
        materials = {m.name for g in self.by_code[c.matter_code] for m in g.materials}
        for n in [*c.expected_checklist_includes, *c.expected_checklist_excludes]:
            if n not in materials:
                self.problem(f"{where}: 材料“{n}”不在指南中")
        if c.expected_condition and not any(
            contains(_guide_text(g), c.expected_condition) for g in self.by_code[c.matter_code]
        ):
            self.problem(f"{where}: 依据条件“{c.expected_condition[:20]}…”不在指南中")

    def _forms(self, where: str, c: FormCase, split: str) -> None:
        from assistant.forms.spec import FormCatalog

        if not hasattr(self, "_catalog"):
            self._catalog = FormCatalog.load(self.settings.knowledge_dir / "forms")
        spec = self._catalog.forms.get(c.matter_code)
        if spec is None:
            self.problem(f"{where}: 事项 {c.matter_code} 没有申请表定义")
            return
        fields = {f.id for f in self._catalog.fields(c.matter_code)}
        for fid in [*c.expected, *c.expected_invalid, *c.must_be_empty]:
            if fid not in fields:
                self.problem(f"{where}: 表单没有字段 {fid}")
        if set(c.expected) & set(c.must_be_empty):
            self.problem(f"{where}: 同一字段既有期望值又要求为空")
        by_id = {f.id: f for f in self._catalog.fields(c.matter_code)}
        for fid, values in c.acceptable.items():
            f = by_id.get(fid)
            if f is None or fid in c.expected or fid in c.must_be_empty:
                self.problem(f"{where}: acceptable 的字段 {fid} 不存在或已有期望/要求为空")
            elif f.choices and not set(values) <= set(f.choices):
                self.problem(f"{where}: acceptable 的值 {values} 不在字段 {fid} 的选项中")


def check_datasets(settings: Settings, root: Path | None = None) -> CheckResult:
    return _Checker(settings, root or EVAL_DIR).run()
