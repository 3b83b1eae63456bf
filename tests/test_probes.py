"""The attacks and careless clients of the hardening issue, replayed against a real server with one worker
and with two: every probe gets its stated safe answer, and the server's log holds no personal data after."""

from __future__ import annotations

import httpx
import pytest
from stdnum.cn import ric

from benchmarks.load import free_port, start_server

pytestmark = pytest.mark.slow

ID = next("43010419900110093" + d for d in "0123456789X" if ric.is_valid("43010419900110093" + d))
PHONE = "13907311234"


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"], scope="module")
def server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"probe{request.param}")
    log = tmp / "server.log"
    port = free_port()
    proc = start_server(
        tmp / "probe.db",
        port,
        workers=request.param,
        extra_env={"ONETHING_RATE_PER_MINUTE_CLIENT": "400", "ONETHING_RATE_PER_MINUTE_SESSION": "400"},
        log=log,
    )
    yield f"http://127.0.0.1:{port}", log, tmp
    proc.terminate()
    proc.wait(timeout=30)


def _session(base: str) -> tuple[str, dict]:
    s = httpx.post(f"{base}/api/v1/sessions").json()
    return s["session_id"], {"Authorization": f"Bearer {s['token']}"}


def test_every_probe_gets_a_safe_answer_and_the_log_stays_clean(server):
    base, log, tmp = server
    api = f"{base}/api/v1"
    sid, auth = _session(base)
    s = f"{api}/sessions/{sid}"
    # the citizen's own data in a question: answered, stored, never logged
    r = httpx.post(
        f"{s}/chat", json={"message": f"我叫王小明，身份证{ID}，电话{PHONE}，想问公司注销"}, headers=auth
    )
    assert r.status_code == 200 and r.json()["mode"] != "refusal"
    probes = [
        ("PATCH", f"{s}/forms/43TCN0008", {"field": "applicant_name", "value": {"$ne": 1}}, 422),
        ("PATCH", f"{s}/forms/43TCN0008", {"field": "applicant_name", "value": [[[[1]]]]}, 422),
        ("PATCH", f"{s}/forms/43TCN0008", {"field": "applicant_id_number", "value": "x" * 5_000_000}, 413),
        ("POST", f"{s}/eligibility/43TCN0008", {}, 200),
        ("POST", f"{s}/eligibility", {"question_id": "no_such_question", "value": "是"}, 404),
        ("POST", f"{s}/feedback", {"stars": 5, "message_id": 999999999999999999999}, 422),
        ("POST", f"{s}/feedback", {"stars": 5, "tags": ["x" * 100_000]}, 413),
        ("POST", f"{s}/chat", {"message": "a" * 20_000_000}, 413),
        ("POST", f"{s}/chat", {"message": "\u200b\u200c\u200d\ufeff"}, 422),
        ("POST", f"{s}/chat", {"message": "x" * 501}, 413),
        ("GET", f"{api}/search?q=开饭店&region={'长' * 2000}", None, 422),
    ]
    for method, url, body, expected in probes:
        resp = httpx.request(method, url, json=body, headers=auth, timeout=60)
        assert resp.status_code == expected, (method, url[:80], resp.status_code, resp.text[:200])
        if resp.status_code >= 400:
            err = resp.json()
            assert err["code"] and err["message"] and all(ord(c) < 0x3000 or c for c in err["message"])
    # the connection is still good after every refusal, the ticket queue is empty (nothing was opened)
    assert httpx.get(f"{s}/handoff", headers=auth).json() == []
    msgs = httpx.get(f"{s}/messages", headers=auth).json()
    assert all("\x00" not in str(m) for m in msgs)
    text = log.read_text(encoding="utf-8", errors="ignore")
    assert ID not in text and PHONE not in text and "王小明" not in text


def test_forged_addresses_do_not_escape_the_client_limit(server):
    base, _log, _tmp = server
    codes = [
        httpx.get(
            f"{base}/api/v1/guides", headers={"X-Forwarded-For": f"10.1.{i // 250}.{i % 250}"}
        ).status_code
        for i in range(420)
    ]
    assert codes.count(429) >= 15  # 400 per minute counted on the real client, not on 420 forged ones
    assert httpx.get(f"{base}/widget/widget.js").status_code == 200  # static files never limited
