"""Recognise a Chinese personal name: 2–4 Han characters starting with a common surname. Hand-written data:
the surnames below cover the great majority of the population; no maintained library ships such a list."""

from __future__ import annotations

import re

_SINGLE = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公"
    "哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND = {
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
}
# words that start with a surname character but are not names in a form conversation
_NOT_NAMES = re.compile(
    r"^(?:高中|高温|高空|高新|高铁|金额|金融|文化|文件|安全|安置|方便|方面|方式|白天|成都|成功|成立|明天|明年|明白|时间|时候|"
    r"江西|江苏|湖南|周末|周岁|周一|周二|周三|周四|周五|周六|周日|常住|常德|平方|平时|全部|全家|全程|国家|国营|"
    r"和平|和我|向阳|宁乡|华容|岳麓|岳阳|易俗|伍家|龙华|黄花|石峰|雨花|天心|开福|望城|浏阳|醴陵|攸县|茶陵|炎陵|韶山|"
    r"单位|单身|海关|邱雪天|公司|公积|公章|公租|公安|公示|师傅|程序|管理|信用|信息|于是|原因|原来|商铺|商量|南门|"
    r"卫生|连续|连锁|应该|应届|计划|相关|初中|初一|门面|门店|展开|居住|居民|利息|由于|和他|那边|那个|来办|来了|来的|来问|来交|来[报帮给替申填登咨弄搞看找签]|房主|房东|那里|那儿|这里|这儿|这边)"
)


_SHOP = re.compile(
    r"^.记|[店馆坊行铺厂社]$|公司|超市|餐厅|饭店|(注销|登记|办理|申请|证明|执照|银行|医院|学校|派出所|社区|街道|程序|户口)$"
)
_FUNCTION_CHAR = re.compile(r"^.+[没是不的了吗呢和也都就还要去来说给让被把个些这那么]")


# "文刀刘", "弓长张", "耳东陈": how a surname is spelled out, not a name; "都汉族": an ethnic group
_SPELLED_OR_GROUP = re.compile(r"^.?(?:文刀|弓长|木子|口天|耳东|立早|草头|双口|三横|言午|关耳)|族$")


def looks_like_name(text: str) -> bool:
    """2–4 Han characters (or · in a minority name) starting with a common surname, and not a common word or
    a shop's name ("李记牛肉")."""
    t = text.strip()
    if not re.fullmatch(r"[\u4e00-\u9fff·]{2,6}", t) or _NOT_NAMES.match(t) or _SHOP.search(t):
        return False
    if _SPELLED_OR_GROUP.search(t):
        return False
    if _FUNCTION_CHAR.match(t):  # "都没有", "商场租的": a phrase, not a name
        return False
    if t[:2] in _COMPOUND:
        return 3 <= len(t) <= 4
    # four characters after a one-character surname are far more often a phrase ("房子太小") than a name
    return t[0] in _SINGLE and len(t) <= 3 or "·" in t


def name_at_start(text: str) -> str | None:
    """The name a text starts with ("邓超 43018…", "邱雪，430…", "周明远 我本人"), else None."""
    m = re.match(r"[\u4e00-\u9fff·]{2,4}", text.strip())
    if not m:
        return None
    for end in range(len(m.group(0)), 1, -1):
        cand = m.group(0)[:end]
        if looks_like_name(cand) and (end == len(m.group(0)) or end <= 3):
            rest = text.strip()[end:]
            if not rest or not re.match(r"[\u4e00-\u9fff]", rest) or end == len(m.group(0)):
                return cand
    return None


# the words that lead a name said as a reply: "叫…", "是…", "我叫…", "名字易可", "我的名字是…", "姓名：…"
NAME_LEAD = re.compile(r"^(?:(?:我的?)?(?:名字|姓名)(?:是|叫|写)?|我?叫|是)[：:]?")


# a name said with whose it is: "儿子周子航报一年级", "他叫贺一鸣，", "我是唐志远，"
_NAMED_AFTER = re.compile(
    r"(?:叫|名叫|名字(?:叫|是)?|我是|儿子|女儿|孩子|宝宝|伢子|老公|老婆|爸爸|妈妈|爱人|丈夫|妻子)"
    r"([\u4e00-\u9fff]{2,3}?)(?=[^\u4e00-\u9fff]|$|[报办的来去要想在是今已和也])"
)


def without_names(text: str) -> str:
    """The text without the personal names said in it after a name word or a person ("帮我儿子周子航报一年级" →
    "帮我儿子报一年级"): who someone is says nothing about what they ask."""
    return _NAMED_AFTER.sub(
        lambda m: m.group(0)[: m.start(1) - m.start(0)] if looks_like_name(m.group(1)) else m.group(0), text
    )
