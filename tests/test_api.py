"""API tests with the real app, the real index and a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app


@pytest.fixture
def client(settings, tmp_path: Path):
    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/api.db",
            "rate_per_minute_session": 1000,
            "rate_per_minute_client": 1000,
        }
    )
    with TestClient(create_app(s)) as c:
        yield c


def new_session(client) -> tuple[str, dict]:
    r = client.post("/api/v1/sessions")
    assert r.status_code == 201
    data = r.json()
    return data["session_id"], {"Authorization": f"Bearer {data['token']}"}


def test_chat_returns_cited_answer_and_persists(client):
    sid, auth = new_session(client)
    r = client.post(f"/api/v1/sessions/{sid}/chat", json={"message": "长沙开饭店要带啥材料"}, headers=auth)
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["matter_code"] == "43TCN0003" and a["citations"][0]["section"] == "materials"
    assert "trace" in a
    msgs = client.get(f"/api/v1/sessions/{sid}/messages", headers=auth).json()
    assert [m["role"] for m in msgs] == ["user", "assistant"]


def test_other_sessions_token_is_forbidden(client):
    sid_a, _ = new_session(client)
    _, auth_b = new_session(client)
    r = client.post(f"/api/v1/sessions/{sid_a}/chat", json={"message": "你好"}, headers=auth_b)
    assert r.status_code == 403 and r.json()["code"] == "forbidden" and r.json()["message"]
    assert client.get(f"/api/v1/sessions/{sid_a}/messages").status_code == 403
    assert client.get("/api/v1/sessions/nope/messages", headers=auth_b).status_code == 404


def test_streaming_events(client):
    sid, auth = new_session(client)
    with client.stream(
        "POST", f"/api/v1/sessions/{sid}/chat/stream", json={"message": "株洲开饭店电话多少"}, headers=auth
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = [b for b in body.split("\n\n") if b.strip()]
    kinds = [e.split("\n")[0].removeprefix("event: ") for e in events]
    assert kinds[0] == "token" and kinds[-1] == "answer"
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final["region_name"] == "株洲市" and "0731-28680820" in final["text"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"message": ""}, 422), ({"message": "办" * 501}, 413), ({"msg": "x"}, 422), ([1, 2], 422)],
)
def test_bad_input_gets_clear_error(client, payload, status):
    sid, auth = new_session(client)
    r = client.post(f"/api/v1/sessions/{sid}/chat", json=payload, headers=auth)
    assert r.status_code == status
    body = r.json()
    assert body["code"] in ("invalid_input", "too_large") and body["message"]


def test_feedback_and_handoff(client):
    sid, auth = new_session(client)
    a = client.post(
        f"/api/v1/sessions/{sid}/chat", json={"message": "长沙退休一件事多久"}, headers=auth
    ).json()
    r = client.post(
        f"/api/v1/sessions/{sid}/feedback",
        json={"message_id": a["message_id"], "stars": 2, "tags": ["不准确"]},
        headers=auth,
    )
    assert r.status_code == 201
    assert client.post(f"/api/v1/sessions/{sid}/feedback", json={"stars": 9}, headers=auth).status_code == 422
    h = client.post(f"/api/v1/sessions/{sid}/handoff", json={"note": "想找人确认"}, headers=auth)
    assert h.status_code == 200 and h.json()["handoff"]["ticket_id"]
    status = client.get(f"/api/v1/sessions/{sid}/handoff", headers=auth).json()
    assert status and status[0]["status"] == "open"


def test_guides_search_health_metrics_and_headers(client):
    guides = client.get("/api/v1/guides").json()
    assert len(guides) >= 33
    g = client.get("/api/v1/guides/43PCN0009-430100").json()
    assert g["name"] == "新生儿出生一件事"
    assert client.get("/api/v1/guides/zzz").status_code == 404
    s = client.get("/api/v1/search", params={"q": "开饭店", "region": "株洲"}).json()
    assert s["matters"][0]["matter_code"] == "43TCN0003"
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").json()["status"] == "ready"
    r = client.get("/")
    assert r.status_code == 200 and "widget.js" in r.text
    assert "Content-Security-Policy" in r.headers and r.headers["X-Content-Type-Options"] == "nosniff"
    # /metrics without a configured token: the machine itself only (TestClient's client is "testclient")
    refused = client.get("/metrics")
    assert refused.status_code == 403 and "本机" in refused.json()["message"]
    metrics = TestClient(client.app, client=("127.0.0.1", 50000)).get("/metrics").text
    assert 'onething_requests_total{path="/api/v1/guides",status="200"} 1.0' in metrics
    assert 'onething_requests_total{path="/api/v1/guides/{guide_id}",status="404"} 1.0' in metrics
    assert "# TYPE onething_requests_total counter" in metrics and "# HELP onething_turn_seconds " in metrics
    assert 'onething_query_vector_cache_hits_total{level="memory"}' in metrics
    assert client.get("/widget/widget.js").status_code == 200


def test_client_rate_limit_answers_json_with_security_headers(settings, tmp_path: Path):
    s = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/cl.db", "rate_per_minute_client": 3}
    )
    with TestClient(create_app(s)) as c:
        codes = [c.get("/api/v1/guides").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/api/v1/guides")
        assert r.json()["code"] == "rate_limited" and "太频繁" in r.json()["message"]
        assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in r.headers
        assert c.get("/healthz").status_code == 200  # only /api/ is limited


def test_rate_limit(settings, tmp_path: Path):
    s = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/rl.db", "rate_per_minute_session": 2}
    )
    with TestClient(create_app(s)) as c:
        sid, auth = new_session(c)
        codes = [
            c.post(
                f"/api/v1/sessions/{sid}/chat", json={"message": "开饭店要什么材料"}, headers=auth
            ).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]


def test_wrong_shaped_values_are_4xx_not_500(client):
    """Values of the wrong shape or size are rejected with a Chinese message, never a server error."""
    sid, auth = new_session(client)
    client.post(
        f"/api/v1/sessions/{sid}/chat", json={"message": "长沙新生儿出生一件事帮我填表"}, headers=auth
    )
    for value, status in (
        ({"$ne": 1}, 422),
        ([[[[1]]]], 422),
        ("x" * 600, 413),
    ):  # too long: 413, as for chat
        r = client.patch(
            f"/api/v1/sessions/{sid}/forms/43PCN0009",
            json={"field": "applicant_phone", "value": value},
            headers=auth,
        )
        assert r.status_code == status and r.json()["message"], (value, r.status_code)
    big = client.post(
        f"/api/v1/sessions/{sid}/feedback", json={"message_id": 10**21, "stars": 3}, headers=auth
    )
    assert big.status_code == 422
    client.post(f"/api/v1/sessions/{sid}/eligibility/43TCN0008", json={}, headers=auth)
    unknown = client.post(
        f"/api/v1/sessions/{sid}/eligibility",
        json={"question_id": "no_such_question", "value": True},
        headers=auth,
    )
    assert unknown.status_code == 404 and "没有这个问题" in unknown.text
