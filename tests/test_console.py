"""Console handlers against a real store and index; login required; reveal is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.console.auth import StaffAuth, hash_password, verify_password
from assistant.console.handlers import Console
from assistant.services import build_assistant
from assistant.store import Store


@pytest.fixture
def console(settings, searcher, tmp_path: Path) -> Console:
    return Console(build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/c.db")))


def test_passwords_and_cookies():
    h = hash_password("s3cret")
    assert verify_password("s3cret", h) and not verify_password("nope", h)
    auth = StaffAuth(f"alice:{h}", "k", session_seconds=60)
    cookie = auth.login("alice", "s3cret")
    assert auth.user_from_cookie(cookie) == "alice"
    assert auth.login("alice", "bad") is None
    assert auth.user_from_cookie(cookie[:-2] + "xx") is None
    expired = StaffAuth(f"alice:{h}", "k", session_seconds=-1).login("alice", "s3cret")
    assert auth.user_from_cookie(expired) is None


def test_trace_shows_why(console):
    out = console.debug_turn("株洲开饭店要带什么材料", None)
    t = out["trace"]
    assert out["matter"] == "43TCN0003" and t["matters"][0]["matter_code"] == "43TCN0003"
    assert t["hits"] and "score" in t["hits"][0] and t["aspect"] == "materials"
    assert "timings_ms" in t and out["mode"] == "composer"


def test_form_tab_reads_a_labelled_transcript(console):
    """Staff paste a labelled transcript: only the citizen's lines are sources, the assistant's questions
    say which field a short reply answers, and the report shows each value's source."""
    out = console.form_from_transcript(
        "43PCN0009",
        "工作人员：宝宝叫什么名字？\n群众：刘一一\n工作人员：户口跟爸爸还是妈妈？\n群众：落在他爸那边\n"
        "工作人员：请问您的联系地址？\n群众：长沙市雨花区韶山中路66号",
    )
    data = out["data"]
    assert data["baby_name"] == "刘一一" and data["hukou_follow"] == "随父"
    assert data["applicant_address"] == "长沙市雨花区韶山中路66号"
    assert not any("名字" in str(v) or "联系地址" in str(v) for v in data.values())


def test_guide_edit_validates_before_saving(console, tmp_path: Path, settings):
    import shutil

    kdir = tmp_path / "k"
    shutil.copytree(settings.knowledge_dir, kdir, ignore=shutil.ignore_patterns("*.jsonl"))
    console.settings = settings.model_copy(update={"knowledge_dir": kdir})
    gid = "43TCN0003-430200"
    text = console.guide_yaml(gid)
    with pytest.raises(Exception, match="promised_days"):
        console.save_guide_yaml(gid, text.replace("promised_days: 4", "promised_days: 四天"), "alice")
    assert console.guide_yaml(gid) == text  # nothing written
    assert "已保存" in console.save_guide_yaml(
        gid, text.replace("name: 开办餐饮店一件事", "name: 开办餐饮店一件事（株洲）"), "alice"
    )
    assert console.store.audit_log()[0]["action"] == "edit_guide"


def test_queue_reveal_is_audited_and_masked(console, tmp_path: Path):
    sid, _ = console.bot.new_session()
    console.bot.respond(sid, "我的手机13812345678，明天天气怎么样")
    console.bot.respond(sid, "我的手机13812345678，明天天气怎么样")  # asked again: a ticket is opened
    rows = console.queue()
    assert rows and "138****5678" in rows[0][3]
    masked = console.conversation(sid, "alice")
    assert "138****5678" in masked[0]["text"]
    assert not any(a["action"] == "reveal_personal_data" for a in console.store.audit_log())
    revealed = console.conversation(sid, "alice", reveal=True)
    assert "13812345678" in revealed[0]["text"]
    log = console.store.audit_log()
    assert (
        log[0]["action"] == "reveal_personal_data" and log[0]["actor"] == "alice" and log[0]["target"] == sid
    )
    hid = console.store.handoffs()[0]["id"]
    console.mark_handled(hid, "alice")
    assert console.store.handoffs()[0]["status"] == "handled"
    drafts = tmp_path / "drafts.jsonl"
    item = console.to_eval_draft(sid, "alice", out=drafts)
    assert item["turns"][0]["expect"]["refuse"] is True and "138****5678" in item["turns"][0]["user"]
    assert "138****5678" in drafts.read_text(encoding="utf-8")


def test_stats(console):
    sid, _ = console.bot.new_session()
    console.bot.respond(sid, "株洲开饭店要带什么材料")
    s = console.stats()
    assert s["sessions"] >= 1 and s["top_matters"][0][0] == "开办餐饮店一件事"


def test_console_requires_login(settings, tmp_path: Path):
    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/l.db",
            "staff_accounts": f"alice:{hash_password('pw')}",
        }
    )
    with TestClient(create_app(s)) as c:
        r = c.get("/console/app/", headers={"accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/login"
        assert c.get("/console/app/config").status_code == 401
        assert c.post("/console/login", data={"username": "alice", "password": "x"}).status_code == 401
        ok = c.post("/console/login", data={"username": "alice", "password": "pw"}, follow_redirects=False)
        assert ok.status_code == 303
        assert c.get("/console/app/").status_code == 200


def test_console_resists_guessing_framing_and_cross_site_posts(settings, tmp_path: Path):
    import time

    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/h.db",
            "staff_accounts": f"alice:{hash_password('pw')}",
            "rate_per_minute_client": 1000,
        }
    )
    with TestClient(create_app(s)) as c:
        page = c.get("/console/login")
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        # a login form posted from another site's page is refused
        evil = c.post(
            "/console/login",
            data={"username": "alice", "password": "pw"},
            headers={"origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert evil.status_code == 403
        # an unknown user costs as much as a wrong password (no user enumeration by timing)
        t0 = time.perf_counter()
        c.post("/console/login", data={"username": "nobody", "password": "x"})
        unknown = time.perf_counter() - t0
        t0 = time.perf_counter()
        c.post("/console/login", data={"username": "alice", "password": "x"})
        known = time.perf_counter() - t0
        assert unknown > known / 3
        # five failures from one address lock it: even the right password is refused; every failure is audited
        for _ in range(3):
            c.post("/console/login", data={"username": "alice", "password": "wrong"})
        locked = c.post("/console/login", data={"username": "alice", "password": "pw"})
        assert locked.status_code == 429 and "锁定" in locked.text
        bot = c.app.state.get_assistant()
        actions = [a["action"] for a in bot.store.audit_log()]
        assert actions.count("login_failed") == 5 and "login_locked" in actions


def test_logout_revokes_the_session_on_the_server(settings, tmp_path: Path):
    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/r.db",
            "staff_accounts": f"alice:{hash_password('pw')}",
        }
    )
    with TestClient(create_app(s)) as c:
        ok = c.post("/console/login", data={"username": "alice", "password": "pw"}, follow_redirects=False)
        assert "samesite=strict" in ok.headers["set-cookie"].lower()
        cookie = c.cookies.get("onething_staff")
        assert c.get("/console/app/").status_code == 200
        c.get("/console/logout", follow_redirects=False)
        c.cookies.set("onething_staff", cookie, path="/console")  # the old cookie, kept by an attacker
        assert c.get("/console/app/config").status_code == 401
