"""LLM backends and the verifier: a real local generation when the GGUF is present, the OpenAI-compatible
backend against a fake server started here, and planted errors the verifier must catch."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from assistant.answer.verifier import verify
from assistant.services import build_assistant
from assistant.store import Store

SOURCE = "必须提交：\n1. 父母身份证\n2. 居民户口簿\n整件事承诺5个工作日内办结。咨询电话：0731-88665266 网址 https://zwfw.hunan.gov.cn/x"
MATERIALS = ["父母身份证", "居民户口簿", "中华人民共和国结婚证", "营业执照"]


def test_verifier_accepts_faithful_answer():
    v = verify("需要父母身份证和居民户口簿[1]，5个工作日办结[1]，电话0731-88665266[1]。", [SOURCE], MATERIALS)
    assert v.ok, v.problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("承诺7个工作日内办结[1]。", "数字"),
        ("咨询电话0731-88665277[1]。", "电话"),
        ("还需要营业执照[1]。", "材料"),
        ("请访问 https://evil.example.com 办理[1]。", "网址"),
        ("需要父母身份证。", "出处"),  # two sources given below: the answer must say which
        ("需要父母身份证[3]。", "出处编号"),
    ],
)
def test_verifier_catches_planted_errors(text, problem):
    v = verify(text, [SOURCE, "问：能邮寄吗\n答：可以"], MATERIALS)
    assert not v.ok and any(problem in p for p in v.problems), v.problems


def _reply_json(handler: BaseHTTPRequestHandler, model: str, content: str) -> None:
    """A non-streaming OpenAI chat.completion response."""
    payload = {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    data = json.dumps(payload, ensure_ascii=False).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class _FakeOpenAI(BaseHTTPRequestHandler):
    reply = "新生儿出生一件事需要父母身份证[1]和居民户口簿[1]。"
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeOpenAI.requests.append(body)
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in (self.reply[:10], self.reply[10:]):
                chunk = {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}
                    ],
                }
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        _reply_json(self, body["model"], self.reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_openai():
    server = HTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeOpenAI.requests.clear()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_openai_backend_request_parsing_and_verification(settings, searcher, tmp_path: Path, fake_openai):
    s = settings.model_copy(
        update={"llm": "openai", "openai_base_url": fake_openai, "openai_model": "qwen-test"}
    )
    bot = build_assistant(s, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/o.db"))
    sid, _ = bot.new_session()
    tokens: list[str] = []
    a = bot.respond(sid, "新生儿出生一件事要带什么材料", region="长沙市", on_token=tokens.append)
    req = _FakeOpenAI.requests[-1]
    assert req["model"] == "qwen-test"
    prompt = json.dumps(req["messages"], ensure_ascii=False)
    assert "父母身份证" in prompt and "[1]" in prompt  # the model sees the retrieved section, numbered
    assert "".join(tokens) == _FakeOpenAI.reply
    assert a.mode == "llm" and a.trace["llm"]["verified"] and "来源：" in a.text


def test_openai_backend_unsupported_answer_falls_back(
    settings, searcher, tmp_path: Path, fake_openai, monkeypatch
):
    monkeypatch.setattr(
        _FakeOpenAI, "reply", "需要父母身份证[1]，承诺3个工作日办结[1]，电话 0731-12345678[1]。"
    )
    s = settings.model_copy(update={"llm": "openai", "openai_base_url": fake_openai})
    bot = build_assistant(s, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/o.db"))
    sid, _ = bot.new_session()
    a = bot.respond(sid, "新生儿出生一件事要带什么材料", region="长沙市")
    assert a.mode == "composer" and not a.trace["llm"]["verified"]
    assert any("电话" in p for p in a.trace["llm"]["problems"])
    assert "0731-12345678" not in a.text


def test_llamacpp_backend_real_generation(settings, searcher, tmp_path: Path):
    if not settings.llm_model_path.exists():
        pytest.skip(
            f"local GGUF not assembled ({settings.llm_model_path}); run `make llm` to enable this test"
        )
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not built; run `make llm`")
    s = settings.model_copy(update={"llm": "llamacpp"})
    bot = build_assistant(s, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/l.db"))
    sid, _ = bot.new_session()
    a = bot.respond(sid, "株洲开饭店电话多少")
    info = a.trace["llm"]
    assert info.get("generated"), info
    assert info["first_token_ms"] is not None
    assert a.mode in ("llm", "composer")  # either verified, or rejected by the verifier and replaced
    if a.mode == "composer":
        assert info["problems"]


class _FakeFormLLM(BaseHTTPRequestHandler):
    """Returns an invalid JSON first (to force the re-ask), then a JSON with one stated and one invented value."""

    calls: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeFormLLM.calls.append(body)
        if len(_FakeFormLLM.calls) == 1:
            content = "这不是 JSON"
        else:
            content = json.dumps(
                {"baby_name": "李明", "father_name": "王大山", "applicant_phone": None}, ensure_ascii=False
            )
        _reply_json(self, body["model"], content)

    def log_message(self, *args):
        pass


def test_form_extraction_with_structured_output_reask_and_no_invention(settings, tmp_path: Path):
    from assistant.llm import get_chat_model
    from assistant.services import load_form_service

    server = HTTPServer(("127.0.0.1", 0), _FakeFormLLM)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeFormLLM.calls.clear()
    try:
        s = settings.model_copy(
            update={
                "llm": "openai",
                "openai_base_url": f"http://127.0.0.1:{server.server_port}/v1",
                "openai_model": "form-test",
            }
        )
        service = load_form_service(s)
        msgs = ["宝宝是个男孩，叫李明", "我手机13812345678"]
        draft = service.build("43PCN0009", msgs, llm=get_chat_model(s))
    finally:
        server.shutdown()
    assert len(_FakeFormLLM.calls) == 2  # the invalid first answer was re-asked once
    assert "上一次输出无效" in json.dumps(_FakeFormLLM.calls[1]["messages"], ensure_ascii=False)
    assert draft.values["baby_name"].value == "李明" and draft.values["baby_name"].source == msgs[0]
    assert "father_name" not in draft.values  # 王大山 is said nowhere: dropped, never invented
    assert draft.values["applicant_phone"].value == "13812345678"  # deterministic value kept


def test_sse_streams_llm_tokens_then_the_verified_answer(settings, tmp_path: Path, fake_openai):
    """Through the HTTP API: token events carry the model's pieces as they arrive, the last event is the
    verified answer (with its citation), and several streams at once all complete."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from assistant.api.app import create_app

    s = settings.model_copy(
        update={"llm": "openai", "openai_base_url": fake_openai, "database_url": f"sqlite:///{tmp_path}/s.db"}
    )
    with TestClient(create_app(s)) as client:

        def one_stream(_i: int) -> list[tuple[str, str]]:
            made = client.post("/api/v1/sessions").json()
            auth = {"Authorization": f"Bearer {made['token']}"}
            with client.stream(
                "POST",
                f"/api/v1/sessions/{made['session_id']}/chat/stream",
                json={"message": "长沙新生儿出生一件事要带什么材料"},
                headers=auth,
            ) as r:
                body = "".join(r.iter_text())
            events = [e for e in body.split("\n\n") if e.strip()]
            return [(e.split("\n")[0].removeprefix("event: "), e.split("data: ", 1)[1]) for e in events]

        with ThreadPoolExecutor(8) as pool:
            runs = list(pool.map(one_stream, range(8)))
    for events in runs:
        kinds = [k for k, _ in events]
        assert kinds[:2] == ["token", "token"] and kinds[-1] == "answer"
        assert "".join(json.loads(d) for k, d in events if k == "token") == _FakeOpenAI.reply
        final = json.loads(events[-1][1])
        assert final["mode"] == "llm" and "来源：" in final["text"] and "trace" not in final


