"""Free-text answers read against the question they answer: "才五十三" to "是否年满五十五周岁？" is a no,
"没停过" to "是正常缴费的（不是停保状态）吗？" is a yes, "户口挂在集体户上" to "是家庭户（不是集体户）吗？"
is a no, "哪能上市" is a no, "执照还在办" to "是否已取得营业执照？" is a no.

Hand-written: a yes or no depends on the question's own thresholds and negations, which no library reads in
Chinese; the plain readers (assistant.text.values) stay the fallback."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from assistant.text.values import UNSURE_REPLY, Unparsed, numerals_to_digits, parse_yesno

_UNSURE = UNSURE_REPLY
# an affirmation that opens the reply ("是的，…", "有，…"), not a copula ("是我们镇上的小学")
_LEADING_YES = re.compile(
    r"^(?:是的?|对的?|嗯|恩|有的?|可以|好的?|愿意|当然|符合|同意|够了?|到了|在|满了|达到了|行|没错|对头|自愿)(?:[啊呀的，,。！!\s]|$)"
)
_LEADING_NO = re.compile(r"^(?:不是|没有|不|没|否|无)(?:[，,。！!\s]|$)")
_RHETORICAL = re.compile(
    r"哪能|哪来|哪有|哪里有|哪儿有|哪会|哪里是|[\u4e00-\u9fff]{1,2}什么[\u4e00-\u9fff]{0,2}(?:哦|哟|咯|嘛)$|(?:^|[，,。\s])[上当算是][么什]么?子?[\u4e00-\u9fff]{1,2}$|哪是|哪算|哪里.{0,2}得了|怎么可能|不可能|谈不上|算不上|没那回事|八竿子打不着"
)
_DOUBLE_NEGATION = re.compile(r"(?:也)?不是(?:没有|没)")  # "也不是没检查过": it was checked
# "停了…哦不是，现在一直正常在交", "满了…不对不对，我是讲…": only what follows the last self-correction counts
_SELF_CORRECTION = re.compile(
    r"(?:哦|噢|啊)?(?:不对不对|不是不是|不对|说错了|讲错了|搞错了)[，,。…\s]*(?:我是讲|我是说|应该是)?|哦不是[，,…]*|我是讲|我是说"
)
# a question back inside a reply ("补公示算不算纠正？", "不自愿来登记做什么"): not an answer
_ASKED_BACK = re.compile(r"[？?]$|(.)[不没]\1|做什么$|干什么$|干嘛$|还要?问|要讲$|要紧吗")
_DROPPED = re.compile(
    r"就算了(?=$|[，,。；;！!\s])|(?:^|[，,。；;\s])(?:那|还是)?算了|不用了|不要了|不办了|不弄了|拉倒|以后再(?:讲|说|办|弄)|先不(?:管|办|弄|申请|要)"
)
# "执照还在办", "证还没下来": not yet done, a no to "是否已…"
_NOT_YET = re.compile(
    r"还在(?:办|弄|走|审|等|装修)|正在(?:办|审|弄)|在办理|还没(?:下来|办好|拿到|批)|刚(?:交|提交|报)(?!完|清|齐|好)|等(?:审批|批|通知)"
)
# "贷款早就还清了": what the question asks about is no longer there
_DONE = re.compile(r"还清|结清|还完|清了|了结|办完|都撤了|撤销了|注销了|处理完|移出了|已经解除")
# a negation of what follows, but not idioms ("没问题", "不错") or vague quantities ("没几天", "不少")
_NEGATION = re.compile(
    r"(?:不|没有|没|未|别)(?!问题|错|得说|毛病|几|少|久|多|止|仅|但|一定|知道|清楚|确定|过如此|动产|意见|办法)([\u4e00-\u9fff])"
)
_COPULA = set("是有在用要会能过到")

_UNIT_DAYS = {
    "天": 1,
    "日": 1,
    "周": 7,
    "礼拜": 7,
    "星期": 7,
    "个月": 30,
    "月": 30,
    "年": 365,
    "岁": 365,
    "周岁": 365,
}
_QTY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个)?\s*(半)?\s*(周岁|岁|年|个月|月|天|日|周|礼拜|星期)(半)?")
_THRESHOLD = re.compile(
    r"(不满|未满|满|超过|达到|不到|不足|少于|多于|以上|以内)?\s*(\d+(?:\.\d+)?)\s*(?:个)?\s*(周岁|岁|年|个月|月|天|日)"
    r"\s*(以上|以内|（含）以上)?"
)
_IDIOM_QTY = [
    (re.compile(r"刚满月|满月"), 30.0),
    (re.compile(r"半年多|大半年"), 200.0),
    (re.compile(r"半年"), 182.0),
    (re.compile(r"一年多"), 400.0),
]


# what a question asks about, and plain words saying it is absent ("都单身" to "是否仍有配偶")
_ABSENT = [
    (re.compile(r"配偶|已婚|婚姻关系"), re.compile(r"单身|没结婚|未婚|离了|离婚了|丧偶|没对象")),
    (re.compile(r"多胞胎|双胞胎"), re.compile(r"单胎|就一个|只有一个|生了一个|一个宝宝|一个孩子")),
    (re.compile(r"外商投资|外资"), re.compile(r"内资|没有外资|纯国内")),
    (re.compile(r"城区"), re.compile(r"镇上|乡下|乡里|农村|村里|不在城里")),
    # "罚款交了一半，还有一半在分期交" to "是否已完全履行…（如缴清罚款）？"
    (
        re.compile(r"完全|缴清|交清|全部|都已"),
        re.compile(r"一半|部分|还欠|还差|分期|没交完|没缴完|还有一些|还剩"),
    ),
    # "医保断了，七八个月没交了" to "是正常缴费的参保人员吗（不是停保状态）？"
    (
        re.compile(r"正常缴费|正常参保|停保|在缴|正常交"),
        re.compile(r"断了|断缴|断交|停了|停着|停缴|停交|没交了|不交了|没再交|没有交了|还没(?:有)?交|欠费"),
    ),
    # "交的是村里那个城乡居民养老" to "是企业职工基本养老保险的参保人员吗？"
    (
        re.compile(r"企业职工|职工医保|职工基本"),
        re.compile(r"城乡居民|居民养老|居民医保|新农保|新农合|没上过班"),
    ),
]
# "没断过" to "（不是停保状态）", "没超" to "在标准以内": one word family, denied in both
_SAME_DENIAL = [set("停断欠拖"), set("超高多过"), set("清还付发交缴结")]  # "工资冇发" to "未清偿"
# "至少有一方是湖南户籍": one person named in Hunan is enough
_AT_LEAST_ONE = re.compile(r"至少(?:有)?一(?:方|人|个)|任何一方|其中一方")
IN_HUNAN = re.compile(
    r"湖南|本省|省内|长沙|株洲|湘潭|衡阳|邵阳|岳阳|常德|张家界|益阳|郴州|永州|怀化|娄底|湘西"
)
# places outside Hunan where Hunan people most often live or give birth (a short hand-written list: the
# provinces, and the big cities people name without their province)
_OUTSIDE_HUNAN = re.compile(
    r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|广东|广西|海南|四川|贵州|"
    r"云南|西藏|陕西|甘肃|青海|宁夏|新疆|内蒙古|香港|澳门|台湾|深圳|广州|东莞|佛山|珠海|中山|惠州|武汉|南昌|杭州|"
    r"苏州|南京|成都|贵阳|桂林|南宁|柳州|厦门|温州|宁波|义乌|昆明|西安|郑州|合肥|福州|外省|省外"
)


def _days(n: float, unit: str) -> float:
    return n * _UNIT_DAYS[unit]


_CALENDAR_MONTH = re.compile(
    r"(?:(?:今年|去年|前年|明年|\d{2,4}\s*年)\s*\d{1,2}\s*月(?!\s*(?:多|来)?\s*(?:了|以来|之久)))"
    r"(?:底|初|中旬|上旬|下旬|份|\d{1,2}\s*[号日])?|\d{1,2}\s*月(?:底|初|中旬|上旬|下旬|份|\d{1,2}\s*[号日])"
)


_YEAR_BACK = {"今年": 180.0, "上月": 30.0, "上个月": 30.0, "去年": 365.0, "前年": 730.0}
_SINCE = re.compile(r"出生|到现在|至今|现在|如今|满月|多大")
_PART_OF_MONTH = {"初": 5, "上旬": 5, "中旬": 15, "份": 15, "底": 28, "下旬": 25}


def _days_since(t: str, today: date | None = None) -> float | None:
    """Days from a date the reply names ("2026年10月8号", "十月八号", "今年四月底") to today; None without one."""
    today = today or date.today()
    m = re.search(
        r"(?:(\d{4})\s*年|(今年|去年|前年))?\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[号日]|(初|上旬|中旬|下旬|份|底)|(?=生|出生))",
        t,
    )
    if not m:
        return None
    year = int(m.group(1)) if m.group(1) else today.year - {"去年": 1, "前年": 2}.get(m.group(2) or "", 0)
    month = int(m.group(3))
    day = int(m.group(4)) if m.group(4) else _PART_OF_MONTH.get(m.group(5) or "", 15)
    try:
        then = date(year, month, day)
    except ValueError:
        return None
    if then > today and not m.group(1) and not m.group(2):
        then = then.replace(year=year - 1)  # "十二月八号" said in March: last December
    return float((today - then).days) if then <= today else None


def _reply_amount(reply: str, unit: str, since_date: bool = False) -> float | None:
    """How long (in days) or how old (in days of age) the reply says, in the question's unit family; a bare
    number ("才五十三") counts in the question's unit."""
    t = numerals_to_digits(reply)
    t = re.sub(r"(\d+)(个)?(?:来|多)", r"\1\2", t)  # "二十来天", "五个来月", "两个多月" (at least two)
    # "今年四月底生的，到现在七个多月了": a month of the calendar is when, not how long
    if since_date and (elapsed := _days_since(t)) is not None:
        return elapsed  # "十月八号生的" to "出生到现在是否不满六个月": the time since that day
    t = _CALENDAR_MONTH.sub("", t)
    t = re.sub(r"(?<!\d)(?:\d{2}|\d{4})\s*年(?=的|生|出生|人|那年)", "", t)  # "我八三年的": a birth year
    total = re.search(r"(?:一共|总共|合计|加起来|共)\s*(\d+(?:\.\d+)?)\s*(周岁|岁|年|个月|月|天|日)", t)
    if total:
        return _days(float(total.group(1)), total.group(2))
    m = _QTY.search(t)
    if m:
        n = float(m.group(1)) + (0.5 if (m.group(2) or m.group(4)) else 0.0)
        return _days(n, m.group(3))
    for pat, days in _IDIOM_QTY:
        if pat.search(t):
            return days
    bare = re.fullmatch(r"\D{0,8}?(\d+(?:\.\d+)?)\D{0,6}", t)
    return _days(float(bare.group(1)), unit) if bare else None


