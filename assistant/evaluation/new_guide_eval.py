"""What a newly imported, uncurated guide gets: leave one matter out at a time — drop its curated aliases and
summary, re-import its guide as new (from the portal JSON when the shared data is present), re-index — and
score routing and key-point recall on that matter's items of the chosen split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.config import Settings
from assistant.evaluation.datasets import QAItem, RetrievalItem, Split, load_split
from assistant.evaluation.metrics import mean
from assistant.evaluation.qa_eval import ask
from assistant.retrieval.uncurated import uncurated_searcher
from assistant.text.matching import contains


def evaluate_new_guides(
    settings: Settings,
    split: Split = "test",
    matters: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Per matter: routing hit@1 on its retrieval items and key-point recall on its QA items, with the matter
    uncurated; `average` over matters (each matter weighs the same). Compare with the curated run."""
    from assistant.services import build_assistant
    from assistant.store import Store

    retrieval = load_split("retrieval", RetrievalItem, split)
    qa = load_split("qa", QAItem, split)
    codes = matters or sorted({i.matter_code for i in retrieval} | {i.matter_code for i in qa})
    per: dict[str, dict[str, Any]] = {}
    for code in codes:
        if progress:
            progress(code)
        with uncurated_searcher(settings, code) as (searcher, how):
            s = searcher.settings
            bot = build_assistant(s, searcher=searcher, store=Store(f"sqlite:///{s.data_dir}/eval.db"))
            r_items = [i for i in retrieval if i.matter_code == code]
            hits = []
            misses = []
            for it in r_items:
                res = searcher.search(it.question, k=5)
                top = res.matters[0].matter_code if res.matters else None
                hits.append(1.0 if top == it.matter_code else 0.0)
                if top != it.matter_code:
                    misses.append({"id": it.id, "question": it.question, "got": top})
            recall = []
            for it in (i for i in qa if i.matter_code == code):
                sid, _ = bot.new_session()
                ans = ask(bot, sid, it.question, it.region)
                found = [contains(ans.text, p) for p in it.key_points]
                recall.append(sum(found) / len(found) if found else 1.0)
                if ans.mode == "refusal":
                    misses.append({"id": it.id, "question": it.question, "got": "refusal"})
            per[code] = {
                "imported_from": how,
                "retrieval_items": len(r_items),
                "hit_at_1": round(mean(hits), 4) if hits else None,
                "qa_items": len(recall),
                "key_point_recall": round(mean(recall), 4) if recall else None,
                "misses": misses,
            }
    hit = [v["hit_at_1"] for v in per.values() if v["hit_at_1"] is not None]
    rec = [v["key_point_recall"] for v in per.values() if v["key_point_recall"] is not None]
    return {
        "matters": len(per),
        "hit_at_1": round(mean(hit), 4),
        "key_point_recall": round(mean(rec), 4),
        "per_matter": per,
    }
