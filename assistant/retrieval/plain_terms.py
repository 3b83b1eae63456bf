"""The official words for what citizens say in everyday words about government services: "领证" is 结婚登记,
"公司改个名" is a 变更, "关掉" a 注销, "搬到别的区" a 迁移, "社宝" a typo of 社保. A guide imported from the portal
is written only in the official words, and until someone writes aliases for it, these words are all the
lexical search can match it by. Most rules name kinds of administrative acts and things (登记, 变更, 注销, 迁移,
提取, 补领, 建房, 餐饮…) and carry over to guides imported later; some (信用修复, 报装, 个体工商户转型) were written
knowing the matters this knowledge base holds, so the leave-one-matter-out gain overstates what a guide of a
new kind of matter gets.

Hand-written: a short table of plain Chinese paraphrases of administrative vocabulary; no library maps these."""

from __future__ import annotations

import re

# (what citizens say, the official words it means); each adds its words to the lexical query
_RULES: list[tuple[re.Pattern[str], str]] = [
    # pinyin-input typos of the commonest words
    (re.compile(r"社宝"), "社保"),
    (re.compile(r"户扣|户囗"), "户口"),
    (re.compile(r"退修"), "退休"),
    (re.compile(r"带款|代款"), "贷款"),
    (re.compile(r"注消|注小"), "注销"),
    (re.compile(r"身份正"), "身份证"),
    (re.compile(r"残急|残积"), "残疾"),
    # acts
    (re.compile(r"(?:领|扯)(?:个|了|的)?(?:结婚)?证(?!明)"), "结婚登记"),
    (re.compile(r"上户口|报户口|落户口|入户口|上个户口"), "出生登记 落户"),
    (re.compile(r"改(?:个|了)?名字?|换(?:个)?名字|名字.{0,3}改"), "变更 姓名 名称"),
    (re.compile(r"换(?:个)?法人|法人.{0,4}换|改(?:个)?法人"), "法定代表人 变更登记"),
    (
        re.compile(r"经营范围.{0,4}(?:改|加|变)|(?:改|加|变).{0,6}经营范围|加(?:一|个)个?.{0,6}业务"),
        "经营范围 变更登记",
    ),
    (re.compile(r"丢了|弄丢|搞丢|遗失|掉了"), "挂失 补领"),
    (re.compile(r"(?:取|拿|提)(?:出来|钱|现)|用.{0,6}(?:还|付)(?:房贷|贷款|房租)"), "提取"),
    (re.compile(r"(?:自己|个人|以个人身份)(?:来|去|接着|继续)?(?:交|缴|买)"), "灵活就业 个人缴费 参保登记"),
    (re.compile(r"(?:交|缴|买|上)(?:社保|养老|医保)"), "社会保险 参保 缴费"),
    (re.compile(r"销掉|关掉|关门|不开了|不做了|不干了|不搞了|不经营了|散伙|解散"), "注销"),
    (re.compile(r"(?:搬|挪|迁|移)(?:到|去|过去|过来|进)|换(?:个|到)(?:区|县|市|地方)"), "迁移 迁入 迁出"),
    (re.compile(r"起屋|起房子|建房子?|盖房子?|修房子|起栋|起一栋|拆了重"), "建房 宅基地 住宅建设"),
    (re.compile(r"新招|招了|招的|新来的|新员工|新人|入职|招工|招人"), "录用 就业登记 职工参保登记"),
    (
        re.compile(
            r"饭店|餐馆|饭馆|菜馆|米粉店|粉店|面馆|小吃店|奶茶店|快餐店|夜宵|大排档|烧烤|火锅店|咖啡[馆店厅]|茶馆|酒馆"
            r"|餐厅|早餐店|卤味店|烘焙|蛋糕店|饮品店"
        ),
        "餐饮 食品经营",
    ),
    (re.compile(r"病退|提前退休|办退休|退休手续"), "退休"),
    (re.compile(r"拉货|货车|跑运输|车队|搞物流|跑物流|货运"), "道路货物运输"),
    (re.compile(r"住院|看病|买药|门诊"), "就医 医疗费用"),
    (re.compile(r"救济|补助金?|困难户|揭不开锅"), "救助"),
    (re.compile(r"评残|办残疾证|残疾证"), "残疾人证"),
    (re.compile(r"养老金|退休金|退休工资"), "养老保险待遇"),
    (re.compile(r"毕业生|刚毕业|应届|毕业了|毕业后"), "高校毕业生 就业"),
    (re.compile(r"生(?:了)?(?:个)?(?:娃|孩子|小孩|宝宝|伢)|宝宝出生|刚出生|刚生"), "新生儿 出生"),
    (
        re.compile(
            r"读一年级|上一年级|读小学|上小学|小升初|读初一|上初一|上初中|读初中|报名读书|报(?:名)?(?:读)?(?:小学|初中|一年级|初一)"
        ),
        "入学",
    ),
    (re.compile(r"黑名单|失信|处罚信息|撤下来|撤掉|移出"), "信用修复"),
    (re.compile(r"个转企|个体户转|转成公司|转为公司|升格为公司|变成公司|改成公司"), "个体工商户 转型 企业"),
    (re.compile(r"接水|接电|通水|通电|通燃气|通气|装宽带|拉网线|接宽带"), "报装"),
    (re.compile(r"保障房|廉租房|政府的房子|便宜的房子"), "公租房 保障性住房"),
    (re.compile(r"过户"), "转移登记"),
    # measures asked in everyday words: "能批好大" asks for the area, "最多能贷好多" for the upper limit
    (re.compile(r"[好多]大(?![学厦])|几个?平|多少平|好多平"), "面积"),
    (re.compile(r"最多|最长|顶多|封顶|上限"), "最高"),
    (re.compile(r"最少|至少|起码|下限"), "最低"),
    (re.compile(r"去世|过世|(?:爸|妈|爷|奶|公|婆|人|老人|家属|亲人).{0,4}走了|人没了|死亡"), "死亡 身后"),
]


def official_terms(text: str) -> str:
    """The official words the text's everyday words stand for (empty when none), to add to a lexical query."""
    words: list[str] = []
    for rule, official in _RULES:
        if rule.search(text):
            words.extend(w for w in official.split() if w not in words)
    return " ".join(words)