_TIME_REFERENCE = re.compile(
    r"(?:这|近|最近|前|头)(?:两|几|\d+)年|这些年|零几年|[\d一二三四五六七八九〇零]{2}年代"
)


def _threshold_answer(question: str, reply: str) -> bool | None:
    """A yes/no question that is a threshold ("是否还不满六个月？", "满9年？", "男年满五十五周岁、女年满四十五
    周岁？"): the reply's amount compared with the threshold that applies to it."""
    q = numerals_to_digits(question)
    # "申请前2年内是否卖过房": a time window, not an amount; "三年前卖过" falls outside it, "去年卖过" inside
    every = list(_THRESHOLD.finditer(q))
    windows = [m for m in every if re.match(r"\s*(?:内|之内)", q[m.end() :]) and not m.group(4)]
    ago = re.search(r"(\d+(?:\.\d+)?)\s*(?:个)?\s*(年|个月|月|天)(?:多)?(?:以)?前", numerals_to_digits(reply))
    named_year = re.search(r"(今年|去年|前年|上个?月)", reply)
    if windows and (ago or named_year) and not _NEGATION.search(reply):  # "没卖过，…八年前离的婚"
        back = _days(float(ago.group(1)), ago.group(2)) if ago else _YEAR_BACK[named_year.group(1)]  # type: ignore[union-attr]
        return back <= _days(float(windows[0].group(2)), windows[0].group(3))
    found = [m for m in every if m not in windows]
    if not found:
        return None
    if len(found) > 1:  # several thresholds: the one whose words the reply shares

        def score(m: re.Match[str]) -> int:
            lead = q[max(0, m.start() - 12) : m.start()]
            return sum(1 for i in range(len(lead) - 1) if lead[i : i + 2] in reply) + sum(
                1 for g in ("男", "女") if g in lead[-4:] and g in reply
            )

        best = max(found, key=score)
        if score(best) == 0:  # "今年四十三" to "男满五十五、女满四十五": decided when it meets all or none
            verdicts = {_meets(m, reply, question) for m in found}
            return verdicts.pop() if len(verdicts) == 1 else None
    else:
        best = found[0]
    return _meets(best, reply, question)


