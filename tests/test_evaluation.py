"""Eval harness: metrics on hand-computed cases, normalisation, the gate, --check, reports with charts."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.evaluation import check as check_mod
from assistant.evaluation.datasets import DatasetError, EligibilityCase, RetrievalItem, load_split
from assistant.evaluation.metrics import (
    hit_at_k,
    mean,
    ndcg_at_k,
    percentile,
    precision_recall_f1,
    reciprocal_rank,
)
from assistant.evaluation.report import deltas, write_report
from assistant.evaluation.retrieval_eval import RetrievalScores
from assistant.evaluation.runner import EvalReport, check_thresholds
from assistant.text.matching import contains, normalize_for_match


def test_metrics_hand_computed():
    ranked = ["b", "a", "c"]
    assert hit_at_k(ranked, "a", 1) == 0.0 and hit_at_k(ranked, "a", 2) == 1.0
    assert reciprocal_rank(ranked, "a") == 0.5 and reciprocal_rank(ranked, "z") == 0.0
    # relevances in ranked order [0, 2, 1]: DCG = 2/log2(3) + 1/log2(4); ideal [2, 1, 0]: 2/1 + 1/log2(3)
    expected = (2 / math.log2(3) + 1 / 2) / (2 + 1 / math.log2(3))
    assert ndcg_at_k([0, 2, 1], 3) == pytest.approx(expected)
    assert ndcg_at_k([0, 0], 2) == 0.0
    assert precision_recall_f1(3, 1, 2) == pytest.approx((0.75, 0.6, 2 * 0.75 * 0.6 / 1.35))
    assert percentile([1, 2, 3, 4], 50) == 2.5 and mean([]) == 0.0


@pytest.mark.parametrize(
    ("haystack", "needle"),
    [
        ("承诺十个工作日办结", "10个工作日"),
        ("二〇二五年3月", "2025年3月"),
        ("咨询电话：０７３１－８８６６５２６６", "0731-88665266"),
        ("《出生医学证明》 首次签发", "出生医学证明首次签发"),
    ],
)
def test_normalised_matching(haystack, needle):
    assert contains(haystack, needle)


def test_no_plain_substring_shortcuts():
    assert not contains("承诺5个工作日", "15个工作日")
    assert normalize_for_match("Ａ　B，c") == "abc"


def _report(hit1: float) -> EvalReport:
    r = RetrievalScores(
        mode="hybrid",
        n=10,
        matter_hit_at_1=hit1,
        matter_hit_at_3=1.0,
        matter_hit_at_5=1.0,
        mrr=0.9,
        ndcg_at_5=0.9,
        section_hit_at_3=0.8,
        latency_p50_ms=10,
        latency_p95_ms=20,
    )
    return EvalReport(
        started_at="2026-11-29T10:00:00", suites=["retrieval"], modes=["composer"], retrieval=[r]
    )


def test_gate_fails_and_passes():
    thresholds = {"min": {"retrieval.matter_hit_at_1": 0.9}, "max": {"retrieval.latency_p95_ms": 60}}
    failing = check_thresholds(_report(0.85), thresholds)
    assert (
        len(failing) == 1
        and "retrieval.matter_hit_at_1" in failing[0]
        and "0.85" in failing[0]
        and "0.9" in failing[0]
    )
    assert check_thresholds(_report(0.95), thresholds) == []


def test_report_files_and_charts(tmp_path: Path):
    rep = _report(0.95)
    rep.retrieval[0].confusions = [("43PCN0009", "43PCP0007", 2)]
    out = write_report(rep, tmp_path, {"retrieval.matter_hit_at_1": 0.97})
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["deltas"][0]["verdict"] == "变差"
    assert "retrieval.matter_hit_at_1" in (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 2  # charts are embedded: the page needs no network
    assert "http://" not in page and "https://" not in page
    assert deltas(rep, {}) == []


def _write(path: Path, items: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")


def test_gate_fails_on_a_metric_the_run_did_not_produce():
    thresholds = {"min": {"retrieval.matter_hit_at_1": 0.9, "retrieval.no_alias_hit_at_1": 0.8}}
    failing = check_thresholds(_report(0.95), thresholds)
    assert len(failing) == 1 and "retrieval.no_alias_hit_at_1" in failing[0] and "缺失" in failing[0]
    # a suite that did not run is not asked for its metrics
    assert check_thresholds(_report(0.95), {"min": {"forms.field_f1": 0.5}}) == []


@pytest.mark.parametrize(
    ("test_question", "rejected"),
    [
        ("株洲公租房咨询电话多少", True),  # the same item in both splits
        ("株洲公租房咨询电话多少呀？", True),  # nearly the same (3-gram Jaccard > 0.7)
        ("公租房在株洲找谁问，有电话吗", False),  # the same need, said differently
    ],
)
def test_split_loader_rejects_an_item_in_both_splits(tmp_path: Path, test_question: str, rejected: bool):
    item = {"matter_code": "43PCP0002", "section": "contacts", "region": "株洲市"}
    _write(tmp_path / "dev" / "retrieval.jsonl", [{"id": "d1", "question": "株洲公租房咨询电话多少", **item}])
    _write(tmp_path / "test" / "retrieval.jsonl", [{"id": "t1", "question": test_question, **item}])
    if rejected:
        with pytest.raises(DatasetError, match="t1"):
            load_split("retrieval", RetrievalItem, "test", root=tmp_path)
    else:
        assert [i.id for i in load_split("retrieval", RetrievalItem, "test", root=tmp_path)] == ["t1"]
        assert len(load_split("retrieval", RetrievalItem, "all", root=tmp_path)) == 2


def test_within_min_questions_fails_when_one_question_too_many_is_asked(settings, searcher):
    """The engine asks 1 question when the first answer already rules the citizen out: a case that says 1
    passes, the same case built to allow 0 (one too many asked) fails."""
    from assistant.evaluation.eligibility_eval import run_case
    from assistant.services import load_eligibility_engine

    engine = load_eligibility_engine(settings, searcher)
    case = {
        "id": "x",
        "matter_code": "43PCN0013",
        "replies": {"enterprise_insured": "不是，我是机关事业单位的"},
        "expected_outcome": "不符合条件",
    }
    exact = run_case(engine, searcher, EligibilityCase(**case, min_questions=1))
    assert exact["outcome_ok"] and exact["asked"] == 1 and exact["within_min"] is True
    too_many = run_case(engine, searcher, EligibilityCase.model_construct(**case, min_questions=0))
    assert too_many["within_min"] is False and too_many["failure"] is not None


def test_minimal_questions_by_brute_force_is_independent_of_the_engine(settings, searcher):
    """A structured case answering more than needed: the minimum is what the rules need, not what was given."""
    from assistant.eligibility.rules import load_ruleset
    from assistant.evaluation.min_questions import minimal_questions

    rs = load_ruleset(settings.knowledge_dir / "rules" / "43PCN0013.yaml")
    answers = {"enterprise_insured": False, "retire_age": "yes", "contribution_years": 20}
    assert minimal_questions(rs, answers) == 1  # not insured decides alone
    assert minimal_questions(rs, {"enterprise_insured": True, "retire_age": "no"}) == 2


def test_citation_correctness_is_undefined_without_key_points_found():
    from assistant.answer.models import Answer
    from assistant.evaluation.qa_eval import key_points_found

    assert key_points_found(Answer(text="不收费。"), ["0731-88665266"]) == [False]


def test_check_catches_a_key_point_not_in_the_guide(settings, tmp_path: Path):
    qa = [
        {
            "id": "x1",
            "question": "开饭店要什么",
            "matter_code": "43TCN0003",
            "region": "长沙市",
            "aspect": "materials",
            "key_points": ["开办餐饮店“一件事”申请书", "营业执照正本原件"],
        },
        {"id": "x1", "question": "重复的编号", "matter_code": "43ZZZ", "aspect": "fee", "key_points": []},
    ]
    _write(tmp_path / "test" / "qa.jsonl", qa)
    for split in ("dev", "test"):
        for name in check_mod.SETS:
            if not (tmp_path / split / f"{name}.jsonl").exists():
                _write(tmp_path / split / f"{name}.jsonl", [])
    result = check_mod.check_datasets(settings, root=tmp_path)
    text = "\n".join(result.problems)
    assert "营业执照正本原件" in text and "开办餐饮店“一件事”申请书" not in text
    assert "id 重复" in text and "43ZZZ" in text


def test_bundled_datasets_pass_check(settings):
    result = check_mod.check_datasets(settings)
    assert result.problems == []
    counts = result.counts
    assert counts["test/qa"] >= 60 and counts["test/qa_multi"] >= 60 and counts["test/qa_refusal"] >= 60
    assert counts["test/forms"] >= 50 and counts["test/eligibility"] >= 40 and counts["test/dialogs"] >= 40
