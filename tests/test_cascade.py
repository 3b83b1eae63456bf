"""The retrieval cascade: the words alone decide clear questions and the encoder is skipped; everything
else takes the hybrid; the trace and /metrics say which; on the dev split's decided questions the cascade
routes as the hybrid does."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.evaluation.datasets import RetrievalItem, load_split
from assistant.retrieval.search import Searcher


def test_a_named_matter_takes_the_lexical_stage_and_an_ambiguous_question_the_hybrid(settings, searcher):
    named = searcher.search("长沙开饭店要带什么材料")
    assert named.stage == "lexical" and named.stage_reason == "name"
    assert named.matters[0].matter_code == "43TCN0003" and "embed" not in named.timings_ms
    vague = searcher.search("家里老人走了以后要办哪些手续")
    assert vague.stage == "hybrid" and {"embed", "embed_cached"} & set(vague.timings_ms)
    off = Searcher(settings.model_copy(update={"cascade": False}))
    assert off.search("长沙开饭店要带什么材料").stage == "hybrid"


def test_on_the_dev_split_the_decided_questions_route_as_the_hybrid_does(settings, searcher):
    off = Searcher(settings.model_copy(update={"cascade": False}))
    items = load_split("retrieval", RetrievalItem, "dev")
    decided = differ = 0
    for it in items:
        on = searcher.search(it.question, region=it.region)
        if on.stage != "lexical":
            continue
        decided += 1
        differ += (
            on.matters[0].matter_code != off.search(it.question, region=it.region).matters[0].matter_code
        )
    assert decided >= len(items) // 3  # the cascade takes a real share of the questions
    assert differ <= decided // 100  # and routes them as the hybrid does (at most 1 in 100 differs)


def test_the_turn_trace_and_metrics_say_which_stage(settings, tmp_path: Path):
    s = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/c.db", "console_enabled": False})
    with TestClient(create_app(s)) as c:
        sess = c.post("/api/v1/sessions").json()
        auth = {"Authorization": f"Bearer {sess['token']}"}
        a = c.post(
            f"/api/v1/sessions/{sess['session_id']}/chat",
            json={"message": "长沙开饭店要带什么材料"},
            headers=auth,
        ).json()
        assert a["trace"]["stage"] == "lexical"
        metrics = TestClient(c.app, client=("127.0.0.1", 50000)).get("/metrics").text
        assert 'onething_turns_total{mode="composer",stage="lexical"} 1.0' in metrics