def _meets(best: re.Match[str], reply: str, question: str = "") -> bool | None:
    """Whether the reply's amount meets one threshold of the question (None: the reply gives no amount)."""
    op = best.group(1) or best.group(4) or "满"
    limit = _days(float(best.group(2)), best.group(3))
    if _TIME_REFERENCE.search(numerals_to_digits(reply)) or _TIME_REFERENCE.search(reply):
        return None  # "这两年没卖过": when, not how much
    # "出生到现在是否不满六个月", "年满五十五周岁": a date in the reply counts the time since it
    amount = _reply_amount(reply, best.group(3), since_date=bool(_SINCE.search(question)))
    if amount is None:
        return None
    if op in ("不满", "未满", "不到", "不足", "少于"):
        return amount < limit
    if op in ("超过", "多于"):
        return amount > limit
    if op == "以内":
        return amount <= limit
    return amount >= limit  # 满, 达到, 以上


def _negated_targets(text: str) -> list[str]:
    """What the text negates: the word after each negation ("没停过" → 停, "不是停保" → 停)."""
    out = []
    for m in _NEGATION.finditer(text):
        rest = text[m.start(1) :]
        rest = rest.lstrip("".join(_COPULA)) or rest
        rest = re.sub(r"^(?:什么|么子|啥子|啥|任何)", "", rest) or rest  # "不是么子集体户"
        out.append(rest[:2])
    return out


