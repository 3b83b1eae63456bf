"""Recognise text that tries to change the assistant's rules, extract its prompts or others' data, or get help
with fraud. Such text is answered like any out-of-scope question: the behaviour never changes."""

from __future__ import annotations

import re

_PATTERNS = [
    # instruction override / role play / jailbreak
    r"忽略.{0,8}(指令|设定|规则|要求|提示|限制|以上|之前|前面)",
    r"(无视|别管|不要管|抛开|跳过|绕开|绕过).{0,6}(规则|限制|设定|指令|审核|核查|核验|安全|过滤)",
    r"(系统|内部)?提示词|system\s*prompt|prompt|系统指令|初始指令|你的(指令|规则|设定|配置)",
    r"\bDAN\b|越狱|jailbreak|开发者模式|调试模式|管理员模式|developer mode|上帝模式",
    r"(你现在是|假装你是|扮演|角色扮演|你是一个没有限制|没有任何限制|不受限制|以.{0,6}身份命令)",
    r"(关闭|解除|取消).{0,4}(安全|过滤|审查|限制)",
    r"(输出|打印|显示|告诉我|给我).{0,8}(配置|知识库原文|源代码|数据库|后台|被禁止)",
    r"ignore (all|previous|the above)|you are now|act as|you are \w*bot|no restrictions|without (any )?restrictions",
    r"system\s*message|developer\s*message|your (instructions|rules|prompt)",
    r"(接下来|以后|从现在起|从现在开始).{0,8}(所有|每个|全部)?的?(回答|回复|对话).{0,10}(都用|用|改用|换成|不要再)",
    r"^\s*#+\s*(system|SYSTEM)|<\|?(system|im_start)",
    # other people's personal data
    r"(其他|别的|所有)(用户|人|群众|申请人).{0,10}(信息|数据|记录|身份证|电话|住址|名单)",
    r"(上一?[位个]|前一?[位个]|之前的?|刚才的?)(用户|人|市民|咨询者)",
    r"(别人|他人|张三|李四|某人)的.{0,6}(身份证|信息|照片|账户|余额|记录|住址|电话|社保|公积金)",
    r"(名单|清单|列表).{0,8}(导出|发给我|发我|给我)|(导出|发给我|发我).{0,10}(名单|人员|电话|住址)",
    r"(他|她|别人|人家|邻居|同事|领导|村支书|支书|村长|亲戚)家?.{0,8}的(材料|资料|审批|记录|档案|信息).{0,10}(发给我|给我看|发我|看看|调出来)",
    r"(告诉我|查一下|帮我查|查查|打听)[\u4e00-\u9fff]{2,4}(现在|目前)?(在哪|在什么|住哪|住在|的电话|的住址|的身份证|的单位|交社保|的社保|的公积金)",
    # looking someone up by an ID number (giving one's own ID is not this: there is no lookup verb)
    r"(查|查询|查一下|查查|调取|调出|搜).{0,12}\d{17}[\dXx]|\d{17}[\dXx].{0,8}(是谁|谁的|的人|的主人|查一下|查查)",
    # fraud and evasion
    r"(伪造|造假|假的|假冒|仿造|做一张假|弄个假|PS一?[张个]|p图|修改.{0,4}记录)",
    # "我替他来办" is an agent acting for someone, not fraud
    r"(骗过|骗取|冒领|冒用|顶替).{0,10}(认证|补贴|审核|待遇|办)",
    r"(入侵|黑进|攻击|破解).{0,10}(系统|网站|平台|后台)",
    r"跳过.{0,6}(公示|审核|核查|核验)",
    r"(藏起来|藏好|瞒报|隐瞒|不申报|漏报|少报).{0,16}(低保|补贴|公租房|救助|审核|核查|查出|资格)|不会被查出|查不出来|躲过.{0,6}(检查|审核|核查)",
    r"(往前|往后)改.{0,8}(出生日期|年龄|日期|记录|时间)|把.{0,12}(出生日期|年龄|日期|记录)(往前|往后)?改(成|到|几)",
    # tampering with a document or a record, inflating what is declared, getting round identity checks
    r"做手脚|动手脚|(?<![A-Za-z])[Pp][Ss]?一?[张个](?![A-Za-z])|(模板|样本).{0,6}改改|虚报|谎报|假离婚|假结婚",
    # removing a record behind the office's back ("从后台删掉", "临时隐藏掉"); 信用修复 itself is asking to have
    # a penalty record taken down, so removing a record alone is no fraud
    r"(后台|偷偷|私下|找人|临时|悄悄).{0,10}(删掉|删除|隐藏|抹掉|消掉|改掉)",
    r"(绕过|跳过|躲过|逃过|骗过).{0,14}(认证|核验|核查|审核|检查|人脸|实名|公示)",
    r"(日期|时间|金额).{0,4}改.{0,8}(好领|才能领|骗|套)|改.{0,4}(日期|金额).{0,8}(好领|才能领|骗|套)",
    # bribery and favours
    r"(红包|塞钱|送礼|打点|好处费|走后门|托关系|找关系).{0,12}(给多少|多少合适|能过|给过|通过|办下来|批下来)"
    r"|直接给过|通融一下|睁一只眼",
    # what other people applied for, earn or hold
    r"(弄|查|要)[^，,。？?]{0,8}(别人|他人|人家|邻居|同事)(名下|家)的?.{0,8}(证号|号码|收入|家庭成员|信息|存款)"
    r"|(别人|他人|人家|邻居|同事)(名下|家)的?.{0,8}(证号|号码|收入|家庭成员|信息|存款).{0,8}(告诉我|发我|给我|查)",
    r"把(他|她|他们|她们)家?的.{0,12}(收入|成员|信息|情况|记录|材料).{0,6}(告诉我|发我|给我)",
    r"(哪几对|哪些人|哪几个人|哪几家|有谁).{0,10}(预约了|申请了|登记了|领了|办了)",
    r"(员工|职工|别人|他人|他|她)(以前|之前|过去).{0,10}(交过|缴过|参保|工作过|待过).{0,12}(调出来|查出来|告诉我|发给我)",
]
_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), flags=re.I)


def is_manipulation(text: str) -> bool:
    """True when the text tries to steer the assistant, reach others' data or get help with fraud."""
    return bool(_RE.search(text or ""))


_OFFTOPIC = re.compile(
    r"(写|作|来|编|创作)(一|几)?[首篇段个份]?.{0,6}(诗|词|歌|文章|作文|周报|日报|小说|故事|笑话|段子|对联|文案|代码|程序|邮件|简历|情书)"
    r"|(讲|说|来)(一?个|几个|段)?.{0,8}(笑话|故事|段子)|翻译(一下|成)|陪我聊|唱首歌|猜谜|脑筋急转弯"
    r"|(帮我|给我|替我|帮忙)(写|编)(一?[个份张篇封])?.{0,4}(请假条|假条|检讨|贺卡|祝福|发言稿|演讲稿)"
    r"|(帮我|给我|替我|帮忙)(推荐|算算?|估算|规划|策划|起)(一?个|一下|下|几个)?(?!.{0,6}(材料|表|进度|事项|一件事))"
    r".{0,8}(项目|生意|股票|基金|名字|造价|运势|八字|风水|投资)",
    flags=re.I,
)


def is_offtopic_request(text: str) -> bool:
    """Requests for creative writing, jokes, translation or chit-chat: not a government-service question,
    whatever matter they mention."""
    return bool(_OFFTOPIC.search(text or ""))