def test_a_multi_aspect_question_gets_one_source_per_aspect_and_every_aspect_must_be_cited(
    settings, searcher, tmp_path: Path, fake_openai, monkeypatch
):
    s = settings.model_copy(update={"llm": "openai", "openai_base_url": fake_openai})
    bot = build_assistant(s, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/m.db"))
    # the model answers only the first aspect: the verifier refuses it and the composer's answer stays
    monkeypatch.setattr(_FakeOpenAI, "reply", "【申请材料】需要父母身份证[1]和居民户口簿[1]。")
    sid, _ = bot.new_session()
    a = bot.respond(sid, "长沙新生儿出生一件事要带什么材料，收费吗", region="长沙市")
    prompt = json.dumps(_FakeOpenAI.requests[-1]["messages"], ensure_ascii=False)
    assert "【申请材料】、【收费标准】" in prompt or ("【申请材料】" in prompt and "顺序逐项回答" in prompt)
    assert "[1]" in prompt and "[2]" in prompt  # one numbered source per aspect
    assert a.mode == "composer" and any("没有回答" in p for p in a.trace["llm"]["problems"])
    # both aspects answered and cited: served, with its length in the trace
    monkeypatch.setattr(
        _FakeOpenAI,
        "reply",
        "要带父母身份证等材料，不收费。\n【申请材料】需要父母身份证[1]。\n【收费标准】不收费[2]。",
    )
    sid, _ = bot.new_session()
    a = bot.respond(sid, "长沙新生儿出生一件事要带什么材料，收费吗", region="长沙市")
    assert a.mode == "llm" and a.trace["llm"]["verified"] and a.trace["llm"]["chars"] > 0
