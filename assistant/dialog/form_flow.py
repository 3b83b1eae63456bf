"""The unified-form flow (一表申请) inside the chat: start a draft from the conversation, take the answer to
the pending field or a correction, pause for a question, leave; plus the API's draft calls."""

from __future__ import annotations

import logging
import re
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.answer.aspects import asks_anything, is_intent_statement
from assistant.answer.composer import cite
from assistant.answer.models import Answer, Suggestion
from assistant.config import Settings
from assistant.dialog.state import DialogState
from assistant.dialog.understand import (
    ASKING,
    FORM_EXIT,
    FORM_TRIGGER,
    TurnContext,
    Understander,
    states_data_only,
)
from assistant.forms.service import FormDraft, FormReport, FormService
from assistant.llm import LLMUnavailableError, get_chat_model
from assistant.masking import without_personal_data
from assistant.retrieval.search import Searcher
from assistant.store import Store


def _said(filled: list[dict[str, Any]]) -> str:
    """The values the conversation gave (not defaults), "label：value" each, a count as said (3, not 3.0)."""
    shown = [
        f"{f['label']}：{int(v) if isinstance(v, float) and v.is_integer() else v}"
        for f in filled
        if (v := f["value"]) not in (None, "") and f["origin"] != "default"
    ]
    return "；".join(shown)


_DOING = re.compile(r"办|申请|弄|搞|填|注销|开|报")  # "帮我爸办退休": another matter to do, not a fact
_FACTS_MIN_CHARS = 8  # "长沙的", "对": a reply to the last question, not facts for the form
# the form a conversation's facts fill clearly best, when no matter was named: fields filled, lead over the next
_FACTS_MIN_FIELDS = 3
_FACTS_MARGIN = 2
log = logging.getLogger("onething.dialog.form")


