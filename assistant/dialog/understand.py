"""Understand one turn once: region, intent, every aspect asked, personal data spotted, and the turn's one
search (run on first use, so turns that never need it never pay for it). Every flow reads this context."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from assistant.answer.aspects import (
    QUESTION_PATTERN,
    aspects_asked,
    is_question,
    primary_aspect,
)
from assistant.answer.safety import is_manipulation, is_offtopic_request
from assistant.answer.scope import ScopeFeatures, ScopeModel
from assistant.dialog.state import DialogState
from assistant.guides.regions import Region
from assistant.masking import personal_data_kinds, without_personal_data
from assistant.retrieval.search import Searcher, SearchResult
from assistant.text.names import without_names

Intent = Literal["handoff", "manipulation", "out_of_scope", "form", "eligibility", "consult"]

SEARCH_K = 8
HANDOFF_RE = re.compile(r"^\s*(我要|请)?(转|找)?人工(客服|服务|窗口)?\s*[。！!]?\s*$")
ELIGIBILITY_TRIGGER = re.compile(
    r"我.{0,10}(能不能|可不可以|能否|能|可以)(办|申请|办理|享受|领)|(我|我们|我家|公司|企业).{0,10}符合.{0,10}(条件|要求)"
    r"|有没有资格|够不够条件|够条件吗|资格预审|帮我预审|预审一下|看看(我)?能不能办"
)
ASKING = re.compile(r"想问|请问|问一下|问下|咨询|了解一下|想知道|告诉我")
RESUME_TRIGGER = re.compile(r"^(继续|接着)(资格)?预审|^继续$")
FORM_TRIGGER = re.compile(
    r"帮我填表|帮我填|填表|填写申请表|一表申请|预填|填申请|生成申请表|申请表怎么填|填(?:个|一下|一个|下)(?:表|申请表|报名表)"
    r"|(?:帮我|帮忙)(?:报个?名|填)|报名表"
)
FORM_EXIT = re.compile(r"^(先不填|不填了|退出填表|取消填表|算了)")


@dataclass
class TurnContext:
    """One turn as understood: what every flow reads. `result()` is the turn's search of its own text."""

    understander: Understander = field(repr=False)
    session_id: str
    text: str
    state: DialogState
    new_region: Region | None
    search_region: str | None
    aspects: list[str]
    aspect: str | None
    intent: Intent
    personal_data: list[str]
    on_token: Callable[[str], None] | None = None
    query: str = ""  # the text without the citizen's own data ("身份证4301…", "我叫…"): what is searched
    searches: int = 0
    part_searches: int = 0  # the parts of a question searched alone for the guide's Q&A on them (faq_match)
    _result: SearchResult | None = field(default=None, repr=False)
    _features: ScopeFeatures | None = field(default=None, repr=False)
    _meaning: dict[str, str] | None = field(default=None, repr=False)

    @property
    def region_code(self) -> str | None:
        """The region of this turn: mentioned now, else remembered."""
        return self.new_region.code if self.new_region else self.state.region_code

    def result(self, k: int = SEARCH_K) -> SearchResult:
        """The turn's search (run once), seen with its first k section hits."""
        if self._result is None:
            self._result = self.understander.search(self, self.query or self.text, self.search_region)
        if k >= len(self._result.hits):
            return self._result
        return self._result.model_copy(update={"hits": self._result.hits[:k]})

    def features(self) -> ScopeFeatures:
        """Scope features of the turn's text over its search."""
        if self._features is None:
            self._features = self.understander.scope.features(self.query or self.text, self.result())
        return self._features

    def words_meaning(self) -> dict[str, str]:
        """The turn's words the guides never use → the matter whose section is nearest to each (ScopeModel)."""
        if self._meaning is None:
            self._meaning = self.understander.scope.words_meaning(self.query or self.text)
        return self._meaning

    def search_part(self, text: str, region: str | None) -> SearchResult:
        """A search of one part of the question (without matter and region names), to find the guide's section
        on it; not a search to understand the turn (`searches` counts those)."""
        self.part_searches += 1
        searcher = self.understander.searcher
        return searcher.search(searcher.strip_names(text) or text, region=region, k=SEARCH_K)

    def search_other(self, text: str, region: str | None) -> SearchResult:
        """A search of another text (a question asked before a clarification), counted in this turn."""
        return self.understander.search(self, text, region)

    def dense_result(self) -> SearchResult:
        """The turn's search with the encoder run (the cascade may have skipped it): for a decision that needs
        how close in meaning the question is, taken only when that decision is reached."""
        res = self.result()
        if res.stage != "lexical":
            return res
        self.searches += 1
        return self.understander.searcher.search(
            self.query or self.text, region=self.search_region, k=SEARCH_K, lexical_ok=False
        )


