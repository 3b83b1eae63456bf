"""Detect which aspect(s) of a matter a question asks about (materials, time limit, place, ...)."""

from __future__ import annotations

import re

from assistant.text.synonyms import plain_words

# Ordered: the first aspects are the more specific ones. Patterns are about how people ask,
# not about any particular matter.
ASPECT_PATTERNS: list[tuple[str, str]] = [
    (
        "contacts",
        r"电话|热线|咨询.{0,3}(号|方式)|联系方式|号码多少|打给谁|投诉|打哪个|打哪里|找谁|问谁|咨询找|找哪个部门问|咨询哪个|(哪个|什么|打个|问的|咨询的?|专门的?)号码|打听|找(哪个|哪位|谁)(问|了解)|号码?(可以|能|好)打|(人工|客服)(电话|号码|热线)",
    ),
    (
        "fee",
        r"收费|费用|多少钱|好多钱|要钱|花钱|免费|交钱|收钱|付费|付钱|掏钱|给钱|钱吗|钱不|收多少|工本费|手续费|收不收|(什么|哪些|啥)钱|税费|(交|缴)(什么|啥|哪些|几种|多少)税|(交|缴|收|要)税(吗|不|没|么)|邮费|(要|得|还得|自己)(我)?出(钱|邮费|费用)|(交|收|要|付)[^，,。？?！!\s]{0,4}费(吗|不|没|呢|？|\?|$)",
    ),
    (
        "online_entry",
        r"网上|网办|线上|网址|链接|app|APP|湘易办|小程序|入口|手机上(?!的)|在线|哪个网站|公众号"
        # "需要跑现场吗" asks whether it can be done without going; "想去现场报名跑哪里" asks where
        r"|(?:要|需要|得|必须|用不用|要不要|需不需要|还要|是否)(?:本人)?(?:亲自)?(?:跑|到|去)(?:一趟|一次)?现场"
        r"|(?:不用|要不要|用不用|需不需要|必须|一定要|一定得|非要|非得|还要|还得)(?:本人)?(?:亲自)?跑(?!哪)"
        r"|(?:一定|必须|非得|非要)(?:要|得)?去(?:大厅|窗口|现场)|(?:要不要|需不需要|用不用)本人(?:亲自)?到场"
        r"|(?:要不要|需不需要|用不用|得不得)(?:派人|专门)?(?:跑|去)(?:一趟)?(?:政务)?(?:大厅|中心|窗口)",
    ),
    (
        "locations",
        r"在哪|哪里办|哪儿|去哪|(?<![换改变迁和及])地址|地点|窗口|大厅|几点|上班时间|办公时间|营业时间|周末|周[六日天]|星期[六日天]|礼拜[六日天]|节假日|开门|工作时间|哪个部门办|哪个窗|(什么|哪个)地方|去[^，,。？?！!\s]{1,4}哪(里|儿|个)"
        r"|(交|送|递|寄|拿)到[^，,。？?！!\s]{0,8}哪(个|里|儿)?|跑哪|到哪(里|儿)?(去)?(办|交|报名|申请|问)|哪里(报名|申请|交|弄)|哪(个|间)(办公室|科室)|几楼|哪(一)?块(办|交|受理)",
    ),
    (
        "time_limit",
        r"(?<![交缴满够])(?<!交满)(?<!缴满)(多久|几天|多长时间|多少天|几个工作日)|时限|工作日|(什么|啥)时候(能|可以)?(拿|办好|出|下来|到)"
        r"|多快|时间要多少|要多长|多久出结果|(要|得)?等好久|好久(能|才|可以)|要好久|多长时间|好久.{0,2}(办|拿|批|下来|到手|出来)"
        r"|(要|得|等)?好多天|多少个?工作日",
    ),
    (
        "linked_matters",
        r"包含|包括|哪些事项?|几个事项?|一起办|联办|合并|打包|哪几项|涵盖|能.{0,3}哪些(业务|事|项)?$"
        r"|(还|一次|都|一起|顺带|顺便|同时|一并)能?.{0,2}(办|报装|申请)(些|点)?(啥|什么|哪些|哪几)|哪几样|能申请哪些|能用在哪|用在哪些"
        r"|(都|全)包了|包不包|一口气|一块儿?(办|申请|弄|包)|连着(办|申请)|哪几件|(还要|要不要|需不需要)另外|系统(自己)?(核|查)|能不能一次(性)?(申请|办)|(跟着|随着|连着|和|跟)[^，,。？?！!\s]{1,8}一起(办|提|弄|办理|申请|销|变更|批|审批)|(哪几|哪些|几)个审批|包括.{0,6}(吗|不|没)|(顺带|顺便|跟着|一并|一起)(一起)?(变更|变|注销|销|改|换|迁|办|弄|过户|提|取|领)|(一次|一把|一趟)(性)?全?(搞定|搞完|搞好|办完|弄完|弄好|办好|办齐|开好|开完|开齐)"
        r"|核查(哪些|什么|啥)|核验(哪些|什么|啥)|会不会(去)?查|查不查|帮我们查"
        r"|(顺带|顺便|一并|一起)把[^，,。？?！!\s]{1,12}(申请|办|销|提|取|领|迁|转|改)|一起(转|帮忙销|帮忙办)|(一件事|这件事)里(面)?(有|包|含)"
        r"|哪些地方(能|可以)?用|一次(能|可以)?.{0,4}(哪些|啥|什么).{0,3}(证|事|业务)?.{0,2}办"
        # "还能拿来干啥", "社保公积金会跟着一起处理吗", "能不能顺带一起搞了"
        r"|(拿来|用来)干(啥|什么|嘛)|跟着一起(处理|办|改|变|迁|销|弄)|顺带一起(搞|办|弄)",
    ),
    (
        "materials",
        r"材料(?!.{0,2}(交|送|递|寄)到哪)|带什么|带啥|带哪些|带些(啥|什么)|准备什么|准备啥|准备哪些|要啥(?!条件|要求)|资料|证件|提交什么|需要什么(?!条件|要求|前提)|需要哪些(?!条件|要求|前提)"
        r"|要哪些|要什么东西|(要|需要|开|带|提供|交)(个|什么|啥|哪些)?证明|(交|提供|开|带)[^，,。？?！!\s]{0,6}(哪些|什么|啥)证明|(写|签|填)(个|份|些|张)?(什么|啥子?|哪些)[^，,。？?！!\s]{0,4}(承诺|申请|书|表)|(表|单|书)(必须|一定|也|要|得){1,2}填|带[^，,。？?！!\s]{1,10}就(够|行|可以)了?(吗|不|么)?|盖(个)?章|是不是(要|得)(交|带|提供)|证明(材料)?(要|需要)?(吗|不|哪些|什么)|复印件|原件|(要|交|带)几(份|张|寸)"
        r"|(要|需要|办|啥|什么|哪些)手续(?!费|都包|都含|包括)|手续(有|要)?(哪些|啥|什么)|(交|拿|带|准备|提供|填|画|揣)(个|些|点|上)?(啥|什么|哪些)(?!税|费|钱|时候)|(要|需要|得)带[^，,。？?！!\s]{1,10}(吗|不|没)|要些(啥|什么)|提供(啥|什么|哪些)|拿(什么|啥|哪些)(证明|材料|东西|证件)|带(上|齐)|带的东西|备齐|备好|要备|东西(要|有)哪些|哪些东西|要交.{1,12}吗|需要.{1,12}(证|表|书|材料|证明)吗",
    ),
    (
        "conditions",
        r"条件|符合|能不能办|能办吗|可以办吗|能不能申请|能申请吗|可以申请吗|能办理吗|可以办理吗|谁可以|谁能|资格|要求|够不够|满足|有没有资格|适用|前提|(什么|哪些|啥)人(能|可以)|能用吗|能不能用|可以用吗|不能有(啥|什么|哪些)|哪些情况(不能|不可以|不行)"
        r"|(能|可以)(?![^，,。？?！!\s]{0,8}(网上|线上|湘易办|手机|app|APP|远程|一起|顺带|一次(?!性)|跟着))[^，,。？?！!\s]{1,14}(?<![什怎这那多])(不|么|没)(?=$|[，,。？?！!\s])"
        r"|(能|可以)(一次性|全部?|都){0,2}(走|贷|领|取|提|迁|做|交|按)[^，,。？?！!\s]{0,12}吗|能不能.{0,4}(申请|办|享受|领|报|取|提|走|贷|迁|转|买|用|参保|落户)|(能|可以)(直接|先|马上|现在就)(给|帮|办|申请|交|参保|落)"
        r"|怎么算|怎样算|行得通|行不通|轮得到|轮到我|够格|够得上|(?:有没有|会不会|会|有)(?:什么|啥)?影响|影不影响|受影响|(能|可以)在[^，,。？?！!\s]{1,6}(办|申请|登记|参保|领)|能行吗|能批吗|批得下来|能不能批|来得及|赶得上|一定(得|要)是|必须(得)?是|非得是|(?<!网上)(?<!网上办)(?<!线上)(行不行|行吗)|满多少岁|满几岁|多大(年龄|岁数)?(才|能|可以)|年龄(要求|限制)"
        r"|(交|缴|满|够).{0,2}(多久|几个月|几年|多少个月)|最少|至少|最低|不低于|(最长|最多|最高)(能|可以)|几成|(能|可以)(再|还|也)?(申请|办|报名|享受)[^，,。？?！!\s]{1,14}(吗|不)(?=$|[，,。？?！!\s])"
        r"|(能|可以)(?!.{0,8}(网上|线上|湘易办|手机|app|APP|远程))(用|拿|凭)?.{0,6}(报名|申请|办理?|参加|享受)吗",
    ),
    (
        "process",
        r"流程|步骤|怎么办理|怎么申请|如何办理|如何申请|程序|怎么操作|办理方式|怎么走|先.+再|跑几[次趟]|跑腿|去几[次趟]|几次现场"
        r"|怎么报(?!销)|如何报名|先后|顺序|哪个先|先办哪|先.{1,10}还是|怎么查|如何查|还是直接|第一步|哪几关|几道关|哪几步|那几步|几个步骤|哪几道|先(干|做|弄|办)(嘛|啥|什么)|啥步骤|哪些步骤|怎么个流程"
        r"|还要.{0,3}(做|干)(什么|啥)|以后(还要|怎么)|怎么拿到|拿到手|怎么领取|还是要先|要先(申请|办|备案)|需不需要(申请|备案)"
        r"|寄过来|寄到家|寄回来|自己去拿|还是自己(去)?拿|怎么领|领证方式|送达"
        # "丢了怎么补", "钱是怎么发的", "户口是哪个给上", "要不要本人去面签"
        r"|怎么(补|发|给|上|签)|是(哪个|谁)(给|来)(上|办|发|送)|(本人|亲自)(要不要|得|需要|必须)?(去|到)?(现场)?(面签|签字)",  # "怎么弄" asks for everything (overview), not the steps
    ),
]
# "从头给我讲一遍", "材料时间电话都要": the whole 一次告知, whatever aspects are named along the way
_OVERVIEW_STRONG = re.compile(
    r"从头|捋一遍|过一遍|讲一遍|说一遍|整体讲|整个(讲|说|过)|都给我(说|讲)|全部(讲|说)|(都|全)要(了解|知道)?$|从.{1,6}到.{1,6}到"
)
# what the matter is for ("是管什么的", "到底能管哪些事", "是个什么意思，跟单独办有啥区别"): the overview, also
# as one of several aspects asked
WHAT_FOR = (
    r"管(什么|啥|哪些)|(是|指)个?(什么|啥)意思|啥意思|有(什么|啥)(区别|不同|好处)|(能|可以)修(复)?哪些"
    r"|是(干|做|办)(什么|啥)的|是(个)?什么东西"
)
OVERVIEW_PATTERN = (
    r"介绍|是什么|一次告知|一次性|全部|所有信息|详细|整体|总体|完整|说一下|说说|讲讲|都告诉|办事指南|了解一下|指南|概要|概况|简介|基本情况|讲清楚|说清楚|全面|说明一下"
    r"|" + WHAT_FOR
)


