"""Handing a conversation to a person: the citizen's 转人工 request, and honest refusals that open a ticket."""

from __future__ import annotations

from assistant.answer.models import Answer, Handoff, Suggestion
from assistant.config import Settings
from assistant.dialog.state import DialogState
from assistant.dialog.understand import TurnContext
from assistant.retrieval.search import Searcher, SearchResult
from assistant.store import Store

OUT_OF_SCOPE = "这个问题不在我的办事指南范围内。"


class HandoffFlow:
    def __init__(self, settings: Settings, searcher: Searcher, store: Store):
        self.settings = settings
        self.searcher = searcher
        self.store = store

    def handle(self, ctx: TurnContext) -> Answer:
        """The citizen asked for a person in the chat ("转人工")."""
        return self.open_ticket(ctx.session_id, ctx.state, "用户请求转人工")

    def phone_for(self, state: DialogState) -> str:
        """The consultation phone of the matter being discussed, else the government hotline."""
        if state.matter_code:
            guide, _ = self.searcher.guide_for_region(state.matter_code, state.region_code)
            if guide and guide.contact.consultation:
                return guide.contact.consultation[0]
        return self.settings.hotline

    def open_ticket(self, session_id: str, state: DialogState, note: str) -> Answer:
        phone = self.phone_for(state)
        ticket = self.store.create_handoff(
            session_id, question=note, reason="user_request", matter_code=state.matter_code or "", phone=phone
        )
        text = f"已为您转人工（工单号 {ticket}），工作人员会查看本次对话并联系您；急事请拨打 {phone}。"
        return Answer(
            text=text,
            mode="refusal",
            handoff=Handoff(ticket_id=ticket, reason="user_request", phone=phone, message=text),
        )

    def refuse(
        self, ctx: TurnContext, reason: str, res: SearchResult | None, trace: dict | None = None
    ) -> Answer:
        """Say plainly that this is not answered here, offer the closest matters, the hotline and a 转人工 chip.
        A ticket is opened only on the second refusal in a row (the citizen keeps trying the same need); the
        citizen can always ask for a person (“转人工”)."""
        closest = []
        if res is not None and reason != "manipulation":
            closest = [m for m in res.matters[:3] if m.confidence >= 0.05]
        phone = self.settings.hotline  # one number: nothing here is about a listed matter's office
        lines = [OUT_OF_SCOPE]
        other = res.other_matter if res is not None else None
        meaning = ctx.words_meaning() if res is not None and reason == "out_of_scope" else {}
        meaning = {w: m for w, m in meaning.items() if m}  # words nearest a guide, not the catalogue
        suggestions: list[Suggestion] = []
        if other is not None and other.margin > -0.05 and reason == "out_of_scope":
            lines.append(f"您问的像是“{other.name}”，这个事项目前还没有收录办事指南。")
            closest = []
        elif meaning:
            # "开饭店", "米粉店" (and the question as a whole near no not-covered matter): a word the guides do
            # not use whose nearest section is a guide's: ask whether that matter is meant, with a chip that
            # asks the same question of it
            code = next(iter(meaning.values()))
            heads = self.searcher.heads_for(code)
            name = heads[0].name if heads else code
            closest = [m for m in closest if m.matter_code != code]
            words = "、".join(f"“{w}”" for w, m in meaning.items() if m == code)
            lines = [f"办事指南里没有{words}这个说法。您问的是不是“{name}”？是的话请点选。"]
            suggestions.append(Suggestion(label=name, text=f"{name}：{ctx.query or ctx.text}", kind="choice"))
        if closest:
            lines.append(
                ("也可能是：" if suggestions else "与您的问题可能相关的事项：")
                + "、".join(m.name for m in closest)
                + "。如是其中之一，请点选。"
            )
        ticket = None
        if ctx.state.extra.get("refusals", 0) >= 1 and reason != "manipulation":
            ticket = self.store.create_handoff(
                ctx.session_id,
                question=ctx.text,
                reason=reason,
                matter_code=ctx.state.matter_code or "",
                phone=phone,
            )
            lines.append(
                f"已为您登记转人工（工单号 {ticket}），工作人员会查看本次对话；也可以拨打 {phone} 咨询。"
            )
        else:
            lines.append(f"需要人工帮助请点“转人工”，或拨打 {phone} 咨询。")
        suggestions += [Suggestion(label=m.name, text=f"{m.name}怎么办", kind="choice") for m in closest]
        if ticket is None:
            suggestions.append(Suggestion(label="转人工", text="转人工", kind="handoff"))
        out_trace = {**(trace or {}), "route": "refuse", "reason": reason, "ticket": ticket}
        # for staff: the words the guides never use and the matter each is nearest to
        if "scope" in out_trace:
            top = res.matters[0].matter_code if res is not None and res.matters else None
            known = [w for w, m in meaning.items() if m == top]
            out_trace["scope"] = {**out_trace["scope"], "meant_matters": meaning, "known_by_meaning": known}
        return Answer(
            text="\n".join(lines),
            mode="refusal",
            confidence=res.confidence if res else 0.0,
            suggestions=suggestions,
            handoff=Handoff(
                ticket_id=ticket,
                reason=reason,
                phone=phone,
                message=f"已登记转人工，工单号 {ticket}" if ticket else f"可点“转人工”或拨打 {phone}",
            ),
            trace=out_trace,
        )
