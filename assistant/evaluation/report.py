"""Write an eval run to eval/reports/<timestamp>/: report.json, report.md and a self-contained report.html."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from assistant.evaluation.runner import EvalReport

LOWER_IS_BETTER = (
    "latency",
    "violations",
    "false_refusal",
    "invented",
    "false_alarms",
    "over_min",
    "_ms",
    "tickets",
    "first_screen",
)


def load_baseline(path: Path | None) -> dict[str, float]:
    if path is None or not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("metrics", data)


def deltas(report: EvalReport, baseline: dict[str, float]) -> list[dict[str, Any]]:
    rows = []
    for name, value in report.headline().items():
        if name in baseline:
            d = value - baseline[name]
            worse = d > 0 if any(k in name for k in LOWER_IS_BETTER) else d < 0
            rows.append(
                {
                    "metric": name,
                    "value": value,
                    "baseline": baseline[name],
                    "delta": round(d, 4),
                    "verdict": "持平" if abs(d) < 1e-9 else ("变差" if worse else "变好"),
                }
            )
    return rows


def save_baseline(report: EvalReport, path: Path) -> None:
    path.write_text(
        json.dumps(
            {
                "created": report.started_at,
                "split": report.split,
                "suites": report.suites,
                "metrics": report.headline(),
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _charts(report: EvalReport, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = [
        f.name
        for f in font_manager.fontManager.ttflist
        if any(k in f.name for k in ("Noto Sans CJK", "WenQuanYi", "SimHei"))
    ]
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk[0]]
    out = []
    for q in report.qa:
        fig, ax = plt.subplots(figsize=(9, 3))
        codes = list(q.per_matter)
        ax.bar(range(len(codes)), [q.per_matter[c] for c in codes], color="#3b7dd8")
        ax.set_xticks(range(len(codes)), codes, rotation=75, fontsize=7)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"key-point recall per matter ({q.mode})")
        out.append((f"各事项要点召回（{q.mode}）", _png(fig)))
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.hist(q.latencies_ms, bins=30, color="#58a55c")
        ax.set_xlabel("ms")
        ax.set_title(f"turn latency ({q.mode})")
        out.append((f"单轮延迟分布（{q.mode}）", _png(fig)))
        plt.close(fig)
        labels = ["answerable", "out_of_scope", "not_in_kb", "injection"]
        matrix = [
            [q.refusal_confusion.get(f"{lab}→answered", 0), q.refusal_confusion.get(f"{lab}→refused", 0)]
            for lab in labels
        ]
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.imshow(matrix, cmap="Blues")
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                ax.text(j, i, str(v), ha="center", va="center")
        ax.set_xticks([0, 1], ["answered", "refused"])
        ax.set_yticks(range(len(labels)), labels)
        ax.set_title(f"refusal confusion ({q.mode})")
        out.append((f"拒答混淆矩阵（{q.mode}）", _png(fig)))
        plt.close(fig)
    hybrid = next((r for r in report.retrieval if r.mode == "hybrid"), None)
    if hybrid and hybrid.confusions:
        fig, ax = plt.subplots(figsize=(6, 3))
        labels = [f"{a}→{b}" for a, b, _ in hybrid.confusions]
        ax.barh(labels, [c for _, _, c in hybrid.confusions], color="#d8793b")
        ax.set_title("most confused matters (gold→got)")
        out.append(("最常混淆的事项", _png(fig)))
        plt.close(fig)
    if rows:
        fig, ax = plt.subplots(figsize=(8, max(2, 0.25 * len(rows))))
        ax.barh(
            [r["metric"] for r in rows],
            [r["delta"] for r in rows],
            color=["#c0392b" if r["verdict"] == "变差" else "#27ae60" for r in rows],
        )
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title("delta vs baseline")
        out.append(("与基线相比的变化", _png(fig)))
        plt.close(fig)
    return out


def _md(report: EvalReport, rows: list[dict[str, Any]]) -> str:
    lines = [
        f"# 评测报告 {report.started_at}",
        "",
        f"套件：{'、'.join(report.suites)}；模式：{'、'.join(report.modes)}；"
        f"用时 {report.seconds}s；峰值内存 {report.peak_rss_mb} MB",
        "",
        "| 指标 | 数值 | 基线 | 变化 |",
        "|---|---|---|---|",
    ]
    base = {r["metric"]: r for r in rows}
    for name, value in report.headline().items():
        b = base.get(name)
        lines.append(
            f"| {name} | {value} | {b['baseline'] if b else ''} | {(str(b['delta']) + ' ' + b['verdict']) if b else ''} |"
        )
    if report.failures:
        lines += ["", "## 未达标", *[f"- {f}" for f in report.failures]]
    for q in report.qa:
        lines += ["", f"## 问答失败样例（{q.mode}，前 30 条）"]
        lines += [f"- {json.dumps(f, ensure_ascii=False)}" for f in q.failures[:30]]
    for d in report.dialog:
        lines += ["", f"## 对话失败轮次（{d.mode}）"]
        lines += [f"- {json.dumps(f, ensure_ascii=False)}" for f in d.failures[:30]]
    if report.notes:
        lines += ["", "## 说明", *[f"- {n}" for n in report.notes]]
    return "\n".join(lines) + "\n"


def write_report(report: EvalReport, root: Path, baseline: dict[str, float]) -> Path:
    out = root / report.started_at.replace(":", "").replace("-", "")
    out.mkdir(parents=True, exist_ok=True)
    rows = deltas(report, baseline)
    payload = report.model_dump() | {"deltas": rows}
    (out / "report.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    md = _md(report, rows)
    (out / "report.md").write_text(md, encoding="utf-8")
    imgs = "".join(
        f"<h2>{html.escape(t)}</h2><img alt='{html.escape(t)}' src='data:image/png;base64,{b}'/>"
        for t, b in _charts(report, rows)
    )
    body = "".join(
        f"<p>{html.escape(line)}</p>" if not line.startswith("|") else f"<pre>{html.escape(line)}</pre>"
        for line in md.splitlines()
        if line
    )
    page = (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>一件事助手 评测报告</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}pre{margin:0}img{max-width:100%}</style>"
        f"</head><body><h1>一件事助手 评测报告</h1>{imgs}{body}</body></html>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return out