_ONLINE_CAN = re.compile(
    r"(网上|线上|手机上|app|湘易办|小程序).{0,4}(能|可以|能不能)(办|申请|办理|交|弄|搞|做|报)"
    r"|(?:能不能|可不可以|能|可以)在?(网上|线上|手机上|app|湘易办|小程序)(?:上)?(办|申请|办理|交|弄|搞|做|报)",
    re.I,
)
_ONLINE_WHERE = re.compile(r"(网上|网址|链接|入口|app|湘易办|小程序|网站|公众号).{0,4}(在哪|哪里|哪儿)", re.I)


# "要到那里去交申请", "去那交": 那 typed for 哪 (the same pinyin), in a question about where
_WHERE_SLIP = re.compile(
    r"(?<=[去到])那(?=(?:里|儿|个地方)?去?(?:交|办|报名|问|申请|弄)?(?:申请|材料)?(?:$|[，,。？?！!\s]))"
)


def _plain(text: str) -> str:
    return _WHERE_SLIP.sub("哪", plain_words(text))


def aspects_asked(text: str) -> list[str]:
    """Every aspect the text asks about, in the order the text asks them; empty when none is recognisable
    or when the text asks for the whole picture."""
    text = _plain(text)
    if _OVERVIEW_STRONG.search(text):
        return []
    first: dict[str, tuple[int, int]] = {}
    for order, (name, pat) in enumerate(ASPECT_PATTERNS):
        m = re.search(pat, text, flags=re.I)
        if m:
            first[name] = (m.start(), order)
    if m := re.search(WHAT_FOR, text):
        first["overview"] = (m.start(), -1)
    # "网上怎么办": the online entry is asked, not the offline process
    if "online_entry" in first and "process" in first and re.search(r"网上.{0,4}(怎么|如何)", text):
        del first["process"]
    # "网上能办吗": whether it can be done online, not the conditions of the matter
    online_can = _ONLINE_CAN.search(text)
    if "online_entry" in first and "conditions" in first and online_can:
        spans = [m.span() for m in re.finditer(ASPECT_PATTERNS[7][1], text, flags=re.I)]
        if all(a < online_can.end() and b > online_can.start() for a, b in spans):  # only inside "网上能办吗"
            del first["conditions"]
    # "网上入口在哪": the place asked for is the online entry, not an office
    if "online_entry" in first and "locations" in first and _ONLINE_WHERE.search(text):
        if len(re.findall(ASPECT_PATTERNS[3][1], text, flags=re.I)) == 1:
            del first["locations"]
    return sorted(first, key=lambda n: first[n])


