"""Read a whole conversation into form values: who speaks (citizen lines only are sources), what the
assistant asked (a short reply answers that), who the speaker is and whom each clause is about, then the
field cues. A later statement of a field replaces an earlier one: corrections win."""

from __future__ import annotations

import re
from datetime import date

from assistant.forms.asked import asked_fields, question_subject
from assistant.forms.bare_values import bare_values
from assistant.forms.choices import items_in
from assistant.forms.corrections import TAKEN_BACK_AFTER, unnamed_corrections
from assistant.forms.extract import (
    ADDRESS_RE,
    ADDRESS_VERBS,
    CORRECTION_RE,
    Extracted,
    choice_in,
    extract_field,
    value_from_reply,
)
from assistant.forms.inferred import category_from_homes, subject_from_applicant
from assistant.forms.one_person import shared_id_owner
from assistant.forms.replies import bind_reply
from assistant.forms.role_speaker import applicant_from_named_role, self_marked
from assistant.forms.roles import (
    ACTING_FOR,
    SELF,
    SELF_MARK,
    fact_targets,
    field_person,
    relation_of,
    said_of_another,
    self_roles,
    speaker_claims,
)
from assistant.forms.speakers import split_speakers
from assistant.forms.spec import FieldSpec
from assistant.forms.statements import clauses, drop_superseded_codes, facts_in
from assistant.forms.toggles import toggles_in
from assistant.forms.value_text import NO_VALUE, NON_ANSWER, clean_text_value, trim_address
from assistant.text.numerals import to_digits
from assistant.text.values import UNDECIDED

_ROLE_REPLY = {
    "妈妈": "mother", "妈": "mother", "母亲": "mother", "宝妈": "mother",
    "爸爸": "father", "爸": "father", "父亲": "father", "宝爸": "father",
    "法人": "legal_rep", "法定代表人": "legal_rep", "老板": "legal_rep", "经营者": "legal_rep",
    "本人": SELF, "我本人": SELF, "自己": SELF,
}  # fmt: skip


# "寄到她户口那个地址": an address given by naming another address of the form
_SAME_AS = re.compile(r"(户口|户籍|住的|住址|现住|家里|店|经营)(?:本上)?(?:的)?那个地址|同上")
_TAKEN_BACK = re.compile(r"不是[^，,。；;！!]{1,20}[，,]\s*(?=(?:而)?是|应该是|改成|改为)")
# "三个人……不对，就我和女儿两个人", "电话138…，说错了，是139…": the value said just before the citizen takes it
# back in the same breath is not read (its cue words stay, so the value after them still finds its field)
_RETRACTED = re.compile(
    r"([^，,。；;！!？?]{1,24}?)(?:……|…|[，,])\s*(?:不对|说错了|讲错了|搞错了|口误)[，,。！!]?\s*"
)
_VALUE = re.compile(
    r"[\d一二三四五六七八九十两百千万零〇]+\s*(?:个人|个|口人|口|平方米|平米|平方|平|元|块钱|块|岁|个月|月|年|天)?"
)
_SPEAKER_SIDE = re.compile(
    r"(上在|落在|落到|上到|挂在|跟|随|落|上)我(?![老丈妻媳堂男爸妈崽儿女们爱])(?:这边|这里|这儿|名下|这)?"
)
_MAIL_HERE = re.compile(r"(?:寄|邮寄|送)(?:到|去|往)?(?:这个地址|这个地方|这里|这儿|这)")
_MY_SPOUSE_FIRST = re.compile(r"\s*(?:我的?|屋里)?(?:老公|老婆|爱人|丈夫|妻子|媳妇|堂客|老伴|老倌子)")