_BAD_EVENT = re.compile(r"吊销|责令关闭|撤销|冻结|出质|抵押|异常名录|失信|立案|强制措施|诉讼|仲裁|处罚|欠税")
_ALL_WELL = re.compile(r"好好的|好得很|正常|冇得问题|没得问题|没有问题|没问题|干干净净|清清白白")
_DOUBLE_NEGATIVE = re.compile(
    r"(?:不存在|没有|没得|冇得?|并无|无)(?:任何|什么|一点|哪里|哪样)?(?:的)?不(?=合格|符合|达标|规范|合规|满足|达到)"
)


def answer_yesno(question: str, reply: str, in_hunan: Callable[[str], bool] | None = None) -> bool:
    """True or False for a reply to a yes/no question, read against that question; Unparsed when unsure.
    `in_hunan` tells whether a text names a place in Hunan (the region registry knows every county)."""
    t = _DOUBLE_NEGATIVE.sub("都", reply.strip())  # "不存在不合格的地方": all of it is up to standard
    corrections = list(_SELF_CORRECTION.finditer(t))
    if corrections:
        last = corrections[-1]
        # "是…哦不是，户口还在贵州": the correction itself is the answer
        if "不是" in last.group(0) and _LEADING_YES.match(t[: last.start()].strip("…. ")):
            return False
        if last.end() < len(t):
            t = t[last.end() :]
    hunan = in_hunan or (lambda x: bool(IN_HUNAN.search(x)))
    kept = [
        c
        for c in re.split(r"(?<=[，,。；;！!？?])|\s+", t)
        if c.strip() and not _ASKED_BACK.search(c.strip("，,。；;！! "))
    ]
    if kept and len(kept) < len([c for c in re.split(r"(?<=[，,。；;！!？?])|\s+", t) if c.strip()]):
        t = "".join(kept)
    t = _DOUBLE_NEGATION.sub("", t)
    if _UNSURE.search(t):
        raise Unparsed(reply)
    if _LEADING_NO.match(t):
        return False
    if _LEADING_YES.match(t):
        return True
    # "迁" to "是否同时办理…户口迁移？": the question's own verb said back is a yes
    bare = t.strip("。！!，,~ 啊呀的吧")
    if 0 < len(bare) <= 2 and all(ch in question for ch in bare) and not _NEGATION.search(bare):
        return True
    threshold = _threshold_answer(question, t)
    if threshold is not None:
        return threshold
    if _RHETORICAL.search(t) or _DROPPED.search(t):
        return False
    if any(q.search(question) and r.search(t) for q, r in _ABSENT):
        return False
    # "执照好好的" to "是否被吊销营业执照…？": all is well, so the bad thing did not happen
    if _BAD_EVENT.search(question) and _ALL_WELL.search(t) and not _NEGATION.search(t):
        return False
    # "我是维吾尔族，我老婆是汉族" to "父母双方是同一民族吗？"
    if re.search(r"同一(?:个)?民族", question):
        named = set(re.findall(r"(汉|回|苗|侗|瑶|土家|白|壮|满|蒙古|藏|维吾尔|彝|布依|朝鲜|黎|畲)族", t))
        if len(named) >= 2:
            return False
    # "四级" to "残疾等级是否为一级或二级？": a level named is in the question's list or not
    q_levels = set(re.findall(r"([一二三四五六七八九])级", question))
    r_levels = set(re.findall(r"([一二三四五六七八九])级", t))
    if q_levels and r_levels and not _NEGATION.search(t):
        return bool(r_levels & q_levels)
    # "我是宁乡的户口；我老公是江西的" to "父母中是否至少有一方是湖南省户籍…？"
    if _AT_LEAST_ONE.search(question) and re.search(r"湖南|本省|省内", question):
        if any(hunan(c) and not _NEGATION.search(c) for c in re.split(r"[，,。；;！!\s]+", t) if c):
            if not re.search(r"集体户", t) or not re.search(r"家庭户", question):
                return True
    # "在东莞那边的医院生的" to "是在湖南省内的助产机构出生的吗？"
    if re.search(r"湖南|本省|省内", question) and _OUTSIDE_HUNAN.search(t) and not hunan(t):
        return False
    # "长沙雨花区的" to "申请人是湖南省户籍吗？"
    if re.search(r"湖南", question) and len(t) <= 12 and hunan(t) and not _OUTSIDE_HUNAN.search(t):
        if not _NEGATION.search(t):
            return True
    asks_done = bool(re.search(r"已|完|取得|拿到", question))
    if asks_done and _NOT_YET.search(t):
        return False
    done = _DONE.search(t)
    if (
        re.search(r"未|尚未|还有|没有", question)
        and done
        and not re.search(r"[没未不冇]$", t[: done.start()])
    ):
        return False  # "贷款早还清了"; but "手续也没办完" is not done
    q_negated = _negated_targets(question)
    # the clauses that speak to what is asked (they share words with the question's predicate) decide;
    # "两口子工资不高，社区说在标准内" answers "是否在标准以内" by its second clause
    predicate = re.split(r"是否|是不是|有没有|能不能|要不要", question, maxsplit=1)[-1]
    clauses = [c for c in re.split(r"[，,。；;！!？?\s]+", t) if c]
    relevant = [
        c
        for c in clauses
        if any(c[i : i + 2] in predicate for i in range(len(c) - 1))
        or (len(c) <= 4 and re.match(r"[不没未别]", c) and any(ch in predicate for ch in c[1:]))  # "不迁"
    ]
    # "讲没超" to "是否在标准以内？"
    if re.search(r"以内|以下|之内|标准内", question):
        if any(n[:1] == "超" for n in _negated_targets(t)):
            return True
        if re.search(r"(?<![没不未冇])超(?:了|过|出|标)", t):  # "超了一点"
            return False
    r_negated = [n for c in (relevant or [t]) for n in _negated_targets(c)]
    if r_negated:
        # "没停过" to "（不是停保状态）": the reply denies what the question also denies — a yes
        if any(a[:1] == b[:1] for a in r_negated for b in q_negated):
            return True
        if any(a[:1] in fam and b[:1] in fam for a in r_negated for b in q_negated for fam in _SAME_DENIAL):
            return True
        return False
    # "户口挂在集体户上" to "是家庭户（不是集体户）吗？": the reply affirms what the question rules out
    for m in re.finditer(r"(?:不是|非)([\u4e00-\u9fff]{2,4}?)(?:状态|户口|的)?[）)吗？?，,]", question):
        if m.group(1) in t:
            return False
    try:
        return parse_yesno(t)
    except Unparsed:
        # "前些年厂里发过住房补贴，领了好几年": a plain statement of what the question asks about is a yes
        if any(len(w) >= 3 for c in relevant for w in _shared_words(c, predicate)):
            return True
        raise


def _shared_words(a: str, b: str) -> list[str]:
    """Runs of three or more characters that both texts contain."""
    out = []
    for i in range(len(a) - 2):
        for j in range(len(a), i + 2, -1):
            if a[i:j] in b:
                out.append(a[i:j])
                break
    return out
