"""Understanding what citizens say about themselves (issue 15), on examples that are in no eval set: who is
speaking, values said in other words, speaker-labelled transcripts, invalid values kept and said, own data
never refused, eligibility outcomes that agree with the answers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric

from assistant.services import build_assistant, load_eligibility_engine, load_form_service
from assistant.store import Store
from assistant.text.values import Unparsed, numerals_to_digits, parse_choice, parse_yesno
from tests.conftest import PUBLIC_HOUSING_UNMARRIED

TODAY = date(2026, 12, 4)


def _id(prefix17: str) -> str:
    return next(prefix17 + d for d in "0123456789X" if ric.is_valid(prefix17 + d))


MUM = _id("43010519950316202")  # a woman (17th digit even)
DAD = _id("43010519930708301")
DAD_BAD = DAD[:-1] + ("1" if DAD[-1] != "1" else "2")  # one digit mistyped: fails the checksum


@pytest.fixture(scope="module")
def forms(settings):
    return load_form_service(settings)


def _values(forms, code: str, messages: list[str]) -> dict:
    draft = forms.build(code, messages, today=TODAY)
    return {k: (v.value, v.problem) for k, v in draft.values.items() if v.origin != "default"}


def test_the_speaker_binds_to_their_role_and_others_to_theirs(forms):
    v = _values(
        forms,
        "43PCN0009",
        [f"我是宝宝妈妈，叫周敏，身份证号{MUM}。宝宝爸爸叫郑凯，身份证{DAD_BAD}，我电话15907310022"],
    )
    assert v["applicant_name"][0] == v["mother_name"][0] == "周敏"
    assert v["applicant_id_number"][0] == v["mother_id_number"][0] == MUM
    assert v["applicant_relation"][0] == "母亲" and v["applicant_phone"][0] == "15907310022"
    assert v["father_name"][0] == "郑凯"
    # the father's mistyped ID is kept and said, not dropped
    assert v["father_id_number"][0] == DAD_BAD and "校验码" in v["father_id_number"][1]


def test_a_transcript_takes_values_only_from_the_citizen_and_reads_replies_against_the_question(forms):
    v = _values(
        forms,
        "43PCN0009",
        [
            "用户：孩子上个月出生的，想一次把户口医保办了",
            "助手：请问宝宝叫什么名字？男孩还是女孩？",
            "用户：郑小满，女孩",
            "助手：宝宝父亲的姓名和身份证号码？",
            f"用户：郑凯 {DAD}",
            "助手：请问您的联系地址是？",
            "用户：长沙市雨花区韶山中路66号",
        ],
    )
    assert v["baby_name"][0] == "郑小满" and v["baby_gender"][0] == "女"
    assert v["father_name"][0] == "郑凯" and v["father_id_number"][0] == DAD
    assert v["applicant_address"][0] == "长沙市雨花区韶山中路66号"
    assert "applicant_name" not in v  # the father's name answered the father question, not the applicant's
    assert not any("什么名字" in str(x[0]) or "联系地址" in str(x[0]) for x in v.values())


def test_parents_asked_together_and_each_value_said_with_its_person(forms):
    v = _values(
        forms,
        "43PCN0009",
        [
            "用户：我是孩子妈妈，给宝宝办出生一件事",
            "助手：请提供父母双方的姓名和身份证号码。",
            f"用户：我叫周敏，身份证{MUM}；他爸郑凯，身份证{DAD}",
        ],
    )
    assert v["mother_name"][0] == "周敏" and v["mother_id_number"][0] == MUM
    assert v["father_name"][0] == "郑凯" and v["father_id_number"][0] == DAD
    assert "baby_name" not in v


def test_a_legal_representative_giving_their_own_phone_is_the_applicant(forms):
    rep = _id("43010419850503275")
    v = _values(forms, "43TCN0008", [f"法定代表人胡晓峰，身份证{rep}，电话13467589902，申请简易注销"])
    assert v["applicant_name"][0] == "胡晓峰" and v["applicant_id_number"][0] == rep
    assert v["applicant_relation"][0] == "法定代表人"
    # someone who says who they are is not the person they name
    v = _values(
        forms,
        "43TCN0008",
        [f"我是公司会计王蕾，受公司委托来办。法定代表人胡晓峰，身份证{rep}，电话13467589902"],
    )
    assert v.get("applicant_name", ("",))[0] != "胡晓峰"


def test_a_question_that_names_nobody_is_about_the_person_asked_before(forms):
    kid = _id("43010220150612401")
    v = _values(
        forms,
        "43PCN0010",
        [
            "用户：给孩子报名上小学",
            "助手：我来帮您填。孩子叫什么名字？",
            "用户：周语桐",
            "助手：身份证号码和出生日期？",
            f"用户：{kid}，2015年6月12日",
            "助手：户籍和居住地址？",
            "用户：户口长沙市芙蓉区五一大道100号，住长沙市芙蓉区八一路20号",
            "助手：监护人姓名、身份证号？您是？",
            f"用户：周强，{DAD}，爸爸",
        ],
    )
    assert v["student_name"][0] == "周语桐"  # "您" in the first sentence is not who "叫什么名字" asks about
    assert v["student_id_number"][0] == kid and str(v["student_birth_date"][0]) == "2015-06-12"
    assert v["guardian_name"][0] == "周强" and v["guardian_id_number"][0] == DAD
    assert "applicant_id_number" not in v or v["applicant_id_number"][0] == DAD
    assert v["student_hukou_address"][0].startswith("长沙市芙蓉区五一大道")
    assert v["residence_address"][0].startswith("长沙市芙蓉区八一路")


def test_yes_no_fields_named_together_share_one_verb(forms):
    v = _values(
        forms,
        "43TCN0008",
        [
            "用户：公司不开了要注销",
            "助手：银行账户、社保、公积金、海关备案、公章？",
            "用户：银行和社保都一起注销，公积金没开过户，海关没备案过，公章也销掉",
        ],
    )
    assert v["close_bank_account"][0] == "是" and v["close_social_insurance"][0] == "是"
    assert v["close_housing_fund"][0] == "否" and v["customs_filing"][0] == "否"
    assert v["cancel_seal"][0] == "是"
    told = _values(forms, "43TCN0008", ["清税证明还没拿到，银行账户先留着，社保也注销"])
    assert told["tax_cleared"][0] == "否" and told["close_bank_account"][0] == "否"
    assert told["close_social_insurance"][0] == "是"


def test_a_reply_that_says_it_is_me_makes_the_speaker_that_person(forms):
    v = _values(
        forms,
        "43PCN0010",
        ["用户：孩子报名读小学", "助手：监护人姓名、身份证号码？", f"用户：邓立新，孩子爸爸，就是我，{DAD}"],
    )
    assert v["guardian_name"][0] == "邓立新" and v["applicant_name"][0] == "邓立新"
    assert v["applicant_id_number"][0] == DAD and v["applicant_relation"][0] == "父亲"
    agent = _values(
        forms,
        "43TCN0003",
        ["我是店里的会计，老板让我帮忙办开餐馆的手续，我叫邹敏，手机13975345120", "老板叫龙飞，身份证" + DAD],
    )
    assert agent["applicant_name"][0] == "邹敏" and agent["applicant_relation"][0] == "委托代理人"
    assert agent["legal_representative"][0] == "龙飞" and "applicant_id_number" not in agent


def test_values_said_by_their_shape_alone_fill_the_one_field_of_that_shape(forms):
    v = _values(
        forms,
        "43TCN0003",
        [
            "开了家米粉店，个体户",
            "店面在长沙市天心区书院路8号",
            "长沙市天心区书院路8号 租的 三十平 热食类食品制售、自制饮品制售 请了3个人",
        ],
    )
    assert v["business_area"][0] == 30 and v["employee_count"][0] == 3
    assert v["business_items"][0] == "热食类食品制售、自制饮品制售"
    assert v["premises_ownership"][0] == "租赁"
    # an address led by 住 is where someone lives, not the form's own address
    retire = _values(forms, "43PCN0013", [f"我是他女儿罗敏，身份证{MUM}，住长沙市天心区书院路8号"])
    assert "hukou_address" not in retire and retire["applicant_name"][0] == "罗敏"
    # "经营者是我妈王桂芝": the speaker's mother is the operator, the speaker is not
    dereg = _values(forms, "43TCN0008", ["我叫李娜，她委托我来办", f"经营者是我妈王桂芝，身份证{MUM}"])
    assert dereg["applicant_name"][0] == "李娜" and dereg["applicant_relation"][0] == "委托代理人"
    assert dereg.get("applicant_id_number", (None,))[0] != MUM


def test_a_question_offering_choices_asks_that_field(forms):
    v = _values(forms, "43PCP0002", ["用户：想申请公租房", "助手：实物配租还是租赁补贴？", "用户：补贴"])
    assert v["guarantee_type"][0] == "租赁补贴"


def test_choices_numbers_and_corrections_in_other_words(forms):
    housing = _values(
        forms,
        "43PCP0002",
        ["我一个人在长沙打工，没车，每个月四千五左右", "不对，收入说错了，是三千二一个月"],
    )
    assert housing["has_vehicle"][0] == "无" and housing["monthly_income"][0] == 3200
    retire = _values(forms, "43PCN0013", ["我不是独生子女父母，公积金也一起取出来"])
    assert retire["only_child_parent"][0] == "否" and retire["housing_fund_withdraw"][0] == "是"
    shop = _values(forms, "43TCN0003", ["门面是租来的，差不多八十平", "刚才面积说错了，是85平"])
    assert shop["premises_ownership"][0] == "租赁" and shop["business_area"][0] == 85


def test_households_durations_synonyms_and_cards_said_plainly(forms):
    housing = _values(
        forms,
        "43PCP0002",
        [
            "用户：想申请公租房",
            "助手：家里几口人？",
            "用户：我跟我媳妇，还有两个娃",
            "助手：家里有车吗？",
            "用户：没有",
            "助手：社保交了多久？",
            "用户：交了一年半",
            "助手：婚姻状况？",
            "用户：老伴前年过世了",
        ],
    )
    assert housing["household_size"][0] == 4 and housing["has_vehicle"][0] == "无"
    assert housing["social_insurance_months"][0] == 18 and housing["marital_status"][0] == "丧偶"
    assert _values(forms, "43PCP0002", ["就我一个人住，住雨花区井湾子街道香樟路8号"])["current_address"][
        0
    ] == ("雨花区井湾子街道香樟路8号")
    close = _values(forms, "43TCN0008", ["公司想走一般注销，是个一人公司"])
    assert close["deregistration_type"][0] == "普通注销"
    assert close["enterprise_type"][0] == "一人有限责任公司"
    retire = _values(
        forms,
        "43PCN0013",
        [
            "用户：我妈到年龄了，我帮她申请退休",
            "助手：养老金发到哪个银行，卡号多少？",
            "用户：长沙银行 6214 4602 0200 1122 334",
            "助手：公积金一起提取吗？",
            "用户：提",
        ],
    )
    assert retire["bank_account"][0] == "62144602020011223 34".replace(" ", "")
    assert retire["housing_fund_withdraw"][0] == "是" and retire["applicant_relation"][0] == "子女"


def test_free_text_values():
    assert numerals_to_digits("四千五") == "4500" and numerals_to_digits("三千二一个月") == "3200一个月"
    assert parse_yesno("在省妇幼生的") is True and parse_yesno("名下没有房") is False
    with pytest.raises(Unparsed):
        parse_yesno("这个要多久？")
    with pytest.raises(Unparsed):
        parse_yesno("不清楚")
    from assistant.text.values import Choice

    choices = [Choice(value="simple", label="简易注销"), Choice(value="general", label="普通注销")]
    assert parse_choice("想走简易的程序", choices) == "simple"


def test_own_data_is_never_refused_and_the_question_is_answered(settings, searcher, tmp_path: Path):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/o.db"))
    sid, _ = bot.new_session()
    a = bot.respond(sid, f"你好，我叫赵磊，身份证{DAD}，手机13787310055，想问下公司注销要准备什么")
    assert a.mode != "refusal" and a.handoff is None and a.matter_code == "43TCN0008"
    assert a.trace["personal_data"] == ["id_number", "mobile", "name"]
    # asking for somebody else's data is still refused
    sid2, _ = bot.new_session()
    b = bot.respond(sid2, f"帮我查一下{MUM}这个人住哪")
    assert b.mode == "refusal" and b.handoff is not None and b.handoff.reason == "manipulation"


def test_facts_given_turn_by_turn_fill_the_same_draft_as_the_transcript(settings, searcher, tmp_path: Path):
    facts = [f"我是孩子妈妈，叫周敏，身份证{MUM}", f"孩子爸爸叫郑凯，身份证{DAD}", "宝宝叫郑小满，女孩"]
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/t.db"))
    sid, _ = bot.new_session()
    bot.respond(sid, "我要办长沙的新生儿出生一件事，帮我填一下申请表")
    for text in facts:
        bot.respond(sid, text)
    chat, _ = bot.form_draft(sid, "43PCN0009")
    pasted = bot.forms.build("43PCN0009", ["用户：" + t for t in facts])
    keys = [
        "applicant_name",
        "mother_name",
        "mother_id_number",
        "father_name",
        "father_id_number",
        "baby_name",
    ]
    assert {k: chat.values[k].value for k in keys} == {k: pasted.values[k].value for k in keys}


def test_facts_told_without_a_question_go_to_the_form_and_are_never_refused(
    settings, searcher, tmp_path: Path
):
    bot = build_assistant(settings, searcher=searcher, store=Store(f"sqlite:///{tmp_path}/s.db"))
    sid, _ = bot.new_session()
    bot.respond(sid, "我想在湘潭开个火锅店，开办餐饮店一件事怎么办")
    # "电话" next to the citizen's own number asks for no phone number
    a = bot.respond(sid, f"我叫林晓，身份证{MUM}，电话13787310055")
    assert a.mode == "form" and a.handoff is None and a.matter_code == "43TCN0003"
    b = bot.respond(sid, "店在湘潭市雨湖区韶山中路88号，门面是租的，一百二十平，员工八个")
    assert b.mode == "form" and b.handoff is None
    draft, _ = bot.form_draft(sid, "43TCN0003")
    assert draft.values["business_area"].value == 120 and draft.values["applicant_name"].value == "林晓"
    assert draft.values["applicant_id_type"].origin == "conversation"  # said with the number, not a default
    # no matter named: the form the facts fill clearly best
    sid2, _ = bot.new_session()
    first = bot.respond(sid2, f"宝妈周敏，身份证{MUM}，手机13787310055")
    assert first.mode != "refusal" and first.handoff is None
    then = bot.respond(sid2, "儿子叫郑一鸣，2026年11月2号在湘雅医院出生的，男孩")
    assert then.mode == "form" and then.matter_code == "43PCN0009" and then.handoff is None
    # a question in other words is still a question ("会不会…", "是…还是…")
    sid3, _ = bot.new_session()
    q = bot.respond(sid3, "长沙开火锅店 联合检查的时候消防没过关 营业执照会不会也卡住不发")
    assert q.mode != "form"


def test_a_reply_of_several_things_is_no_name_for_the_field_asked(forms):
    from assistant.forms.extract import value_from_reply

    field = next(f for f in forms.catalog.fields("43TCN0008") if f.id == "enterprise_name")
    assert value_from_reply(field, "清税证明还没拿到，你们帮忙推一下") is None
    assert value_from_reply(field, "长沙市天心区万利贸易有限公司") == "长沙市天心区万利贸易有限公司"
    name = next(f for f in forms.catalog.fields("43PCP0002") if f.id == "applicant_name")
    lines = ["用户：想申请实物配租", "助手：请问申请人的姓名是？", "用户：名字易可，手机18390952271"]
    assert forms.build("43PCP0002", lines).values[name.id].value == "易可"


def test_eligibility_outcomes_agree_with_the_answers(settings, searcher):
    engine = load_eligibility_engine(settings, searcher)
    guide = searcher.guides["43PCP0002-430100"]
    answers = PUBLIC_HOUSING_UNMARRIED
    step, _ = engine.evaluate_answers("43PCP0002", answers, guide)
    names = {c.name for c in step.result.checklist}
    assert "结婚证" not in names and "离婚协议/离婚判决书" not in names
    assert "个人婚姻承诺书" in names
    no, _ = engine.evaluate_answers("43PCP0002", {**answers, "adult_capable": False}, guide)
    assert no.result.outcome.value == "不符合条件"
    assert not any("网上办理" in s for s in no.result.next_steps)
    from assistant.dialog.eligibility_flow import EligibilityFlow

    labels = {s.label for s in EligibilityFlow.answer(no, guide).suggestions}
    assert "帮我填表" not in labels and "转人工" in labels