def primary_aspect(text: str) -> str | None:
    """The aspect to answer, or None (the caller then decides between FAQ, overview and follow-up).
    With several cues, the one nearest the end wins: people put the actual question last
    ("想把出生证、上户口一起办，要满足啥条件" asks for conditions)."""
    text = _plain(text)
    if _OVERVIEW_STRONG.search(text):
        return "overview"
    last: tuple[int, int, str] | None = None
    for order, (name, pat) in enumerate(ASPECT_PATTERNS):
        for m in re.finditer(pat, text, flags=re.I):
            key = (m.end(), -order, name)
            if last is None or key > last:
                last = key
    if last is not None:
        # "网上入口在哪": the place asked for is the online entry, not an office
        if last[2] == "locations" and re.search(ASPECT_PATTERNS[2][1], text, flags=re.I):
            return "online_entry"
        # "网上能办不": whether it can be done online, not the matter's conditions
        if last[2] == "conditions" and (m := _ONLINE_CAN.search(text)) and m.end() >= last[0] - 2:
            return "online_entry"
        return last[2]
    if re.search(OVERVIEW_PATTERN, text):
        return "overview"
    return None


# "我想办退休", "想开个货运公司": a statement of intent, answered with the whole 一次告知
INTENT_PATTERN = re.compile(
    r"^(我|我们|本人|家里|公司|单位)?.{0,6}(想|想要|打算|准备|要|需要|咨询|了解)(办|申请|开|弄|给|去|搞)?"
)
QUESTION_PATTERN = re.compile(
    r"[吗呢？?]|怎么|咋|么子|怎样|如何|多少|几|哪|什么|啥|能不能|可不可以|是否|有没有|是不是|要不要"
)


