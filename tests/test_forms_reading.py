"""Reading a labelled transcript into form values: phrasings citizens use that the extractor once missed or
misread (each case is a small conversation on the real form catalog, no mocks)."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from assistant.services import load_form_service

TODAY = date(2026, 12, 5)


def _id(prefix17: str) -> str:
    return next(prefix17 + d for d in "0123456789X" if ric.is_valid(prefix17 + d))


MOTHER_ID = _id("43011119940322126")  # 17th digit 6: a woman
FATHER_ID = _id("43011119921105357")  # 17th digit 7: a man


@pytest.fixture(scope="module")
def service(settings):
    return load_form_service(settings)


def _values(service, code: str, lines: list[str]) -> dict[str, object]:
    draft = service.build(code, lines, today=TODAY)
    return {k: v.value for k, v in draft.values.items() if v.origin != "default"}


def test_spouse_is_the_other_parent_and_my_side_is_the_speakers(service):
    v = _values(
        service,
        "43PCN0009",
        [
            "工作人员：您和宝宝是什么关系？",
            f"群众：我是她妈妈，汤静怡，身份证{MOTHER_ID}",
            "工作人员：宝宝父亲的姓名和身份证号码？",
            f"群众：我爱人叫贺振宇，他身份证{FATHER_ID}",
            "工作人员：户口随父还是随母？",
            "群众：户口上在我这边",
            "工作人员：落户派出所是哪个？",
            "群众：这个不清楚",
        ],
    )
    assert v["applicant_name"] == "汤静怡" and v["mother_name"] == "汤静怡"
    assert v["father_name"] == "贺振宇" and v["father_id_number"] == FATHER_ID
    assert v["hukou_follow"] == "随母"
    assert "police_station" not in v  # "这个不清楚" is no police station


def test_addresses_lose_the_words_before_them(service):
    v = _values(
        service,
        "43PCN0009",
        [
            "助手：医保参保地和社保卡邮寄地址？",
            "用户：医保怀化市鹤城区。我现在住怀化市鹤城区锦溪南路25号，社保卡也寄这里",
        ],
    )
    assert v["card_mailing_address"] == "怀化市鹤城区锦溪南路25号"
    assert v["insured_place"] == "怀化市鹤城区"


def test_all_none_answers_every_asked_field(service):
    v = _values(
        service,
        "43PCP0002",
        [
            "助手：本地有无住房？有无机动车？",
            "用户：都没有",
            "助手：月收入？",
            "用户：我一个月四千五，我爱人三千",
        ],
    )
    assert v["housing_status"] == "无自有住房" and v["has_vehicle"] == "无"
    assert v["monthly_income"] == 4500


def test_a_second_line_to_the_same_question_restates_it(service):
    v = _values(
        service, "43PCP0002", ["助手：月收入？", "用户：六千", "用户：哦，那是税前，到手五千二，填到手的吧"]
    )
    assert v["monthly_income"] == 5200


def test_the_choice_said_last_wins(service):
    v = _values(
        service,
        "43PCN0009",
        [
            "助手：户口随父还是随母？",
            "用户：随爸爸吧",
            "用户：等下，跟他爸商量了，还是落我这边，随母",
        ],
    )
    assert v["hukou_follow"] == "随母"
    w = _values(service, "43TCN0008", ["用户：我们是分公司，叫株洲恒通物流有限公司长沙分公司，要注销"])
    assert w["enterprise_type"] == "分公司"


def test_reason_and_liquidator_and_business_type_words(service):
    v = _values(
        service,
        "43TCN0008",
        [
            "用户：电商公司股东会决议解散，想走简易注销，我是法人",
            "助手：清算组负责人是谁？",
            "用户：清算组负责人是股东潘雅丽",
            "用户：刚才类型说错了，不是一人公司，是有限责任公司",
        ],
    )
    assert v["deregistration_reason"] == "股东会决议解散"
    assert v["liquidator_name"] == "潘雅丽"
    assert v["enterprise_type"] == "有限责任公司" and "enterprise_name" not in v


def test_travel_permit_numbers_are_checked_as_permits(service):
    draft = service.build(
        "43PCN0013",
        [
            "用户：我人在香港，帮长沙的老爸办退休一件事",
            "助手：请问您本人用什么证件？姓名和证件号码？",
            "用户：林浩，我是香港居民，用港澳居民来往内地通行证，号码H10382756",
        ],
        today=TODAY,
    )
    assert draft.values["applicant_id_type"].value == "港澳居民来往内地通行证"
    assert draft.values["applicant_id_number"].value == "H10382756"
    assert draft.values["applicant_id_number"].problem is None
    wrong = service.build(
        "43PCN0013", ["用户：帮我爸办退休", "用户：我用港澳居民来往内地通行证，号码H1038275"], today=TODAY
    )
    assert "H 或 M 加 8 位数字" in (wrong.values["applicant_id_number"].problem or "")


def test_a_landline_where_a_mobile_is_needed_is_flagged(service):
    draft = service.build(
        "43PCN0013", ["工作人员：留个联系电话。", "群众：我没手机，打家里座机0731-57821345"], today=TODAY
    )
    assert draft.values["applicant_phone"].value == "0731-57821345"
    assert "座机收不到短信" in (draft.values["applicant_phone"].problem or "")


def test_an_id_wrong_for_the_mother_is_wrong_for_the_applicant_she_is(service):
    draft = service.build(
        "43PCN0009", ["用户：我叫彭晓燕，是孩子的妈妈", f"用户：孩子妈身份证{FATHER_ID}"], today=TODAY
    )
    assert draft.values["mother_id_number"].problem and "性别" in draft.values["mother_id_number"].problem
    assert draft.values["applicant_id_number"].problem == draft.values["mother_id_number"].problem


def test_four_characters_after_a_surname_are_a_phrase_not_a_name(service):
    v = _values(service, "43PCP0002", ["用户：我叫杨帆", "用户：房子太小，只有三十几平，想申请租房补贴"])
    assert v["applicant_name"] == "杨帆"


def test_an_impossible_date_and_a_short_code_are_kept_and_flagged(service):
    draft = service.build(
        "43PCN0010",
        ["助手：孩子的出生日期？", "用户：2021年2月29号"],
        today=TODAY,
    )
    assert draft.values["student_birth_date"].value == "2021-02-29"
    assert draft.values["student_birth_date"].problem
    dereg = service.build(
        "43TCN0008",
        ["助手：企业名称和统一社会信用代码？", "用户：益阳市资阳区湘渔水产养殖有限公司，91430902MA4KW5F58"],
        today=TODAY,
    )
    assert dereg.values["uscc"].value == "91430902MA4KW5F58"
    assert "18 位" in (dereg.values["uscc"].problem or "")


def test_two_denials_stay_denials_and_numeral_words_are_no_amounts(service):
    v = _values(
        service,
        "43PCP0002",
        [
            "工作人员：名下有房有车吗？",
            "群众：湘潭冇得房子，车也冇得",
            "工作人员：月收入多少？",
            "群众：退休金加一点补贴，一个月两千一",
        ],
    )
    assert v["has_vehicle"] == "无"  # the second "没有" no longer flips the first back to 有
    assert v["monthly_income"] == 2100  # "加一点" counts nothing
    v = _values(service, "43PCP0002", ["助手：名下有房有车吗？", "用户：都还没买"])
    assert v["housing_status"] == "无自有住房" and v["has_vehicle"] == "无"
    v = _values(service, "43PCP0002", ["助手：有无机动车？", "用户：都还没买"])  # one field asked
    assert v["has_vehicle"] == "无"


def test_acting_for_a_spouse_and_a_code_corrected_in_the_same_breath(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "群众：我老公中风了，单位叫办病退，我替我丈夫来办",
            "工作人员：参保人的姓名、身份证号码？",
            f"群众：彭建国，{_id('43012119680725093')}",
            "工作人员：养老金发放的银行卡号？",
            "群众：建行的，6217002870012345678……等一下，念错了一位，应该是6217002870012345698",
            "工作人员：您的姓名和身份证号码？",
            f"群众：罗秀英，{_id('43012119700912062')}",
        ],
    )
    assert v["applicant_relation"] == "配偶" and v["applicant_name"] == "罗秀英"
    assert v["insured_name"] == "彭建国"
    assert v["bank_account"] == "6217002870012345698"


def test_rough_amounts_and_partial_numbers_fill_nothing(service):
    v = _values(
        service,
        "43TCN0003",
        [
            "工作人员：经营场所面积多大？",
            "群众：面积二十来个平方吧",
            "工作人员：从业人员几个？",
            "群众：四个，我和三个伙计",
        ],
    )
    assert "business_area" not in v and v["employee_count"] == 4
    v = _values(service, "43PCP0002", ["助手：月收入多少？", "用户：一个月三千出头，不固定"])
    assert "monthly_income" not in v
    v = _values(service, "43PCN0013", ["工作人员：银行卡号？", "群众：卡在我儿子那里，我只记得后四位是5521"])
    assert "bank_account" not in v


def test_a_year_and_month_is_a_whole_answer_and_the_report_accepts_it(service):
    draft = service.build(
        "43PCN0013", ["工作人员：哪年哪月参加工作的？", "群众：1987年7月进的厂"], today=TODAY
    )
    assert draft.values["work_start_date"].value == "1987-07"
    report = service.report(draft, None)  # the pydantic form model takes a year-month for this field
    assert report.data["work_start_date"] == "1987-07"


def test_a_short_name_question_binds_and_a_business_pointed_at_is_no_name(service):
    v = _values(
        service,
        "43TCN0008",
        [
            "用户：我那个五金店不搞了，要把执照注销",
            "助手：好的。名称和统一社会信用代码？",
            "用户：长沙市雨花区德胜五金店，92430111MA4M2B7H91，个体户",
            "助手：经营场所（住所）？",
            "用户：长沙市雨花区高桥街道人民东路二段159号。我崽在隔壁也开了个店，叫长沙市雨花区小曹电器行，他那个不注销",
        ],
    )
    assert v["enterprise_name"] == "长沙市雨花区德胜五金店"  # answered when asked; the son's shop is not it
    assert v["registered_address"] == "长沙市雨花区高桥街道人民东路二段159号"
    w = _values(service, "43TCN0008", ["用户：498号是隔壁那家烧烤店，我们的店在502号"])
    assert "enterprise_name" not in w


def test_a_date_corrected_without_naming_it_and_both_of_one_ethnic_group(service):
    v = _values(
        service,
        "43PCN0009",
        [
            f"用户：我是孩子爸爸，来给儿子办出生一件事。我叫向东，身份证{FATHER_ID}",
            "助手：好的。宝宝的姓名和出生日期？",
            "用户：向一鸣，2026年10月8号出生的",
            "助手：在哪家医院出生？",
            "用户：湖南省人民医院。哦，刚才日子说错了，是11月8号，不是10月8号",
            "助手：民族和落户？",
            "用户：我跟我老婆都是土家族。户口上在我这边，地址长沙市芙蓉区马王堆街道远大一路1008号",
        ],
    )
    assert v["baby_birth_date"] == "2026-11-08"
    assert (
        v["hukou_follow"] == "随父"
    )  # "都是土家族" names the ethnic group only; "我这边" said by the father


def test_a_grandfather_who_names_the_guardian_stays_the_applicant(service):
    grandpa = _id("43012119600814003")
    father = _id("43010419910223051")
    v = _values(
        service,
        "43PCN0010",
        [
            f"我是伢子的爷爷李国华，身份证{grandpa}，电话13787015264，他爸爸妈妈在广东打工，叫我来给他报名",
            f"监护人是他爸爸李建军，{father}",
        ],
    )
    assert v["applicant_name"] == "李国华" and v["applicant_id_number"] == grandpa
    assert v["guardian_name"] == "李建军" and v["guardian_id_number"] == father
    assert v["applicant_relation"] == "其他监护人"
    assert v.get("student_id_number") != grandpa  # "我是孩子的爷爷…" is about the speaker, not the child


def test_a_stated_total_and_numbers_in_another_unit(service):
    shop = _values(
        service,
        "43TCN0003",
        [
            "用户：我要开个粉店，个体户",
            "助手：经营项目？从业人员数？",
            "用户：就是煮粉，热食类食品制售。连我跟我堂客，还请了两个，一共四个人",
        ],
    )
    assert shop["employee_count"] == 4
    flat = _values(
        service,
        "43PCP0002",
        [
            "用户：我想申请公租房",
            "助手：家庭人数？月收入？",
            "用户：两个人，我和女儿。我在超市做收银，一个月两千八百块",
        ],
    )
    assert flat["household_size"] == 2 and flat["monthly_income"] == 2800


def test_a_quoted_name_an_address_asked_as_such_and_the_clause_that_says_how_it_is_now(service):
    shop = _values(
        service,
        "43TCN0003",
        [
            "用户：想开个小烘焙店，个体户",
            "助手：地址、面积？场所自有还是租赁？",
            "用户：长沙市开福区新河街道北辰三角洲D1区2栋108，十八平，租的，月租三千五",
            "助手：招牌写什么？",
            "用户：招牌就写“甜心烘焙”四个字",
        ],
    )
    assert shop["business_area"] == 18  # not the 三 of 三角洲
    assert shop["business_address"] == "长沙市开福区新河街道北辰三角洲D1区2栋108"
    assert shop["signboard_text"] == "甜心烘焙"


def test_a_household_counted_after_its_members_is_that_count():
    from assistant.forms.quantities import count_people

    assert (
        count_people("就我和孙孩子两个，他爸妈离婚了都不管他") == 2
    )  # the parents named after are not in it
    assert count_people("我和老婆两个小孩") == 4
    assert count_people("我跟我老伴两个") == 2


def test_a_thing_named_by_one_character_before_what_is_said_of_it(service):
    """ "车也冇得", "有台三轮车": a one-character cue names its yes/no field only as the topic of a have-word;
    inside an address or a company name it names nothing, and "名下" alone is no house."""
    from assistant.forms.toggles import toggles_in

    fields = service.catalog.fields("43PCP0002")
    assert toggles_in(fields, "郴州冇得房子，车也冇得")["has_vehicle"] == "无"
    assert toggles_in(fields, "屋里有台三轮车拉货用")["has_vehicle"] == "有"
    assert toggles_in(fields, "以前有辆车，前年卖了，现在家里没有机动车")["has_vehicle"] == "无"
    assert toggles_in(fields, "在衡阳市万通物流有限公司开车") == {}
    assert toggles_in(fields, "住衡阳市石鼓区车站路12号") == {}
    assert "housing_status" not in toggles_in(fields, "货车是租的，我名下没车")


def test_whose_household_a_newborn_joins_in_other_words(service):
    lines = [
        "用户：我是孩子爸爸，叫向东，身份证" + FATHER_ID,
        "助手：户口随父还是随母？",
        "用户：我户口在老家不方便，不上我这边，上她那边，湘潭市岳塘区建设南路9号",
    ]
    assert _values(service, "43PCN0009", lines)["hukou_follow"] == "随母"
    grandma = [
        "用户：我是伢子奶奶，帮孙女办出生登记",
        "助手：户口随谁？",
        "用户：户口上到我崽户口上，就在宁乡",
    ]
    assert _values(service, "43PCN0009", grandma)["hukou_follow"] == "随父"
    both = ["用户：我是孩子妈妈", "助手：民族？", "用户：我跟我老公都是苗族"]
    assert "hukou_follow" not in _values(service, "43PCN0009", both)  # "跟" joins two people here


def test_business_names_by_their_kind_and_partnership_form(service):
    v = _values(service, "43TCN0008", ["助手：企业叫什么？", "用户：宁远县九嶷山茶叶经营部"])
    assert v["enterprise_name"] == "宁远县九嶷山茶叶经营部"
    w = _values(service, "43TCN0008", ["用户：我们店叫衡阳市雁峰区小马烧烤店（普通合伙），要注销"])
    assert w["enterprise_name"] == "衡阳市雁峰区小马烧烤店（普通合伙）"
    x = _values(service, "43TCN0008", ["助手：企业名称？", "用户：湘潭华兴进出口贸易有限公司"])
    assert x["enterprise_name"] == "湘潭华兴进出口贸易有限公司"


def test_a_mainland_id_number_says_the_document_and_dialect_keeps_the_childs_sex(service):
    v = _values(
        service,
        "43PCN0009",
        [
            "助手：您的姓名和身份证号码？",
            f"用户：汤静怡，{MOTHER_ID}",
            "助手：宝宝是男孩还是女孩？",
            "用户：是个伢子，七斤二两",
        ],
    )
    assert v["applicant_id_type"] == "居民身份证"
    assert v["baby_gender"] == "男"
    school = _values(service, "43PCN0010", ["用户：我是她爷爷，帮我孙女报名读一年级"])
    assert school["student_gender"] == "女"


def test_a_place_after_its_cue_and_a_pronoun_with_nobody_named_is_not_the_speaker(service):
    v = _values(service, "43PCN0009", ["用户：汉族，随父，医保株洲市芦淞区，社保卡自己去拿"])
    assert v["insured_place"] == "株洲市芦淞区"
    w = _values(service, "43PCN0009", ["用户：医保也一起办了"])
    assert "insured_place" not in w  # "也一起办了" is no place
    retire = _values(
        service,
        "43PCN0013",
        [
            "工作人员：给谁办退休？",
            "群众：给我老公办，我是他爱人",
            "工作人员：参保人的姓名、身份证号码？",
            "群众：他身份证号430321196610032516，叫郭启明",
        ],
    )
    assert retire["insured_name"] == "郭启明" and retire.get("applicant_name") != "郭启明"


def test_a_speaker_whose_role_the_form_lacks_answers_the_role_asked_with_me(service):
    v = _values(
        service,
        "43PCN0010",
        ["助手：法定监护人是谁？姓名和身份证号码？", f"用户：我，孩子爸爸，向东，{FATHER_ID}"],
    )
    assert v["guardian_name"] == "向东" and v["guardian_id_number"] == FATHER_ID
    assert v["applicant_name"] == "向东"


def test_what_is_not_yet_known_stays_empty(service):
    v = _values(
        service,
        "43PCN0009",
        [
            "助手：宝宝叫什么？哪天出生？",
            "用户：叫喻子航，阴历九月初八生的，阳历我记不到，出生证今天冇带",
            "助手：民族？户口随谁？",
            "用户：我是汉族，她爸是回族，孩子报么子民族还冇商量好。户口跟她爸，归哪个派出所我不晓得",
        ],
    )
    assert "baby_birth_date" not in v  # "今天冇带" is no birth date
    assert "baby_ethnicity" not in v and "police_station" not in v
    assert v["hukou_follow"] == "随父"
    school = _values(
        service, "43PCN0010", ["助手：孩子的户籍地址？", "用户：户口还在湘乡老家，具体地址要问我爸"]
    )
    assert "student_hukou_address" not in school  # a home county is no address


def test_another_persons_id_card_does_not_change_the_applicants_document(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "我是他女儿林浩，人在香港，用港澳居民来往内地通行证，号码H10382756，手机13875912240",
            f"我爸林振华，身份证{FATHER_ID}，1992年11月5日出生",
        ],
    )
    assert v["applicant_id_type"] == "港澳居民来往内地通行证"
    assert v["applicant_id_number"] == "H10382756"


def test_the_owner_named_as_legal_representative_applies_as_that_and_a_titled_name_is_a_name(service):
    shop = _values(
        service,
        "43TCN0003",
        [
            "助手：个体户还是公司？经营者是谁？",
            "用户：个体户，经营者写我，王建平",
            "助手：您的姓名、身份证号码和电话？",
            f"用户：王建平，{FATHER_ID}，13787160927",
        ],
    )
    assert shop["legal_representative"] == "王建平" and shop["applicant_relation"] == "法定代表人"
    close = _values(service, "43TCN0008", ["工作人员：清算组负责人？", "群众：清算组组长是董事伍卫华"])
    assert close["liquidator_name"] == "伍卫华"


def test_a_guardian_named_by_kinship_in_a_form_without_parents(service):
    v = _values(service, "43PCN0010", ["助手：法定监护人写谁？", f"用户：写她妈妈汤静怡，身份证{MOTHER_ID}"])
    assert v["guardian_name"] == "汤静怡" and v["guardian_id_number"] == MOTHER_ID


def test_what_a_shop_sells_in_everyday_words_is_the_permits_item_names(service):
    v = _values(service, "43TCN0003", ["助手：经营哪些项目？", "用户：主要卖米粉，夏天再做点柠檬茶"])
    assert v["business_items"] == "热食类食品制售、自制饮品制售"
    w = _values(service, "43TCN0003", ["用户：店名叫熊记米粉店，个体户"])
    assert "business_items" not in w  # the kind in a shop's name is no list of items
    x = _values(service, "43TCN0003", ["助手：经营项目？", "用户：要做热食类食品制售"])
    assert x["business_items"] == "热食类食品制售"


def test_a_value_the_form_prescribes_for_a_situation(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "工作人员：现在在哪个单位参保？",
            "群众：以前在长沙纺织厂，厂子垮了以后冇得单位了，这些年是自己交的社保",
        ],
    )
    assert v["employer_name"] == "灵活就业"  # the form says: 灵活就业人员填“灵活就业”


def test_a_household_registered_in_another_prefecture_makes_a_migrant_worker(service):
    lines = [
        "助手：现住址和户籍地址？",
        "用户：租在株洲市芦淞区建宁街道人民南路322号，户口在衡阳市衡山县白果镇新桥村2组",
    ]
    assert _values(service, "43PCP0002", lines)["applicant_category"] == "外来务工人员"
    same = ["助手：现住址和户籍地址？", "用户：住株洲市荷塘区新华西路88号，户口在株洲市天元区泰山路12号"]
    assert "applicant_category" not in _values(service, "43PCP0002", same)


def test_a_speaker_giving_their_job_title_before_their_name(service):
    v = _values(
        service, "43TCN0008", ["工作人员：您是法人吗？", "群众：不是，我是公司会计曾小红，老板委托我来办注销"]
    )
    assert v["applicant_name"] == "曾小红" and v["applicant_relation"] == "委托代理人"


def test_a_spouse_applying_for_a_named_husband_and_his_facts_said_by_pronoun(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "帮我老公龚志强办退休，他是特殊工种，在湘潭钢铁集团有限公司",
            f"他身份证{FATHER_ID}，1992年11月5号生",
            "我是他妻子郭美华，手机18173256609",
        ],
    )
    assert v["insured_id_number"] == FATHER_ID and v["applicant_relation"] == "配偶"
    assert v["applicant_name"] == "郭美华" and v.get("insured_name") != "郭美华"


def test_a_role_said_after_the_speakers_name_is_the_speakers(service):
    v = _values(
        service,
        "43PCN0010",
        [
            "工作人员：孩子叫什么？",
            "群众：谭雨萱，女孩。",
            "工作人员：监护人信息和联系电话？",
            f"群众：监护人是我，范丽君，孩子妈妈，身份证{MOTHER_ID}。电话等下给你。",
        ],
    )
    assert v["guardian_name"] == "范丽君" and v["guardian_id_number"] == MOTHER_ID
    assert v["applicant_relation"] == "母亲" and v["applicant_id_number"] == MOTHER_ID


def test_a_document_number_not_yet_issued_stays_empty(service):
    v = _values(
        service,
        "43PCN0010",
        [
            "工作人员：居住证号码？",
            f"群众：我是孩子爸爸，身份证{FATHER_ID}。居住证还在办，号码还没出来。",
        ],
    )
    assert "residence_permit_number" not in v


def test_the_speakers_name_before_the_errand_and_the_subject_is_the_speaker(service):
    v = _values(service, "43PCN0013", [f"本人龙大有办退休，身份证{FATHER_ID}，电话13907311234"])
    assert v["applicant_name"] == "龙大有" and v["applicant_relation"] == "本人"
    assert v["insured_name"] == "龙大有" and v["insured_id_number"] == FATHER_ID


def test_facts_after_someone_sends_the_speaker_are_the_speakers(service):
    v = _values(
        service,
        "43TCN0003",
        [f"我是代账会计彭晓雯，老板委托我来办开饭店的事，委托书带了，身份证{MOTHER_ID}，电话13907311234"],
    )
    assert v["applicant_name"] == "彭晓雯" and v["applicant_id_number"] == MOTHER_ID
    assert "legal_rep_id_number" not in v and "enterprise_name" not in v


@pytest.mark.parametrize("said", ["1992年7月参加工作", "92年7月进的厂", "1992年7月在株洲冶炼厂下的井"])
def test_a_month_said_before_what_started_then(service, said):
    v = _values(service, "43PCN0013", [f"我爸叫龙大有，{said}"])
    assert v["work_start_date"] == "1992-07"


@pytest.mark.parametrize(
    "said",
    [
        "投资人是我石建军，身份证{id}",
        "我叫石建军，唯一股东也是法人，身份证{id}",
        "经营者就是我石建军，身份证{id}",
    ],
)
def test_the_speaker_who_holds_the_businesss_role(service, said):
    v = _values(service, "43TCN0008", [said.format(id=FATHER_ID)])
    assert v["legal_representative"] == "石建军" and v["legal_rep_id_number"] == FATHER_ID
    assert v["applicant_name"] == "石建军" and v["applicant_relation"] == "法定代表人"


def test_a_name_then_the_role_it_holds_and_the_speakers_mother_is_not_the_speaker(service):
    v = _values(service, "43TCN0008", ["董事长龚志远是法人，他的身份证我这里没有"])
    assert v["legal_representative"] == "龚志远" and "applicant_name" not in v
    v = _values(service, "43TCN0008", [f"我妈委托我来办，经营者是我妈陶秀英，身份证{MOTHER_ID}"])
    assert v["legal_representative"] == "陶秀英" and v["legal_rep_id_number"] == MOTHER_ID
    assert v.get("applicant_id_number") != MOTHER_ID


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("要注销株洲市芦淞区宏达五金经营部，个体户", "株洲市芦淞区宏达五金经营部"),
        ("注销湘潭恒通物流有限公司（有限责任公司），代码还要找一下", "湘潭恒通物流有限公司"),
    ],
)
def test_a_business_name_without_the_verb_or_its_kind_in_brackets(service, said, name):
    assert _values(service, "43TCN0008", [said])["enterprise_name"] == name


def test_a_bank_said_again_in_full_in_brackets(service):
    v = _values(
        service, "43PCN0013", ["我爸叫龙大有，养老金用工行社保卡（中国工商银行），卡号6222021234567890123"]
    )
    assert v["bank_name"] == "中国工商银行"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("我们算不算低收入家庭？", None),
        ("低收入家庭我不晓得算不算，还没去社区认定", None),
        ("社区认定了我们是低收入家庭", "低收入家庭"),
    ],
)
def test_a_choice_asked_about_is_not_a_choice_said(service, said, expected):
    v = _values(service, "43PCP0002", [f"我叫柳青青，想申请公租房。{said}"])
    assert v.get("special_situation") == expected


@pytest.mark.parametrize(
    ("said", "address"),
    [
        ("长沙市雨花区洞井街道湘府中路100号8栋1201租了套房", "长沙市雨花区洞井街道湘府中路100号8栋1201"),
        ("长沙市岳麓区麓谷大道627号长海创业基地", "长沙市岳麓区麓谷大道627号长海创业基地"),
        ("住所长沙市开福区芙蓉中路一段88号", "长沙市开福区芙蓉中路一段88号"),
    ],
)
def test_an_address_without_what_is_said_after_or_before_it(said, address):
    from assistant.forms.value_text import trim_address

    assert trim_address(said) == address


def test_a_value_before_the_word_that_names_its_field(service):
    """ "8月30号，…医院生的": the birth date comes before 生的, which names it; the hospital holds no date."""
    v = _values(
        service,
        "43PCN0009",
        ["工作人员：宝宝的名字、出生日期和医院？", "群众：伍思琪，9月12号，株洲市中心医院生的"],
    )
    assert v["baby_birth_date"] == "2026-09-12" and v["birth_hospital"] == "株洲市中心医院"


@pytest.mark.parametrize(
    "said", ["我是财税公司的谭小青，代办注销", "我是株洲本地人谭小青，来办注销", "我是她姑妈谭小青，帮忙来办"]
)
def test_the_speakers_name_after_who_they_are(service, said):
    assert _values(service, "43TCN0008", [said])["applicant_name"] == "谭小青"


@pytest.mark.parametrize(
    "said",
    ["我是孩子爸爸龙建设，监护人，身份证{id}", "我是她爸爸龙建设，监护人也写我，身份证{id}"],
)
def test_a_parent_who_says_they_are_the_guardian_too(service, said):
    v = _values(service, "43PCN0010", ["女儿明年读一年级，来报名", said.format(id=FATHER_ID)])
    assert v["guardian_name"] == "龙建设" and v["guardian_id_number"] == FATHER_ID
    assert v["applicant_id_number"] == FATHER_ID and v["applicant_relation"] == "父亲"


def test_a_message_opening_with_my_husband_in_a_retirement_form_is_about_the_insured(service):
    v = _values(service, "43PCN0013", [f"我老公龙大有，身份证{FATHER_ID}，1992年11月5号生的"])
    assert v["insured_name"] == "龙大有" and v["insured_id_number"] == FATHER_ID
    assert v["applicant_relation"] == "配偶" and v.get("applicant_id_number") != FATHER_ID


def test_the_spouse_who_is_authorised_is_the_agent(service):
    v = _values(
        service,
        "43TCN0003",
        ["我老公开了个蒸菜馆，个体户，他委托我来办，委托书写好了", f"我老公龙大有，身份证{FATHER_ID}"],
    )
    assert v["applicant_relation"] == "委托代理人"


def test_a_childs_clause_that_is_only_a_date_is_the_birth_date(service):
    v = _values(service, "43PCN0010", ["儿子龙小川，2020年11月12号，户口在隆回县桃洪镇紫阳路66号"])
    assert v["student_birth_date"] == "2020-11-12"


@pytest.mark.parametrize(
    ("code", "question", "reply", "field"),
    [
        (
            "43PCN0013",
            "工作人员：职工医保参保地？",
            "群众：医保在哪里我要回去问下我妈",
            "medical_insurance_place",
        ),
        ("43TCN0003", "工作人员：户外招牌写什么？", "群众：商场里面不让挂户外招牌", "signboard_text"),
    ],
)
def test_a_deferral_or_a_refusal_to_a_text_question_is_no_value(service, code, question, reply, field):
    assert field not in _values(service, code, [question, reply])


CHILD_ID = _id("43010520150817123")  # born 2015: a pupil, never the applicant


def test_a_grandparent_who_gives_only_the_grandchilds_number_has_not_given_their_own(service):
    v = _values(
        service,
        "43PCN0010",
        [
            "用户：我外孙女明年读初中，我是她外婆，叫邹桂香，我来报名。",
            "助手：好的，孩子叫什么？身份证号、出生日期？",
            f"用户：唐可欣，2015年8月17号生的，身份证是{CHILD_ID}。",
            "助手：监护人是谁？身份证号码？",
            "用户：她妈妈唐丽，身份证还没发给我。",
        ],
    )
    assert v["student_id_number"] == CHILD_ID
    assert "applicant_id_number" not in v
    assert v["applicant_name"] == "邹桂香"  # "她妈妈唐丽" to the guardian question is not the speaker
    assert v["guardian_name"] == "唐丽"


def test_a_daughter_who_gives_her_mothers_number_for_the_retirement_has_not_given_her_own(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "用户：我来帮我妈办退休。",
            "助手：请提供您母亲的姓名、身份证号、出生日期。",
            f"用户：罗秀英，身份证{MOTHER_ID}，1994年3月22日出生。",
            "助手：您的姓名、电话？",
            "用户：周敏，13807311234。",
        ],
    )
    assert v["insured_id_number"] == MOTHER_ID
    assert "applicant_id_number" not in v
    assert v["applicant_relation"] == "子女"


def test_an_applicant_for_themself_keeps_the_number_they_share_with_the_insured(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "用户：我要办退休。",
            "助手：请提供您的姓名、身份证号和出生日期。",
            f"用户：王建国，{FATHER_ID}，1992年11月5号生。",
        ],
    )
    assert v["applicant_id_number"] == v["insured_id_number"] == FATHER_ID


@pytest.mark.parametrize(
    ("code", "said", "field"),
    [
        ("43TCN0008", "用户：银行账户先不销，社保要不要注销得问我儿子", "close_social_insurance"),
        ("43TCN0008", "用户：社保有没有开户要问会计", "close_social_insurance"),
        ("43PCP0002", "用户：是不是低收入家庭还没认定，特殊情况先不填", "special_situation"),
        ("43PCP0002", "用户：我是新就业无房职工，刚毕业", "special_situation"),
    ],
)
def test_a_yes_no_question_left_open_or_a_self_description_is_no_answer(service, code, said, field):
    assert field not in _values(service, code, [said])


@pytest.mark.parametrize(
    "code, message, field, value",
    [
        ("43PCP0002", "想申请株洲的公租房，家里四口人……不对，女儿出嫁了，现在就三口人", "household_size", 3),
        ("43TCN0003", "在长沙开粉店，门面七十平，搞错了，是七十五平", "business_area", 75),
        (
            "43PCP0002",
            "申请公租房，我叫邓小勇，手机15874123690，说错了，15874123698",
            "applicant_phone",
            "15874123698",
        ),
    ],
)
def test_a_value_taken_back_in_the_same_breath_is_not_read(service, code, message, field, value):
    values = service.build(code, [message]).values
    assert values[field].value == value, {k: v.value for k, v in values.items() if v.origin != "default"}


def test_another_documents_number_is_not_the_property_certificate(service):
    v = _values(
        service,
        "43PCN0010",
        [
            "孩子要读一年级，我们在长沙租房住",
            "我的居住证号是4301052024013377，娃的身份证号是430105201909090013",
        ],
    )
    assert "property_cert_number" not in v, v


def test_a_question_with_a_copula_asks_no_field_the_copula_cues(service):
    """The 特殊情况 field is cued by "属于" in what citizens say; "您属于哪一类？" does not ask it."""
    v = _values(
        service, "43PCP0002", ["Q：您属于哪一类？", "A：我不是株洲户口，前年研究生毕业，刚进单位半年"]
    )
    assert "special_situation" not in v, v


def test_a_month_before_joining_a_named_workplace_is_the_start_of_work(service):
    v = _values(service, "43PCN0013", ["帮我妈办退休", "她1988年3月进的湘潭电机厂，一直在那里干到现在"])
    assert v.get("work_start_date") == "1988-03", v


def test_husband_and_wife_in_hunan_words(service):
    """堂客 is the wife, 屋里老倌子 / 老倌子 the husband: the wife applying for her husband's retirement."""
    v = _values(
        service,
        "43PCN0013",
        [
            "我帮屋里老倌子办退休，我是他堂客李冬梅，电话18874561230",
            "老倌子周建华，1966年4月2号出生，1986年9月进的湘潭钢铁厂",
        ],
    )
    assert v["applicant_name"] == "李冬梅" and v["applicant_relation"] == "配偶"
    assert v["insured_name"] == "周建华" and v["work_start_date"] == "1986-09", v