def _said_as_origin(text: str, region: Region) -> bool:
    """The region is named as where the citizen comes from: 邵阳人, 衡阳籍, 老家衡阳 (not 长沙人社局, 人民医院)."""
    names = "|".join(re.escape(n) for n in region.names() if len(n) >= 2)
    return bool(names) and bool(
        re.search(rf"(?:老家|祖籍|原籍)(?:是|在)?(?:{names})|(?:{names})(?:人(?![社民才力大])|籍)", text)
    )


def states_data_only(text: str) -> bool:
    """The citizen's own data (name, ID, phone…) with no question. The question test reads the text without the
    data: "我叫向丽，身份证…，电话…" asks for no phone number."""
    return bool(personal_data_kinds(text)) and not is_question(without_personal_data(text))


class Understander:
    """Builds the TurnContext of a message; owns the only path to the searcher during a turn."""

    def __init__(self, searcher: Searcher, scope: ScopeModel):
        self.searcher = searcher
        self.scope = scope

    def region_said(self, text: str) -> Region | None:
        """The region a message is about. Of several named, a hometown ("我是邵阳人在株洲打工", "老家衡阳")
        gives way to the others, and a region with guides comes before one without."""
        registry = self.searcher.registry
        mentioned = [r for r in registry.mentioned(text) if r.level != "province"]
        if len(mentioned) < 2:
            return mentioned[0] if mentioned else None
        rest = [r for r in mentioned if not _said_as_origin(text, r)] or mentioned
        served = {registry.city_code(h.region_code) for h in self.searcher.guides.heads.values()}
        return next((r for r in rest if registry.city_code(r.code) in served), rest[0])

    def understand(
        self,
        session_id: str,
        text: str,
        state: DialogState,
        on_token: Callable[[str], None] | None = None,
    ) -> TurnContext:
        new_region = self.region_said(text)
        # "电话13574128806" states the citizen's phone, it does not ask for one: aspects, the question test
        # and the search read the text without the citizen's own data
        query = without_names(without_personal_data(text))  # "儿子周子航": a name is nobody the guides know
        query = query if re.search(r"[\u4e00-\u9fff]{2}", query) else text
        stripped = self.searcher.strip_names(query, gap="")
        aspects, aspect = aspects_asked(stripped), primary_aspect(stripped)
        if not aspects and aspect is None:
            # "能用公积金贷款买房不": a name removed whole leaves "能不"; read it with a verb in its place ("能办不")
            held = self.searcher.strip_names(query, gap="办")
            aspects, aspect = aspects_asked(held), primary_aspect(held)
        return TurnContext(
            understander=self,
            session_id=session_id,
            text=text,
            state=state,
            new_region=new_region,
            search_region=new_region.code if new_region else state.region_code,
            aspects=aspects,
            aspect=aspect,
            intent=self._intent(text, state, query),
            personal_data=personal_data_kinds(text),
            on_token=on_token,
            query=query,
        )

    @staticmethod
    def _intent(text: str, state: DialogState, query: str) -> Intent:
        if HANDOFF_RE.match(text):
            return "handoff"
        if is_manipulation(text):
            return "manipulation"
        if is_offtopic_request(text):
            return "out_of_scope"
        if (state.extra.get("form") or {}).get("complete") is False or FORM_TRIGGER.search(text):
            return "form"
        if states_data_only(text):
            return "form"  # a citizen's own data with no question: it belongs in a form, never refused
        el = state.extra.get("eligibility") or {}
        walking = (
            bool(el.get("pending"))
            and not el.get("done")
            and (not el.get("paused") or bool(RESUME_TRIGGER.search(text)))
        )
        # "听说我们这种可以申请，要交什么表、多少天": other aspects asked alongside are a consultation
        # (the answer offers the walkthrough); only a question about eligibility itself starts one
        if walking or (ELIGIBILITY_TRIGGER.search(text) and set(aspects_asked(text)) <= {"conditions"}):
            return "eligibility"
        return "consult"

    def search(self, ctx: TurnContext, text: str, region: str | None) -> SearchResult:
        ctx.searches += 1
        # the cascade may skip the encoder only when the answer is a named section (materials, time limit…):
        # a free-text question ("交不满15年怎么办") is answered from the section or FAQ that ranks best,
        # which needs the dense similarity
        lexical_ok = bool(ctx.aspects) and text in (ctx.text, ctx.query)
        return self.searcher.search(text, region=region, k=SEARCH_K, lexical_ok=lexical_ok)

    def looks_like_new_question(self, ctx: TurnContext) -> bool:
        """A question of its own in the middle of a walkthrough or form (not an answer to what was asked)."""
        if len(ctx.text) < 6:
            return False
        # "企业住所…，走简易注销，税务注销了": facts stated without asking anything are answers, whatever
        # matter names or section words they contain
        if not QUESTION_PATTERN.search(ctx.text) and not ASKING.search(ctx.text):
            return False
        res = ctx.result(k=3)
        return (
            bool(res.matters)
            and (res.matters[0].name_match or primary_aspect(ctx.text) is not None)
            and self.scope.in_scope(self.scope.features(ctx.text, res))
        )
