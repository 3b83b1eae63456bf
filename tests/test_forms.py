"""一表申请: models from YAML, extraction with sources, stdnum validation, corrections, rendering, dialog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric

from assistant.config import PROJECT_ROOT
from assistant.forms.spec import FormCatalog
from assistant.services import build_assistant, load_form_service
from assistant.store import Store

TODAY = date(2026, 11, 29)
GOOD_ID = next("43010219900101123" + d for d in "0123456789X" if ric.is_valid("43010219900101123" + d))
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")


@pytest.fixture(scope="module")
def service(settings):
    return load_form_service(settings)


def test_models_are_built_from_yaml():
    cat = FormCatalog.load(PROJECT_ROOT / "knowledge" / "forms")
    assert {"43PCN0009", "43PCN0013", "43PCP0002", "43PCN0010", "43TCN0003", "43TCN0008"} <= set(cat.forms)
    model = cat.model("43PCN0009")
    fields = model.model_fields
    assert "applicant_id_number" in fields and "baby_birth_date" in fields
    assert fields["baby_name"].title == "新生儿姓名"
    for f in cat.fields("43PCN0009"):
        assert f.label and (f.question or f.label)


def test_extraction_records_sources_and_never_invents(service):
    msgs = [f"我叫王芳，身份证{GOOD_ID}", "宝宝是个女孩，2026年10月3日在湘雅医院出生的", "我手机13812345678"]
    draft = service.build("43PCN0009", msgs, today=TODAY)
    v = draft.values
    assert v["applicant_name"].value == "王芳" and v["applicant_name"].source == msgs[0]
    assert v["applicant_id_number"].value == GOOD_ID and v["applicant_id_number"].problem is None
    assert v["baby_birth_date"].value == "2026-10-03"
    assert v["baby_gender"].value == "女"
    assert v["applicant_phone"].value == "13812345678" and v["applicant_phone"].source == msgs[2]
    assert "father_id_number" not in v


def test_validation_problems_are_plain_sentences(service):
    draft = service.build(
        "43PCN0009", [f"我叫王芳，身份证{BAD_ID}", "宝宝出生日期2027年1月5日", "手机1381234567"], today=TODAY
    )
    assert "校验码" in draft.values["applicant_id_number"].problem
    assert "不能晚于今天" in draft.values["baby_birth_date"].problem
    assert "11 位" in draft.values["applicant_phone"].problem
    old = service.build("43PCN0009", ["宝宝出生日期2025年1月5日"], today=TODAY)
    assert "超过" in old.values["baby_birth_date"].problem


def test_ask_missing_then_correct_then_render(service, searcher):
    draft = service.build("43PCN0009", [f"我叫王芳，身份证{GOOD_ID}"], today=TODAY)
    q = service.next_question(draft)
    assert q is not None and draft.pending_field == q.field
    assert service.correction(draft, "手机号写错了，是13912345678", TODAY)
    assert draft.values["applicant_phone"].value == "13912345678"
    report = service.report(draft, searcher.guides["43PCN0009-430100"])
    assert not report.complete and report.missing
    assert report.data["applicant_name"] == "王芳" and report.data["baby_name"] is None
    assert report.materials_waived and all(w["waiver"] for w in report.materials_waived)
    html = service.render_html(report)
    assert "王芳" in html and "class='blank'" in html and "<script" not in html
    pdf = service.render_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_form_scoring_counts_every_invented_field_but_not_defaults():
    from assistant.evaluation.datasets import FormCase
    from assistant.evaluation.forms_eval import score_case
    from assistant.forms.service import FieldValue

    case = FormCase(
        id="x",
        matter_code="43PCN0009",
        transcript=["我叫王芳"],
        expected={"applicant_name": "王芳", "baby_gender": "女"},
        expected_invalid=["mother_id_number"],
    )

    def v(value, origin="conversation", problem=None):
        return FieldValue(value=value, origin=origin, source="t", problem=problem)

    s = score_case(
        case,
        {
            "applicant_name": v("王芳"),
            "baby_gender": v("男"),  # wrong: a miss and a false value
            "mother_id_number": v("430104199408222486", problem="校验位错误"),  # flagged: caught
            "birth_hospital": v("什么医院"),  # never said: invented
            "applicant_id_type": v("居民身份证"),  # the field's default, however it got there
        },
        defaults={"applicant_id_type": "居民身份证"},
    )
    assert (s["tp"], s["fn"], s["fp"], s["invented"], s["caught"]) == (1, 1, 2, 1, [1.0])


def test_a_value_the_writer_left_open_is_neither_credited_nor_invented():
    from assistant.evaluation.datasets import FormCase
    from assistant.evaluation.forms_eval import score_case
    from assistant.forms.service import FieldValue

    case = FormCase(
        id="x",
        matter_code="43TCN0003",
        transcript=["个体户，经营者是我，李强"],
        expected={"applicant_name": "李强"},
        acceptable={"applicant_relation": ["本人", "法定代表人"]},
    )

    def v(value):
        return FieldValue(value=value, origin="conversation", source="t")

    fits = score_case(case, {"applicant_name": v("李强"), "applicant_relation": v("法定代表人")})
    assert (fits["tp"], fits["fp"], fits["invented"]) == (1, 0, 0)
    other = score_case(case, {"applicant_name": v("李强"), "applicant_relation": v("委托代理人")})
    assert (other["tp"], other["fp"], other["invented"]) == (1, 1, 1)


def test_form_in_the_dialog(settings, searcher, tmp_path: Path):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/f.db"))
    sid, _ = bot.new_session()
    bot.respond(sid, "长沙新生儿出生一件事要带什么材料")
    # the citizen's own data, with no question: it goes into the matter's form, never to a refusal
    a = bot.respond(sid, f"我叫王芳，身份证{GOOD_ID}，手机13812345678")
    assert a.mode == "form" and a.form["matter_code"] == "43PCN0009" and a.handoff is None
    assert "王芳" in a.text and a.form["pending"]
    assert bot.respond(sid, "帮我填表").form["pending"] == a.form["pending"]
    pending = a.form["pending"]["field"]
    b = bot.respond(sid, "手机号写错了，是13912345678")
    assert "13912345678" in b.text
    saved = bot.store.get_draft(sid, "43PCN0009")
    assert saved["values"]["applicant_phone"]["value"] == "13912345678"
    assert saved["pending_field"] == pending  # still waiting for the same missing field


def test_a_correction_after_the_last_field_still_reaches_the_draft(settings, searcher, tmp_path: Path):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/c.db"))
    sid, _ = bot.new_session()
    for text in [
        "长沙，给女儿办新生儿出生一件事，我是她妈妈汤静怡，身份证430111199403221269，电话13657318824",
        "宝宝叫贺语桐，女孩，9月14号在湖南省妇幼保健院生的",
        "我爱人叫贺振宇，他身份证430111199211053571",
        "我们两口子都是汉族，户口上在我这边，长沙市雨花区洞井街道湘府中路218号，医保就在长沙市雨花区",
    ]:
        last = bot.respond(sid, text)
    if not last.form["complete"]:  # whatever is still asked, answered plainly
        last = bot.respond(sid, "社保卡寄到长沙市雨花区洞井街道湘府中路218号")
    assert last.form["complete"], last.text
    fixed = bot.respond(sid, "刚才电话说错了，是13657318842")
    assert fixed.mode == "form" and "13657318842" in fixed.text
    assert bot.store.get_draft(sid, "43PCN0009")["values"]["applicant_phone"]["value"] == "13657318842"
    # and a question after it is answered as a question
    assert bot.respond(sid, "出生医学证明在哪里领").mode == "composer"


def test_own_data_without_a_matter_offers_the_nearest_forms_as_chips(settings, searcher, tmp_path: Path):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/k.db"))
    sid, _ = bot.new_session()
    a = bot.respond(sid, "我叫彭立新，电话13874561230，住长沙市开福区湘江中路二段16号")
    assert a.mode == "clarify" and a.handoff is None and len(a.suggestions) >= 2
    b = bot.respond(sid, next(s.text for s in a.suggestions if "教育入学" in s.label))
    assert b.mode == "form" and b.form["matter_code"] == "43PCN0010"
    assert bot.store.get_draft(sid, "43PCN0010")["values"]["applicant_phone"]["value"] == "13874561230"


def test_own_data_with_the_matter_said_in_everyday_words_opens_its_form(settings, searcher, tmp_path: Path):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/k2.db"))
    sid, _ = bot.new_session()
    b = bot.respond(
        sid,
        "我崽明年小学毕业，要报初中，我们是益阳南县来长沙打工的。崽叫易俊杰，男的咯，"
        "二〇一四年十月二十一号生的，身份证430921201410210115",
    )  # "报初中" is 入学
    assert b.mode == "form" and b.form["matter_code"] == "43PCN0010" and b.handoff is None
    saved = bot.store.get_draft(sid, "43PCN0010")["values"]
    assert saved["student_name"]["value"] == "易俊杰"  # "崽叫…" is the child, not the speaker
    assert "applicant_name" not in saved or saved["applicant_name"]["value"] != "易俊杰"
    assert b.form["pending"]["field"] == "student_id_number"  # the invalid ID is asked again first


def test_a_region_question_in_between_is_not_a_form_question(settings, searcher, tmp_path: Path):
    """The dialog path gives the draft the transcript path gives: the assistant asking which city ("各地的办理
    地点和电话不同。请问您在哪里办理？") asks for no address or phone, so the name said next is kept."""
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/r.db"))
    sid, _ = bot.new_session()
    first = bot.respond(sid, "刚参加工作，想申请公租房")
    assert first.mode == "clarify"
    said = "名字何欣，身份证430102199603150024，手机13907311234"
    bot.respond(sid, said)
    draft, _ = bot.form_draft(sid, "43PCP0002")
    alone = load_form_service(settings).build("43PCP0002", ["刚参加工作，想申请公租房", said])
    for fid in ("applicant_name", "applicant_id_number", "applicant_phone"):
        assert draft.values[fid].value == alone.values[fid].value
    assert draft.values["applicant_name"].value == "何欣"


def _chat_draft(settings, searcher, tmp_path: Path, code: str, messages: list[str]):
    """(draft, report) after the citizen's messages were sent one by one through the assistant."""
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/chat.db"))
    sid, _ = bot.new_session()
    for text in messages:
        bot.respond(sid, text)
    return bot.form_draft(sid, code)


def test_a_grandparent_introducing_themself_is_not_the_child_asked_for(settings, searcher, tmp_path: Path):
    """After the child's ID was flagged, "我叫…，身份证…" gives the speaker's own ID: the child's stays flagged."""
    said = [
        "爷爷帮孙子报名小学一年级，长沙的",
        "孙子身份证430121202011230626，2020年11月23日出生",
        "我叫罗德发，身份证430121195809110176，电话13787160927",
    ]
    draft, report = _chat_draft(settings, searcher, tmp_path, "43PCN0010", said)
    assert draft.values["student_id_number"].value == "430121202011230626"
    assert "student_id_number" in {i.field for i in report.invalid}
    assert draft.values["applicant_name"].value == "罗德发" and "student_name" not in draft.values


def test_a_spouse_acting_for_the_insured_gives_her_own_id_not_his(settings, searcher, tmp_path: Path):
    said = [
        "帮我老公段国强办退休，长沙的，他在长沙机床厂",
        "他身份证430302197108090710，1971年8月9号生",
        "我是他妻子邹春兰，身份证430121197304181269，手机18173256609",
    ]
    draft, report = _chat_draft(settings, searcher, tmp_path, "43PCN0013", said)
    assert draft.values["insured_id_number"].value == "430302197108090710"
    assert "insured_id_number" in {i.field for i in report.invalid}
    assert draft.values["applicant_id_number"].value == "430121197304181269"


def test_a_message_opening_with_husband_by_a_wife_who_said_so_is_about_the_insured(
    settings, searcher, tmp_path: Path
):
    """ "老公吴建设，身份证…" after "我是他爱人…": his (invalid) number is the insured's, flagged, not hers."""
    said = [
        "帮我老公办退休，我是他爱人龚淑芬，电话15973250486",
        "老公吴建设，身份证430302196606230352，1966年6月23日生",
    ]
    draft, report = _chat_draft(settings, searcher, tmp_path, "43PCN0013", said)
    assert draft.values["insured_id_number"].value == "430302196606230352"
    assert "insured_id_number" in {i.field for i in report.invalid}
    assert "applicant_id_number" not in draft.values
    assert draft.values["insured_name"].value == "吴建设"


def test_facts_stated_after_the_matter_go_to_its_form_never_to_a_refusal_or_a_ticket(
    settings, searcher, tmp_path: Path
):
    """A name and a birth date, or a name and a phone with a digit too many, stated without a question once the
    matter is known, are the form's: the form starts and flags them; nothing is refused and no ticket opens."""
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/facts.db"))
    sid, _ = bot.new_session()
    bot.respond(sid, "帮我爸办退休，长沙的")
    a = bot.respond(sid, "我爸叫王德明，1966年9月31日出生的")
    assert a.mode == "form" and "王德明" in a.text and "不是有效日期" in a.text
    b = bot.respond(sid, "我叫王磊，电话139073112345")
    assert b.mode == "form" and "工单" not in b.text and "不在我的办事指南范围内" not in b.text
    draft, report = bot.form_draft(sid, "43PCN0013")
    assert draft.values["applicant_phone"].value == "139073112345"
    assert {"applicant_phone", "insured_birth_date"} <= {i.field for i in report.invalid}


def test_a_question_in_dialect_with_the_speakers_name_is_still_a_question(settings, searcher, tmp_path: Path):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/q.db"))
    sid, _ = bot.new_session()
    a = bot.respond(sid, "我叫周倩 今年湘大毕业 想把户口和档案落长沙 咋办")
    assert a.mode != "form" and a.matter_code == "43PCC0001"