def is_question(text: str) -> bool:
    """Whether the text asks something (a question word or mark, or an aspect cue)."""
    return bool(QUESTION_PATTERN.search(text)) or primary_aspect(text) is not None


# yes/no and either/or questions that is_question does not need to see, since an aspect cue usually comes
# with them ("会不会也卡住不发", "是看孩子的还是看大人的", "公示期多长")
_ALSO_ASKS = re.compile(
    r"会不会|多长|多大|多远|多高|多重|还是[^，,。；;]*[的呢吧]|行不行|对不对|够不够|好不好|[吗呢么啵][？?]?$"
)


def asks_anything(text: str) -> bool:
    """Whether the text asks anything at all, in any question form: the strict test for "only facts told"."""
    return is_question(text) or bool(_ALSO_ASKS.search(text))


def is_intent_statement(text: str) -> bool:
    """A statement of what the user wants to do, without a specific question in it."""
    return bool(INTENT_PATTERN.search(text)) and not QUESTION_PATTERN.search(text)


SPECIFIC_QUESTION = re.compile(
    r"多少|几[年个月天次岁万千百块元级]|最多|最长|最高|最少|最低|能不能|可不可以|是否|是不是|还是|有没有"
    r"|(可以|能|可).{0,10}[吗么]"
)


def asks_specific(text: str) -> bool:
    """'最多能贷多少年', '还能再申请吗': a pointed question, even with no situation words in it (a guide's
    FAQ may answer it); not the general '怎么办'."""
    return bool(SPECIFIC_QUESTION.search(text))


HOWTO_PATTERN = re.compile(r"(怎么|咋|如何|怎样)(办|弄|搞|做|处理)[？?。!！]*$|怎么办理?[？?。!！]*$")


def is_generic_howto(text: str) -> bool:
    """'…怎么办 / 怎么弄' at the end: a general how-to, not a specific question."""
    return bool(HOWTO_PATTERN.search(text.strip()))
