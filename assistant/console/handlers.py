"""Console actions as plain functions (tested without a browser); the Gradio UI only wires them up."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from assistant.dialog import Assistant
from assistant.guides.ingest import ingest
from assistant.guides.loader import GuideFileError, dump_yaml, validate_guide, write_atomic
from assistant.masking import mask


class Console:
    def __init__(self, assistant: Assistant):
        self.bot = assistant
        self.settings = assistant.settings
        self.store = assistant.store

    # -- 会话调试 ---------------------------------------------------------------------------------
    def debug_turn(self, question: str, region: str | None, session_id: str | None = None) -> dict[str, Any]:
        """Ask as a citizen would; return the answer and the trace (ranking, chunks, aspect, region, mode, verifier, timings)."""
        sid = session_id or self.bot.new_session()[0]
        ans = self.bot.respond(sid, question, region=region or None)
        return {
            "session_id": sid,
            "answer": ans.text,
            "mode": ans.mode,
            "matter": ans.matter_code,
            "aspect": ans.aspect,
            "region": ans.region_name,
            "confidence": ans.confidence,
            "citations": [c.model_dump() for c in ans.citations],
            "trace": ans.trace,
        }

    # -- 知识库 ----------------------------------------------------------------------------------
    def list_guides(self, query: str = "") -> list[list[str]]:
        rows = []
        for g in sorted(self.bot.searcher.guides.values(), key=lambda g: g.id):
            if query and query not in g.name and query not in g.id and not any(query in a for a in g.aliases):
                continue
            rows.append([g.id, g.name, g.region_name, g.updated_at, "、".join(g.source.flags)])
        return rows

    def guide_yaml(self, guide_id: str) -> str:
        path = self.settings.guides_dir / f"{guide_id}.yaml"
        if not path.exists():
            raise FileNotFoundError(f"没有指南 {guide_id}")
        return path.read_text(encoding="utf-8")

    def save_guide_yaml(self, guide_id: str, text: str, staff: str) -> str:
        """Validate, then write atomically; nothing is written when validation fails."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise GuideFileError(f"{guide_id}.yaml", [("", f"YAML 语法错误：{exc}")]) from exc
        guide = validate_guide(data, f"{guide_id}.yaml")
        if guide.id != guide_id:
            raise GuideFileError(f"{guide_id}.yaml", [("id", f"编辑后的 id（{guide.id}）与文件不一致")])
        write_atomic(
            self.settings.guides_dir / f"{guide_id}.yaml",
            dump_yaml(guide, header="# 办事指南（工作台编辑）\n"),
        )
        self.store.audit(staff, "edit_guide", guide_id)
        return f"已保存 {guide_id}。点击“重建索引”使检索生效。"

    def import_files(self, paths: list[str], staff: str) -> list[dict[str, Any]]:
        results = ingest([Path(p) for p in paths], self.settings.knowledge_dir)
        self.store.audit(staff, "import", ", ".join(Path(p).name for p in paths)[:120])
        return [r.model_dump() for r in results]

    def reindex(self, staff: str, progress=None) -> dict[str, Any]:
        from assistant.retrieval.index import build_index
        from assistant.retrieval.search import Searcher

        summary = build_index(self.settings, progress=False)
        if summary.rebuilt:
            self.bot.searcher = Searcher(self.settings)  # the console's assistant sees the new index at once
        self.store.audit(staff, "reindex", f"changed={len(summary.changed)} added={len(summary.added)}")
        return summary.model_dump()

    # -- 资格预审 / 表单 -------------------------------------------------------------------------
    def eligibility(self, matter_code: str, answers_json: str) -> dict[str, Any]:
        answers = json.loads(answers_json or "{}")
        guide, _ = self.bot.searcher.guide_for_region(matter_code, None)
        if self.bot.eligibility is None or guide is None or not self.bot.eligibility.has_rules(matter_code):
            raise KeyError(f"事项 {matter_code} 暂无资格预审规则")
        step, asked = self.bot.eligibility.evaluate_answers(matter_code, answers, guide)
        return {"questions_asked": asked, **step.model_dump(mode="json")}

    def form_from_transcript(self, matter_code: str, transcript: str) -> dict[str, Any]:
        if self.bot.forms is None or not self.bot.forms.has_form(matter_code):
            raise KeyError(f"事项 {matter_code} 暂无申请表")
        lines = [ln.strip() for ln in transcript.splitlines() if ln.strip()]
        draft = self.bot.forms.build(matter_code, lines)
        guide, _ = self.bot.searcher.guide_for_region(matter_code, None)
        return self.bot.forms.report(draft, guide).model_dump(mode="json")

    # -- 反馈与转人工 ------------------------------------------------------------------------------
    def queue(self) -> list[list[Any]]:
        rows = [
            [
                "转人工",
                h["id"],
                h["session_id"],
                mask(h["question"])[:60],
                h["reason"],
                h["status"],
                h["created_at"],
            ]
            for h in self.store.handoffs()
        ]
        rows += [
            [
                "差评",
                f["id"],
                f["session_id"],
                mask(f["comment"])[:60],
                f"{f['stars']}星",
                "",
                f["created_at"],
            ]
            for f in self.store.feedback(max_stars=2)
        ]
        return rows

    def conversation(self, session_id: str, staff: str, reveal: bool = False) -> list[dict[str, str]]:
        """Messages of a session, personal data masked unless revealed; revealing is audited."""
        msgs = self.store.messages(session_id)
        if reveal:
            self.store.audit(staff, "reveal_personal_data", session_id)
        return [
            {"role": m["role"], "text": m["text"] if reveal else mask(m["text"]), "time": m["created_at"]}
            for m in msgs
        ]

    def mark_handled(self, handoff_id: int, staff: str) -> str:
        self.store.mark_handoff(handoff_id, staff)
        self.store.audit(staff, "handoff_handled", str(handoff_id))
        return f"工单 {handoff_id} 已标记为已处理。"

    def to_eval_draft(self, session_id: str, staff: str, out: Path | None = None) -> dict[str, Any]:
        """Append the session as a masked draft to eval/drafts.jsonl (or `out`)."""
        from assistant.evaluation.drafts import DRAFTS_FILE, draft_from_session

        item = draft_from_session(self.store, session_id, out or DRAFTS_FILE)
        self.store.audit(staff, "eval_draft", session_id)
        return item

    # -- 统计 ------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        s = self.store.stats()
        matters: Counter = Counter()
        refused: list[str] = []
        ratings: dict[str, list[int]] = {}
        for h in self.store.handoffs():
            if h["reason"] in ("out_of_scope", "manipulation"):
                refused.append(mask(h["question"]))
        for sid in self._recent_sessions():
            for m in self.store.messages(sid):
                code = (m.get("payload") or {}).get("matter_code")
                if m["role"] == "assistant" and code:
                    matters[code] += 1
        for f in self.store.feedback():
            ratings.setdefault(f["created_at"][:10], []).append(f["stars"])
        names = {g.matter_code: g.name for g in self.bot.searcher.guides.values()}
        return {
            "per_day": s["per_day"],
            "sessions": s["sessions"],
            "messages": s["messages"],
            "open_handoffs": s["open_handoffs"],
            "top_matters": [(names.get(c, c), n) for c, n in matters.most_common(10)],
            "refused_questions": refused[:50],
            "rating_trend": [(d, round(sum(v) / len(v), 2)) for d, v in sorted(ratings.items())],
        }

    def _recent_sessions(self, limit: int = 500) -> list[str]:
        from sqlalchemy import select

        from assistant.store import SessionRow

        with self.store._sessions() as db:
            return list(db.scalars(select(SessionRow.id).order_by(SessionRow.updated_at.desc()).limit(limit)))
