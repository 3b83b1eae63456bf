"""Composer turn latency (loaded index, no query-vector cache: every question is embedded) and eligibility
step time."""

from __future__ import annotations

import tempfile
import time

from assistant.config import Settings
from assistant.evaluation.datasets import EVAL_DIR, MultiAspectItem, QAItem, read_jsonl
from assistant.evaluation.metrics import percentile


def _turn_latencies(bot, items: list[QAItem] | list[MultiAspectItem]) -> list[float]:
    """Milliseconds per turn, each question the first turn of a new session."""
    out = []
    for it in items:
        sid, _ = bot.new_session()
        t = time.perf_counter()
        bot.respond(sid, it.question, region=it.region)
        out.append((time.perf_counter() - t) * 1000)
    return out


def bench_dialog() -> dict[str, float]:
    from assistant.services import build_assistant
    from assistant.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        bot = build_assistant(
            Settings(query_cache_size=0, query_cache_disk=False), store=Store(f"sqlite:///{tmp}/b.db")
        )
        items = read_jsonl(EVAL_DIR / "dev" / "qa.jsonl", QAItem)
        # a citizen's first turn after /readyz: the worker warmed up (as the server does before ready)
        bot.warm()
        (first_turn,) = _turn_latencies(bot, items[-1:])
        _turn_latencies(bot, items[:10])
        lat = _turn_latencies(bot, items)
        # questions asking two or three aspects: each part is searched again for the guide's Q&A on it
        multi = _turn_latencies(bot, read_jsonl(EVAL_DIR / "dev" / "qa_multi.jsonl", MultiAspectItem)[:200])
        (same_later,) = _turn_latencies(bot, items[-1:])  # the first question once everything ran many times
        # the same fresh turns with the retrieval cascade off (every question embedded)
        from assistant.retrieval.search import Searcher

        off_settings = Settings(query_cache_size=0, query_cache_disk=False, cascade=False)
        off = build_assistant(  # its own searcher: the cached one has the cascade on
            off_settings, searcher=Searcher(off_settings), store=Store(f"sqlite:///{tmp}/b_off.db")
        )
        off.warm()
        lat_off = _turn_latencies(off, items)
        steps = []
        if bot.eligibility:
            guide = bot.searcher.guides["43TCN0008-430100"]
            for _ in range(50):
                state, _step = bot.eligibility.start("43TCN0008", guide)
                t = time.perf_counter()
                bot.eligibility.reply(state, "简易注销", guide)
                steps.append((time.perf_counter() - t) * 1000)
        extract = []
        if bot.forms:
            from assistant.evaluation.forms_eval import FormCase

            cases = read_jsonl(EVAL_DIR / "dev" / "forms.jsonl", FormCase)
            for c in cases:
                # a 10-turn conversation: ten questions and ten replies (a transcript given as one pasted
                # string used to count as one line, so five copies of a whole conversation were read)
                lines = [ln for t in c.transcript for ln in t.splitlines() if ln.strip()]
                msgs = (lines * 10)[:20]
                t = time.perf_counter()
                bot.forms.build(c.matter_code, msgs)
                extract.append((time.perf_counter() - t) * 1000)
        # a citizen telling their facts message by message in the chat (each turn may read the conversation
        # into the form, and a statement with no matter named tries every form)
        chat = []
        if bot.forms:
            for c in [c for c in cases if c.turns][:60]:
                sid, _ = bot.new_session()
                for text in c.turns:
                    t = time.perf_counter()
                    bot.respond(sid, text)
                    chat.append((time.perf_counter() - t) * 1000)
        return {
            "form_chat_turn_p50_ms": round(percentile(chat, 50), 1) if chat else 0.0,
            "form_chat_turn_p95_ms": round(percentile(chat, 95), 1) if chat else 0.0,
            "form_extract_10_turns_p95_ms": round(percentile(extract, 95), 1) if extract else 0.0,
            "turn_p50_ms": round(percentile(lat, 50), 1),
            "turn_p50_no_cascade_ms": round(percentile(lat_off, 50), 1),
            "first_turn_after_warm_ms": round(first_turn, 1),
            "same_turn_later_ms": round(same_later, 1),
            "turn_p95_ms": round(percentile(lat, 95), 1),
            "multi_aspect_turn_p50_ms": round(percentile(multi, 50), 1),
            "multi_aspect_turn_p95_ms": round(percentile(multi, 95), 1),
            "eligibility_step_p95_ms": round(percentile(steps, 95), 2) if steps else 0.0,
        }