def read_conversation(
    fields: list[FieldSpec], messages: list[str], today: date | None = None
) -> dict[str, Extracted]:
    """Field id → value with the citizen's message it came from."""
    utterances = split_speakers(messages)
    citizen_text = "\n".join(u.text for u in utterances if u.speaker == "citizen")
    roles_in_form = {p[0] for f in fields if (p := field_person(f)) is not None}
    by_id = {f.id: f for f in fields}
    claims = speaker_claims(citizen_text)
    disowned: set[str] = set()  # roles the citizen said are someone else's
    out: dict[str, Extracted] = {}
    strength: dict[str, int] = {}  # 3: answer to what was asked, 2: a fact about a person, 1: a field cue
    cues_of = {f.id: [c for g in fields if g.id != f.id for c in g.cues] for f in fields}
    choice_words = {c for f in fields if f.type == "choice" for c in f.choices if len(c) >= 3}
    patterned = [f for f in fields if f.pattern]
    subject: str | None = None  # the person the assistant's questions are about, carried over
    asked: list[FieldSpec] = []
    question, last_question, last_asked = "", "", []  # the question now; what the previous line answered
    follows_reply = False  # this citizen line adds to their previous one, nobody asked in between
    for u in utterances:
        if u.speaker == "assistant":
            follows_reply = False
            question = u.text
            asked = asked_fields(question, fields, subject)
            subject = question_subject(question, fields) or subject
            continue
        # "面积说错了，不是150，是160平": in a correction, the value it takes back is not read
        text = u.text
        if CORRECTION_RE.search(u.text):
            text = drop_superseded_codes(TAKEN_BACK_AFTER.sub("", _TAKEN_BACK.sub("", u.text)))
            text = _RETRACTED.sub(lambda m: _VALUE.sub("", m.group(1)) + "，", text)
        found: dict[str, str | float] = {}
        tier: dict[str, int] = {}
        # 3) field cues in the citizen's words (weakest)
        for f in fields:
            v = extract_field(f, text, today, cues_of[f.id])
            if v is not None:
                found[f.id], tier[f.id] = v, 1
        # values said by their shape alone ("长沙市…12号 25平 热食类食品制售"): only for fields nothing else fills
        for fid, v in bare_values(fields, text).items():
            if fid not in found and fid not in out:
                found[fid], tier[fid] = v, 0
        # yes/no fields named with a verb ("银行社保都注销"): the clause's reading wins over a cue's
        for fid, v in toggles_in(fields, text).items():
            found[fid], tier[fid] = v, 1
        # 2) facts bound to the person they are about (a bare value in a reply belongs to what was asked)
        said = speaker_claims(text)
        claims = said + [c for c in claims if c not in said]
        asked = asked if question else []
        claims = self_marked(text, asked, roles_in_form) + claims
        selves = self_roles(claims, roles_in_form)
        facts = facts_in(text, today)
        # "我是爷爷" then "监护人是他爸爸李建军": the speaker (still the grandfather) is not the guardian
        disowned |= {f.role for f in facts if f.attr == "who" and f.role != SELF}
        mine = [c for c in claims if c not in disowned]
        selves = self_roles(mine, roles_in_form)
        for fact in facts:
            if asked and not fact.explicit:
                continue
            targets = fact_targets(fact.role, mine, roles_in_form, bool(_MY_SPOUSE_FIRST.match(text)))
            if (
                fact.role == SELF
                and fact.attr == "name"
                and "applicant_name" in out
                and not re.search(r"我|本人|自己", text)
                and subject not in (None, SELF)
                and subject in roles_in_form
            ):
                targets = {subject}  # "名字改了，叫廖子默": a bare name is about the person being asked about
            for f in fields:
                p = field_person(f)
                if p is not None and p[0] in targets and p[1] == fact.attr:
                    found[f.id], tier[f.id] = fact.value, 2
            if targets and not targets & selves:
                # "老板叫龙飞，身份证…": a value about someone else is not the speaker's, whatever cue follows
                for f in fields:
                    p = field_person(f)
                    if p is not None and p[0] in selves and tier.get(f.id) == 1 and found[f.id] == fact.value:
                        del found[f.id], tier[f.id]
        # "户口上在我这边" said by the mother: "我" in a choice is the speaker's role ("随母")
        kin = next((w for c, w in (("mother", "妈妈"), ("father", "爸爸")) if c in selves), None)
        if kin is not None:
            mine = _SPEAKER_SIDE.sub(r"\g<1>" + kin, text)
            if mine != text:
                for f in fields:
                    if f.type == "choice" and f.id not in found and (c := choice_in(f, mine)) is not None:
                        found[f.id], tier[f.id] = c, 1
        # 1) the reply to what the assistant just asked (strongest)
        if question:
            if "applicant_relation" in {f.id for f in asked}:
                role = next((r for w, r in _ROLE_REPLY.items() if text.strip().startswith(w)), None)
                if role is not None:
                    claims = [role, *[c for c in claims if c != role]]
                    selves = self_roles([c for c in claims if c not in disowned], roles_in_form)
            bound = bind_reply(question, text, asked, today, value_from_reply, fields)
            acting = bool(ACTING_FOR & set(mine))
            # "我叫彭晓雯，身份证…；他爸吴昊，身份证…" to "父母双方的姓名和身份证号码？": a value said with its
            # person stays that person's, whatever the order the question asked in
            bound = {fid: v for fid, v in bound.items() if tier.get(fid) != 2 or found[fid] == v}
            # "我是她妈妈…，身份证4303…。她爸叫王俊" to the same question: the mother's number is not the father's
            bound = {
                fid: v
                for fid, v in bound.items()
                if not said_of_another(
                    by_id, fid, v, found, tier, selves, text.lstrip().startswith(("我", "本人")), acting
                )
            }
            # "他爸爸黄建军" to "监护人是谁？", said by the grandfather who is a guardian too: not the speaker's
            theirs = {f.value for f in facts if f.role not in {*mine, *selves, SELF}}
            if any(SELF_MARK.search(c) for c in clauses(text)):  # "…，写我就行，毛立新": the speaker's own
                theirs = set()
            for fid, v in bound.items():
                p = field_person(by_id[fid])
                # the speaker's own value is the applicant's too
                if p is not None and p[0] in selves and v not in theirs:
                    for g in fields:
                        q = field_person(g)
                        if q is not None and q[0] in selves and q[1] == p[1]:
                            found[g.id], tier[g.id] = v, 3
                found[fid], tier[fid] = v, 3
                # "写她妈妈汤静怡，身份证…" to "法定监护人写谁？": the rest said of that person is the guardian's too
                kin = (
                    {f.role for f in facts if f.attr == "name" and f.value == v}
                    if p and p[1] == "name"
                    else set()
                )
                for f in (f for f in facts if f.role in kin and f.role not in roles_in_form):
                    g = next((g for g in fields if field_person(g) == (p[0], f.attr)), None)  # type: ignore[index]
                    if g is not None and g.id not in bound:
                        found[g.id], tier[g.id] = f.value, 3
            last_question, last_asked = question, asked
            question = ""
        elif follows_reply and last_question:
            # "六千" then "哦，那是税前，到手五千二，填到手的吧": a second line to the same question restates one answer
            again = bind_reply(last_question, text, last_asked, today, value_from_reply, fields)
            restates = len(again) == 1 and not re.search(r"\d{7,}|^(?:对了|还有|另外)", text)
            for fid, v in again.items() if restates else ():
                if fid in out and out[fid].value != v:
                    found[fid], tier[fid] = v, 4
        follows_reply = True
        # a value read by its shape alone is not also another field's value ("…，株洲市…17号" answering the
        # contact-address question is not the 户籍地址 too)
        for fid in [f for f, t in tier.items() if t == 0]:
            if any(v == found[fid] for g, v in found.items() if g != fid and tier[g] > 0):
                del found[fid], tier[fid]
        # "孩子报么子民族还冇商量好": a field named in a clause that says it is not decided keeps no value from
        # elsewhere in the message ("我是汉族，她爸是回族")
        for fid in list(found):
            for c in clauses(text):
                named = any(cue in c for cue in by_id[fid].cues if len(cue) >= 2)
                if named and UNDECIDED.search(c) and str(found[fid]) not in c:
                    del found[fid], tier[fid]
                    break
        # "先不设", "还没定": a text field answered with a non-answer stays empty
        for fid in list(found):  # "有限责任公司" is the business type, never the business's name
            v = found[fid]
            if by_id[fid].type == "text" and isinstance(v, str) and v.strip("“”\"'「」") in choice_words:
                del found[fid], tier[fid]
            elif (
                by_id[fid].type == "address"
                and isinstance(v, str)
                and not re.search(r"[村街路巷道号栋组室弄]", v)
                and (not re.search(r"[省市区县镇乡]", v) or re.search(r"老家|那边|这边|那里|这里|那儿", v))
            ):
                del found[fid], tier[fid]  # "这里" is no address
        # "证号湘（2021）湘潭市不动产权第…号" has another field's shape: not an address
        for fid in list(found):
            v = found[fid]
            if by_id[fid].type in ("text", "address") and isinstance(v, str):
                if any(g.id != fid and re.search(g.pattern, v) for g in patterned):  # type: ignore[arg-type]
                    del found[fid], tier[fid]
        for fid in list(found):
            same = _SAME_AS.search(str(found[fid])) if by_id[fid].type == "address" else None
            if same is not None:
                kind = next(
                    (
                        k
                        for k, w in ADDRESS_VERBS.items()
                        if re.search(w, same.group(1)) or re.search(k, same.group(1))
                    ),
                    None,
                )
                ref = next(
                    (
                        v
                        for k, v in out.items()
                        if k != fid
                        and by_id[k].type == "address"
                        and kind
                        and re.search(kind, by_id[k].label)
                    ),
                    None,
                )
                if ref is not None:
                    found[fid] = ref.value
                    continue
        for fid in list(found):
            if (
                by_id[fid].type in ("text", "address")
                and isinstance(found[fid], str)
                and (NON_ANSWER.fullmatch(found[fid]) or NO_VALUE.search(found[fid]))
                and not (by_id[fid].type == "address" and ADDRESS_RE.search(found[fid]))
            ):
                del found[fid], tier[fid]
        if CORRECTION_RE.search(u.text):  # corrections that name no field: the last ID digit, a code, a date
            types = {k: by_id[k].type for k in by_id}
            earlier = {k: (str(e.value), e.message_index) for k, e in out.items()}
            for fid, v in unnamed_corrections(text, u.text, found, earlier, types, today).items():
                found[fid], tier[fid] = v, 3
        # "户口上在我这边，长沙市…218号": an address nothing else took goes to the kind named nearest before it
        taken = {str(v) for v in found.values()} | {str(e.value) for e in out.values()}
        for m in ADDRESS_RE.finditer(text):
            addr = trim_address(m.group(0))
            # taken already (or a taken street address inside it); "医保在长沙市开福区" does not take the street
            if any(
                addr in t or t in addr and re.search(r"[路街巷道号栋组村]", t) for t in taken if len(t) >= 6
            ):
                continue
            best: tuple[int, FieldSpec] | None = None
            for f in fields:
                if f.type != "address" or f.id in found or f.id in out or field_person(f) is not None:
                    continue
                for kind, verb in ADDRESS_VERBS.items():
                    if not re.search(kind, f.label):
                        continue
                    for w in re.finditer(verb, text[: m.start()]):
                        if best is None or w.start() > best[0]:
                            best = (w.start(), f)
            if best is not None and m.start() - best[0] <= 16:
                found[best[1].id], tier[best[1].id] = addr, 0
        # "我们户口也在这个地址": an address said in this message is also the address of the kind named
        address_said = next((str(v) for k, v in found.items() if by_id[k].type == "address"), None)
        if address_said:
            for f in fields:
                if f.type != "address" or f.id in found or field_person(f) is not None:
                    continue
                for kind, verb in ADDRESS_VERBS.items():
                    if re.search(kind, f.label) and re.search(
                        verb + r"也(?:在|是)(?:这个地址|这里|这儿|这|同一个|一样)", text
                    ):
                        found[f.id], tier[f.id] = address_said, 1
        # "我现在住长沙市…，社保卡都寄这个地址": a mailing address given as the one just said
        here = address_said or next((trim_address(m.group(0)) for m in ADDRESS_RE.finditer(text)), None)
        for f in [f for f in fields if "寄" in f.label and f.type == "address" and f.id not in found]:
            if here and _MAIL_HERE.search(text):
                found[f.id], tier[f.id] = here, 1
        # "主要做米粉" for 经营项目: the permit's item names, unless the item names themselves were said; a value
        # the form prescribes for a situation ("灵活就业") wins over a former employer said beside it
        for f in (f for f in fields if f.keywords and f.type == "text" and f.pattern):
            said = str(found.get(f.id, out[f.id].value if f.id in out else ""))
            if (named := re.search(f.pattern, said)) is not None and f.id in found:
                found[f.id] = named.group(0)  # "要做热食类食品制售": the item names, not the verb before them
            elif named is None and (items := items_in(f, text)):
                found[f.id], tier[f.id] = items, max(tier.get(f.id, 1), 1)
        for f in (f for f in fields if f.keywords and f.type == "text" and not f.pattern):
            if (fixed := items_in(f, text)) is not None:  # "这些年是自己交的社保" for 参保单位: 灵活就业
                found[f.id], tier[f.id] = fixed, 3
        correcting = bool(CORRECTION_RE.search(u.text))
        for fid, v in list(found.items()):
            if by_id[fid].type in ("text", "address") and isinstance(v, str):
                found[fid] = clean_text_value(by_id[fid], v) or v
            if by_id[fid].type == "address" and isinstance(v, str):
                found[fid] = trim_address(str(found[fid]))
        for fid, v in found.items():
            # a weaker reading later on does not undo a stronger one, unless the citizen corrects it
            if fid in strength and strength[fid] > tier[fid] and not correcting:
                continue
            if (  # "店在商场里面" after the shop's full address: no address replaces an address
                by_id[fid].type == "address"
                and fid in out
                and not correcting
                and ADDRESS_RE.search(str(out[fid].value))
                and not ADDRESS_RE.search(str(v))
            ):
                continue
            if correcting and by_id[fid].type == "date" and fid in out and isinstance(v, str):
                said_year = re.search(r"\d{2,4}\s*年", to_digits(u.text))
                if not said_year:  # "不对，是3月15号": the corrected date keeps the year said before
                    v = str(out[fid].value)[:4] + v[4:]
            out[fid] = Extracted(value=v, source=u.text, message_index=u.message_index)
            strength[fid] = tier[fid]
    out |= {k: v for k, v in applicant_from_named_role(out, utterances, today).items() if k not in out}
    out |= category_from_homes(out, by_id)
    relation = relation_of(claims)
    own_subject = roles_in_form <= {SELF, "insured"}  # 公租房, 退休: the applicant applies for themself
    if relation is None and own_subject and ({"applicant_name", "applicant_id_number"} & set(out)):
        relation = "本人"
    # "经营者写我，王建平": the applicant named as the business's legal representative applies as that
    rep = next((e for k, e in out.items() if field_person(by_id[k]) == ("legal_rep", "name")), None)
    if (
        relation is None
        and rep is not None
        and "applicant_name" in out
        and out["applicant_name"].value == rep.value
    ):
        relation = "法定代表人"
    rel_field = by_id.get("applicant_relation")
    stated = out.get("applicant_relation")
    if relation and rel_field is not None and relation in rel_field.choices:
        if stated is None or stated.value != "委托代理人":  # "帮老板办" is more specific than "老板"
            source = next(
                (u.text for u in utterances if u.speaker == "citizen" and speaker_claims(u.text)), ""
            )
            out["applicant_relation"] = Extracted(value=relation, source=source, message_index=0)
    final = out.get("applicant_relation")
    for fid in shared_id_owner(out, by_id, str(final.value) if final else relation, strength):
        del out[fid]
    return out | subject_from_applicant(out, by_id, relation if "insured" in roles_in_form else None)