class FormFlow:
    def __init__(
        self,
        settings: Settings,
        forms: FormService,
        searcher: Searcher,
        store: Store,
        understander: Understander,
    ):
        self.settings = settings
        self.forms = forms
        self.searcher = searcher
        self.store = store
        self.understander = understander

    def handle(self, ctx: TurnContext) -> Answer | None:
        """Start or continue filling the unified form; None when this turn is not about the form."""
        answer = self._handle(ctx)
        if answer is not None and ctx.new_region is not None:
            ctx.state.region_code = ctx.new_region.code  # "长沙，给女儿办…": later questions are about 长沙
        return answer

    def _handle(self, ctx: TurnContext) -> Answer | None:
        text, state = ctx.text, ctx.state
        active = state.extra.get("form")
        if active and FORM_EXIT.search(text):
            state.extra.pop("form", None)
            return Answer(
                text="好的，表单草稿已保存，随时说“帮我填表”继续。",
                mode="form",
                matter_code=active["matter_code"],
            )
        if active:
            saved = self.store.get_draft(ctx.session_id, active["matter_code"])
            draft = FormDraft.model_validate(saved) if saved else None
            if draft is not None:
                before = {k: (v.value, v.problem) for k, v in draft.values.items()}
                note = self.forms.correction(draft, text)
                gained = self._read(ctx, draft)
                if note is None and not gained and self._turns_to_another(ctx, draft.matter_code):
                    state.extra.pop("form", None)  # the draft is kept; "帮我填表" takes it up again
                    if not FORM_TRIGGER.search(text):
                        return None  # the consultation answers about the other matter
                    active = None  # "帮我填退休的表": that matter's form
                    state.matter_code, state.pending = ctx.result(k=3).matters[0].matter_code, None
                elif note is None and not gained and not FORM_TRIGGER.search(text):
                    if self.understander.looks_like_new_question(ctx) or not draft.pending_field:
                        return None  # a question in the middle of filling: answer it; the draft waits
                    note = self.forms.answer_pending(draft, text)
                if active:
                    return self._reply(ctx.session_id, draft, state, note, before=before)
        data_only = states_data_only(text)
        asked = bool(FORM_TRIGGER.search(text))
        # "长沙雨花区的公司" after "请问您在哪里办理？" answers that question, whatever else it says
        region_reply = (
            state.pending is not None and state.pending.kind == "region" and ctx.new_region is not None
        )
        statement = not (asked or data_only or region_reply) and self._is_statement(text)
        if not asked and not data_only and not statement:
            return None
        res = ctx.result(k=3)
        top = res.matters[0] if res.matters else None
        known = state.matter_code or (state.pending.matter_code if state.pending else None)
        # a statement continues the matter of the conversation; it does not open one ("帮我爸办退休，长沙的" is
        # answered first); the citizen's own data with the matter clear from it does ("个人独资企业要注销，我是投资人…")
        matter = top.matter_code if top and top.name_match and not statement else known
        if (
            matter is None
            and not statement
            and top is not None
            and self.understander.scope.in_scope(ctx.features())
        ):
            matter = top.matter_code
        if matter is None or not self.forms.has_form(matter):
            # "宝爸…，身份证…" then "女儿谭语桐，10月21日湖南省妇幼保健院出生": the form the facts fill
            matter = self._matter_by_facts(ctx) or matter
        if statement and not (matter and self.forms.has_form(matter) and self._fills(matter, text)):
            return None  # a statement with nothing for a form in it: the consultation takes it
        if not matter or not self.forms.has_form(matter):
            # the matters with a form, the ones this message is nearest to first, each one click away
            rank = {m.matter_code: i for i, m in enumerate(res.matters)}
            codes = sorted(
                (c for c in self.forms.catalog.forms if self.searcher.heads_for(c)),
                key=lambda c: rank.get(c, len(rank)),
            )
            names = [self.searcher.heads_for(c)[0].name for c in codes]
            lead = "收到您的信息。" if data_only else ""
            return Answer(
                text=f"{lead}请先告诉我要办哪件事。目前可以帮您预填申请表的事项：{'、'.join(names)}。",
                mode="form" if not data_only else "clarify",
                suggestions=[Suggestion(label=n, text=f"帮我填{n}的申请表") for n in names[:3]],
            )
        el = state.extra.get("eligibility") or {}
        answers = el.get("answers") if el.get("matter_code") == matter else None
        saved = self.store.get_draft(ctx.session_id, matter)
        if saved:
            draft = FormDraft.model_validate(saved)
            self._read(ctx, draft)
        else:
            draft = self.forms.build(matter, self._transcript(ctx), answers, llm=self._llm())
        state.matter_code = matter
        return self._reply(ctx.session_id, draft, state, None, intro=True)

    def _turns_to_another(self, ctx: TurnContext, code: str) -> bool:
        """ "帮我爸办退休，株洲的" in the middle of the 注销 form: a message that gives the form nothing and names
        another matter to do (its name or alias, with a verb of doing), or asks for another matter's form, turns
        to that matter."""
        if not _DOING.search(ctx.text):
            return False
        res = ctx.result(k=3)
        top = res.matters[0] if res.matters else None
        return (
            top is not None
            # named, or asked for by its form ("帮我填企业注销的表"), clearly
            and (top.name_match or (bool(FORM_TRIGGER.search(ctx.text)) and top.confidence >= 0.5))
            and top.matter_code != code
            and self.understander.scope.in_scope(ctx.features())
        )

    @staticmethod
    def _is_statement(text: str) -> bool:
        """Facts told without asking anything ("店在湘潭市岳塘区建设北路12号，自己家的房子，一百五十平"); a short
        reply ("长沙的") answers the last question instead, and "刚参加工作，想申请公租房" says what the citizen
        wants to do: the consultation answers that."""
        masked = without_personal_data(text)
        return len(text) >= _FACTS_MIN_CHARS and not (
            asks_anything(masked) or is_intent_statement(masked) or ASKING.search(masked)
        )

    def _fills(self, matter: str, text: str) -> bool:
        """Whether the text alone gives the matter's form a value."""
        values = self.forms.build(matter, [f"用户：{text}"]).values
        return any(v.origin == "conversation" for v in values.values())

    def _matter_by_facts(self, ctx: TurnContext) -> str | None:
        """The matter whose form the citizen's facts so far fill clearly best (at least _FACTS_MIN_FIELDS fields
        and _FACTS_MARGIN more than any other form); None when no form stands out."""
        lines = self._transcript(ctx)
        counts = sorted(
            (
                (sum(v.origin == "conversation" for v in self.forms.build(code, lines).values.values()), code)
                for code in self.forms.catalog.forms
                if self.searcher.heads_for(code)
            ),
            reverse=True,
        )
        if not counts or counts[0][0] < _FACTS_MIN_FIELDS:
            return None
        if len(counts) > 1 and counts[0][0] - counts[1][0] < _FACTS_MARGIN:
            return None
        return counts[0][1]

    def _transcript(self, ctx: TurnContext) -> list[str]:
        """The session so far as a labelled transcript: the citizen's messages, and of each form reply only
        its last line (the question it asked), so that a short answer is read against its question. Other
        replies ask no field: "各地的办理地点和电话不同。请问您在哪里办理？" is not the form asking for a phone."""
        lines = []
        for m in self.store.messages(ctx.session_id):
            if m["role"] == "user":
                lines.append(f"用户：{m['text']}")
            elif m["text"].strip() and (m.get("payload") or {}).get("mode") == "form":
                lines.append(f"助手：{m['text'].strip().splitlines()[-1]}")
        return [*lines, f"用户：{ctx.text}"]

    def _read(self, ctx: TurnContext, draft: FormDraft) -> bool:
        """Re-read the conversation into the draft (values the citizen set by hand stay); whether this turn
        gave any field a new value."""
        fresh = self.forms.build(draft.matter_code, self._transcript(ctx))
        gained = False
        # the whole conversation read again is the reading: a value an earlier, shorter read took from it
        # ("我是他妻子郭美华" read as the answer to the insured's name before she said who she is) goes
        for fid in [
            f for f, v in draft.values.items() if v.origin == "conversation" and f not in fresh.values
        ]:
            del draft.values[fid]
        for fid, fv in fresh.values.items():
            old = draft.values.get(fid)
            if fv.origin != "conversation" or (old is not None and old.origin == "user"):
                continue
            # a value said now for what was only a default ("居民身份证" once an ID number is given) is said
            if old is None or old.value != fv.value or old.origin == "default":
                gained = gained or fv.source == ctx.text
                draft.values[fid] = fv
        self.forms.revalidate(draft)
        return gained

    def _llm(self) -> BaseChatModel | None:
        """The chat model for form extraction when one is configured; None (deterministic only) otherwise."""
        if self.settings.llm == "none":
            return None
        try:
            return get_chat_model(self.settings)
        except LLMUnavailableError as exc:
            log.warning("form extraction without LLM: %s", exc)
            return None

    def _reply(
        self,
        session_id: str,
        draft: FormDraft,
        state: DialogState,
        note: str | None,
        intro: bool = False,
        before: dict[str, tuple[Any, str | None]] | None = None,
    ) -> Answer:
        """The form's next question, after what was taken from the conversation (`intro`) or from this message
        (the values that differ from `before`, unless a correction note says what changed)."""
        guide, _ = self.searcher.guide_for_region(draft.matter_code, state.region_code)
        nxt = self.forms.next_question(draft)
        self.store.save_draft(session_id, draft.matter_code, draft.model_dump())
        report = self.forms.report(draft, guide)
        # kept when complete too: "刚才电话说错了，是…" after the last field still corrects the draft
        state.extra["form"] = {"matter_code": draft.matter_code, "complete": nxt is None}
        lines = []
        if intro:
            lines.append(f"好的，我来帮您预填《{draft.title}》。")
            if got := _said(report.filled):
                lines.append("已从对话中提取：" + got)
        if before is not None and not note:
            # "他1985年7月进的株洲冶炼厂": the citizen sees what this message wrote down
            fresh = [
                f for f in report.filled if not f["problem"] and before.get(f["field"]) != (f["value"], None)
            ]
            if got := _said(fresh):
                lines.append("已记下：" + got)
        if note:
            lines.append(note)
        if nxt is not None:
            lines.append(
                f"{'请核对：' + nxt.problem + ' ' if nxt.problem else ''}{nxt.question}（还差 {len(report.missing) + len(report.invalid)} 项）"
            )
        else:
            lines.append("表单必填项已全部填好，可以下载核对后提交。")
            if report.materials_to_upload:
                lines.append("还需上传的材料：" + "、".join(report.materials_to_upload))
            if report.materials_waived:
                lines.append("免提交材料：" + "、".join(w["name"] for w in report.materials_waived))
        return Answer(
            text="\n".join(lines),
            matter_code=draft.matter_code,
            matter_name=guide.name if guide else None,
            region_name=guide.region_name if guide else None,
            citations=[cite(guide, "materials")] if guide else [],
            mode="form",
            suggestions=[Suggestion(label="先不填了", text="先不填了")],
            form={
                "matter_code": draft.matter_code,
                "title": draft.title,
                "complete": report.complete,
                "missing": [m.label for m in report.missing],
                "invalid": [i.model_dump() for i in report.invalid],
                "pending": nxt.model_dump() if nxt else None,
            },
        )

    # -- direct calls from the API -------------------------------------------------------------------
    def draft(self, session_id: str, matter_code: str) -> tuple[FormDraft, FormReport]:
        """(draft, report) of the session's form for a matter, built from the conversation when new."""
        if not self.forms.has_form(matter_code):
            raise KeyError(matter_code)
        saved = self.store.get_draft(session_id, matter_code)
        if saved:
            draft = FormDraft.model_validate(saved)
        else:
            messages = [m["text"] for m in self.store.messages(session_id) if m["role"] == "user"]
            draft = self.forms.build(matter_code, messages)
            self.store.save_draft(session_id, matter_code, draft.model_dump())
        state = DialogState.model_validate(self.store.get_state(session_id))
        guide, _ = self.searcher.guide_for_region(matter_code, state.region_code)
        return draft, self.forms.report(draft, guide)

    def patch(
        self, session_id: str, matter_code: str, field: str, value: Any
    ) -> tuple[FormDraft, FormReport]:
        draft, _ = self.draft(session_id, matter_code)
        self.forms.set_value(draft, field, value, source="用户在表单中填写")
        self.store.save_draft(session_id, matter_code, draft.model_dump())
        return self.draft(session_id, matter_code)
