"""End-to-end in a real browser (Debian Chromium driven by Playwright): ask, see a cited answer, complete an
eligibility walkthrough, download the form draft."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(settings, tmp_path_factory):
    from assistant.api.app import create_app

    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    app = create_app(
        settings.model_copy(update={"database_url": f"sqlite:///{db}", "console_enabled": False})
    )
    with serving(app) as url:
        yield url


def test_widget_end_to_end(server, tmp_path: Path):
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed; `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        page = browser.new_page(accept_downloads=True)
        page.goto(server + "/")
        page.get_by_role("button", name="打开一件事助手").click()
        box = page.get_by_label("输入问题")
        expect(box).to_be_focused()
        box.fill("长沙开饭店要带啥材料")
        box.press("Enter")
        answer = page.locator(".ot-bot").last
        expect(answer.locator(".ot-cites")).to_contain_text(
            "开办餐饮店一件事（长沙市）· 申请材料", timeout=30000
        )
        expect(answer).to_contain_text("开办餐饮店“一件事”申请书")
        # server text is shown as text, never as markup
        assert page.locator(".ot-bot script").count() == 0
        # the source link says what it opens; chips come before stars and sources in the keyboard order
        expect(answer.locator("a.ot-cite").first).to_contain_text("指南页")
        order = page.evaluate(
            "() => Array.from(document.querySelectorAll('.ot-bot:last-child button, .ot-bot:last-child a'))"
            ".map(x => x.className.split(' ')[0])"
        )
        kinds = [k for k in order if k in ("ot-chip", "ot-star", "ot-cite")]
        assert kinds and kinds[0] == "ot-chip" and kinds.index("ot-star") < kinds.index("ot-cite")
        assert page.locator(".ot-bot:last-child .ot-stars").count() == 1
        # touch targets of at least 44 px
        for sel in (".ot-bot:last-child .ot-chip", ".ot-bot:last-child .ot-star", ".ot-tool", ".ot-send"):
            b = page.locator(sel).first.bounding_box()
            assert b is not None and b["height"] >= 44 and b["width"] >= 44, sel
        # focus stays inside the open panel: Tab from the last control comes back to the first
        page.locator(".ot-send").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('.ot-panel') !== null")

        # a long answer: read from its start, the rest folded, phone numbers are links
        box.fill("长沙新生儿出生一件事要带什么材料")
        box.press("Enter")
        long = page.locator(".ot-bot").last
        expand = long.locator(".ot-expand")
        expect(expand).to_be_visible(timeout=30000)
        top = page.evaluate(
            "() => { const log = document.querySelector('.ot-bot:last-child').parentElement;"
            " const m = document.querySelector('.ot-bot:last-child');"
            " return m.getBoundingClientRect().top - log.getBoundingClientRect().top; }"
        )
        assert 0 <= top < 40  # the answer's first line is at the top of the panel, not its end
        expect(long.locator(".ot-more")).to_be_hidden()
        expand.click()
        expect(long.locator(".ot-more")).to_be_visible()
        expect(expand).to_have_attribute("aria-expanded", "true")
        box.fill("长沙出生一件事电话多少")
        box.press("Enter")
        tel = page.locator(".ot-bot").last.locator("a.ot-tel").first
        expect(tel).to_have_attribute("href", "tel:073188665266", timeout=30000)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(tmp_path / "widget-390x844.png"))

        # eligibility walkthrough by clicking the choice chips
        box.fill("我能办简易注销吗")
        box.press("Enter")
        expect(page.locator(".ot-bot").last).to_contain_text("第1问", timeout=30000)
        page.locator(".ot-bot").last.get_by_role("button", name="简易注销").click()
        for _ in range(20):
            last = page.locator(".ot-bot").last
            expect(last).not_to_have_class("ot-msg ot-bot ot-pending", timeout=30000)
            if "预审结果" in last.inner_text():
                break
            last.get_by_role("button", name="否", exact=True).click()
        expect(page.locator(".ot-bot").last).to_contain_text("预审结果：可以办理", timeout=30000)

        # form draft: start it and download the JSON
        page.locator(".ot-bot").last.get_by_role("button", name="帮我填表").click()
        card = page.locator(".ot-form-card").last
        expect(card).to_be_visible(timeout=30000)
        with page.expect_download() as dl:
            card.get_by_text("下载 JSON").click()
        path = tmp_path / "form.json"
        dl.value.save_as(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["matter_code"] == "43TCN0008" and "missing" in data

        # a mistyped ID the citizen gives is kept and shown with the reason, and never refused
        from stdnum.cn import ric

        good = next("43010419900110093" + d for d in "0123456789X" if ric.is_valid("43010419900110093" + d))
        bad = good[:-1] + ("1" if good[-1] != "1" else "2")
        box.fill(f"我是法人，叫周明远，身份证{bad}")
        box.press("Enter")
        card = page.locator(".ot-form-card").last
        expect(card.locator(".ot-invalid").first).to_contain_text("校验码", timeout=30000)
        expect(page.locator(".ot-bot").last).not_to_contain_text("不在我的办事指南范围内")
        assert page.locator(".ot-count").inner_text() == "0/500"  # the counter follows the emptied box

        # eleven digits inside an ID number are no phone number to call; the phone beside it is
        box.fill("帮我爸办退休，株洲的")
        box.press("Enter")
        expect(page.locator(".ot-bot").last).not_to_have_class("ot-msg ot-bot ot-pending", timeout=30000)
        box.fill(f"他叫刘建国，身份证{good}，电话13974120000")
        box.press("Enter")
        reply = page.locator(".ot-bot").last
        expect(reply).to_contain_text(good, timeout=30000)  # echoed as said, to be checked
        assert reply.locator("a.ot-tel").all_inner_texts() == ["13974120000"]

        # a message the server does not take leaves no bubble and stays in the box
        users = page.locator(".ot-user").count()
        too_long = "我想问一下" * 120  # longer than the box allows; set as a script would, past maxlength
        box.evaluate("(b, v) => { b.value = v; }", too_long)
        box.press("Enter")
        expect(page.locator(".ot-error").last).to_be_visible(timeout=30000)
        assert page.locator(".ot-user").count() == users
        assert box.input_value() == too_long

        # 适老化: large font and high contrast toggles
        tool = page.get_by_role("button", name="大字模式")
        small = float(tool.evaluate("b => parseFloat(getComputedStyle(b).fontSize)"))
        tool.click()
        expect(page.locator(".ot-panel")).to_have_class("ot-panel ot-big")
        assert float(tool.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")) > small  # header too
        browser.close()


def test_console_login_and_trace_tab(settings, tmp_path: Path):
    """Staff console smoke test in the real browser: log in, open 会话调试, ask, see the trace."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed; `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from assistant.api.app import create_app
    from assistant.console.auth import hash_password

    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path}/c.db",
            "staff_accounts": f"alice:{hash_password('pw')}",
        }
    )
    app = create_app(s)
    with serving(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(f"{base}/console")
        expect(page).to_have_url(f"{base}/console/login")
        page.get_by_label("用户名").fill("alice")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        page.get_by_role("tab", name="会话调试").click()
        page.get_by_label("以群众口吻提问").fill("株洲开饭店要带什么材料")
        page.get_by_role("button", name="提问").click()
        expect(page.get_by_label("回答")).to_have_value(re.compile("开办餐饮店"), timeout=60000)
        expect(page.get_by_text("43TCN0003").first).to_be_visible(timeout=30000)
        browser.close()