def test_a_day_that_does_not_exist_said_without_a_year_is_kept_and_flagged(service):
    draft = service.build(
        "43PCN0009", ["我是孩子妈妈，女儿叫周可欣，9月31号在株洲市中心医院出生的"], today=TODAY
    )
    born = draft.values["baby_birth_date"]
    assert born.value.endswith("-09-31") and born.problem, born


def test_the_forms_own_label_zhengjianhao_names_the_applicants_number(service):
    v = _values(
        service,
        "43PCP0002",
        [
            "用户：想申请公租房",
            "助手：请问申请人的姓名是？",
            f"用户：卢晓春，证件号{MOTHER_ID}，电话15873120046",
        ],
    )
    assert v.get("applicant_id_number") == MOTHER_ID, v


def test_a_parent_named_by_someone_applying_for_them_is_the_insured(service):
    v = _values(
        service,
        "43PCN0013",
        [
            "用户：替我母亲办退休，我是她儿子，电话13807316655",
            "助手：请问申请人的姓名是？",
            f"用户：母亲刘淑芬，身份证{MOTHER_ID}",
        ],
    )
    assert v.get("insured_name") == "刘淑芬" and v.get("insured_id_number") == MOTHER_ID, v
    assert v.get("applicant_id_number") != MOTHER_ID
