"""Eval harness: metrics on hand-computed cases, normalisation, the gate, --check, reports with charts."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.evaluation import check as check_mod
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


def test_check_catches_a_key_point_not_in_the_guide(settings, tmp_path: Path, monkeypatch):
    (tmp_path / "qa.jsonl").write_text(
        json.dumps(
            {
                "id": "x1",
                "question": "开饭店要什么",
                "matter_code": "43TCN0003",
                "region": "长沙市",
                "aspect": "materials",
                "key_points": ["开办餐饮店“一件事”申请书", "营业执照正本原件"],
            },
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps(
            {"id": "x1", "question": "重复的编号", "matter_code": "43ZZZ", "aspect": "fee", "key_points": []},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    for name in ("retrieval.jsonl", "qa_refusal.jsonl", "dialogs.jsonl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    monkeypatch.setattr(check_mod, "EVAL_DIR", tmp_path)
    result = check_mod.check_datasets(settings)
    text = "\n".join(result.problems)
    assert "营业执照正本原件" in text and "开办餐饮店“一件事”申请书" not in text
    assert "id 重复" in text and "43ZZZ" in text


def test_bundled_datasets_pass_check(settings):
    result = check_mod.check_datasets(settings)
    assert result.problems == []
    assert result.counts["qa"] >= 300 and result.counts["refusal"] >= 60 and result.counts["dialogs"] >= 40
