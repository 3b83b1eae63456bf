"""Decide whether a question is inside the knowledge base: a small logistic model over retrieval evidence,
calibrated on eval/calibration.jsonl (never on the eval sets) by `onething calibrate`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field

from assistant.answer.aspects import ASPECT_PATTERNS, OVERVIEW_PATTERN
from assistant.retrieval.chunking import OTHER_SECTION
from assistant.retrieval.search import Searcher, SearchResult
from assistant.retrieval.text import STOPWORDS, normalize
from assistant.text.names import looks_like_name, without_names
from assistant.text.synonyms import plain_words

# "九月份", "三号", "两年": when and how long, never what a question is about
_WHEN = re.compile(
    r"[\d一二三四五六七八九十两几半]+(?:个)?(?:月份?|号|日|年|岁|天|周|星期|礼拜|点钟?)"
    r"|月份|年份|[今去明前后]年|上个?月|下个?月|这个?月|年底|年初|月底|月初"
)

_CUE_RE = re.compile("|".join(p for _, p in ASPECT_PATTERNS) + "|" + OVERVIEW_PATTERN, flags=re.I)
# a service question: a section asked about, or how to get something done ("个转企怎么弄")
_SERVICE_ASKED = re.compile(
    _CUE_RE.pattern + r"|(?:怎么|怎样|如何|咋)(?:办|弄|搞|申请|处理|操作|走)", flags=re.I
)
FEATURES = ["confidence", "name_match", "unknown_ratio", "coverage", "top_dense", "log_bm25", "other_margin"]


class ScopeParams(BaseModel):
    weights: list[float] = Field(default_factory=lambda: [4.0, 2.0, -4.0, 2.0, 10.0, 0.5, -6.0])
    bias: float = -10.5
    threshold: float = 0.5
    fitted_on: str = "defaults (not calibrated)"


class ScopeFeatures(BaseModel):
    confidence: float
    name_match: float
    unknown_ratio: float
    coverage: float
    top_dense: float
    log_bm25: float
    other_margin: float = 0.0
    content_words: list[str] = Field(default_factory=list)
    unknown_words: list[str] = Field(default_factory=list)

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, f) for f in FEATURES], dtype=np.float64)


# family members and forms of address ("奶奶", "孙伢子", "妹子", "师傅"): whom a citizen speaks of or to, never
# what they ask about, so never an unknown topic
_PEOPLE = re.compile(
    r"(?:[外老小大]?(?:爸|妈|爷|奶|婆|公|叔|姨|舅|姑|伯|哥|姐|弟|妹|嫂|孙|崽|伢|娃|儿|女|媳|婿|侄|甥)){1,3}"
    r"(?:子|们|伢子|崽|娭毑|头子)?|师傅|同志|领导|美女|帅哥|先生|女士|阿姨|叔叔|亲戚|邻居|家里人|屋里人|娭毑|堂客|老倌子|细伢子"
    r"|老汉|老头|老太|老太太|老人家|老两口|对象|爱人|老伴|媳妇|老婆|老公|[男女]朋友|未婚[妻夫]|另一半|[男女](?:孩|伢|娃)子?"
    # where a person comes from says who they are, not what they ask about ("老家岳阳的")
    r"|老家|家乡|原籍|祖籍|籍贯"
)
_CLAUSE_BREAK = re.compile(r"[\n。；;，,、：:！!？?]+")


class ScopeModel:
    """Vocabulary of the knowledge base plus calibrated weights."""

    def __init__(self, searcher: Searcher, params: ScopeParams):
        self.searcher = searcher
        self.params = params
        # every distinct clause once: a content word (no punctuation in it) is in the knowledge exactly when it
        # is in one clause, and at 10k guides the same clauses recur in every county (89 MB joined whole)
        clauses = (
            piece
            for c in searcher.chunks
            if c.section != "other_matter"
            for piece in _CLAUSE_BREAK.split(c.text)
        )
        self.all_text = "\n".join(dict.fromkeys(clauses))
        # a matter's own text is joined when asked (kept for the few matters in use): held for every matter it
        # doubled the memory of all_text, and building it by repeated concatenation was quadratic (10k guides)
        self._chunks_of: dict[str, list[int]] = {}
        for i, c in enumerate(searcher.chunks):
            if c.section != "other_matter":
                self._chunks_of.setdefault(c.matter_code, []).append(i)
        self.matter_text = lru_cache(maxsize=64)(self._matter_text)
        self.region_words = {n for r in searcher.registry.all() for n in r.names()}
        # an explicit per-model cache: part-of-speech tagging is a pure function of the text and costs
        # about 0.5 ms, a tenth of a turn whose query vector is cached
        self._words_of = lru_cache(maxsize=4096)(self._content_words)

    def _matter_text(self, matter_code: str) -> str:
        """All text of one matter's sections ("" for the reference documents), one section per line."""
        chunks = self.searcher.chunks
        return "".join("\n" + chunks[i].text for i in self._chunks_of.get(matter_code, ()))

    @classmethod
    def load(cls, searcher: Searcher, path: Path | None = None) -> ScopeModel:
        path = path or searcher.settings.knowledge_dir / "scope.yaml"
        params = (
            ScopeParams.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            if path.exists()
            else ScopeParams()
        )
        return cls(searcher, params)

    def content_words(self, text: str) -> list[str]:
        """Nouns (and noun-like verbs) of the question, without aspect cues, stopwords and place names:
        what the question is about."""
        return list(self._words_of(text))

    def _content_words(self, text: str) -> tuple[str, ...]:
        import jieba.posseg as pseg

        # "伢子" is 孩子: dialect is not an unknown topic; nor is a name ("儿子周子航")
        t = _CUE_RE.sub(" ", normalize(plain_words(without_names(text))))
        words = []
        for w, flag in pseg.cut(t):
            w = w.strip()
            if (
                len(w) < 2
                # a person's name ("女儿龙思妍", "他叫贺一鸣") is who, not what is asked; jieba tags many words
                # nr ("养老金", "许可"): only three characters from a common surname
                or (flag == "nr" and len(w) == 3 and looks_like_name(w))
                or w in STOPWORDS
                or w in self.region_words
                or _WHEN.fullmatch(w)
                or _PEOPLE.fullmatch(w)
            ):
                continue
            if flag.startswith("n") or flag in ("vn", "eng", "x") or flag.startswith("j"):
                words.append(w)
        return tuple(words)

    def features(self, text: str, res: SearchResult) -> ScopeFeatures:
        words = self.content_words(text)
        unknown = [w for w in words if w not in self.all_text]
        top = res.matters[0] if res.matters else None
        mtext = self.matter_text(top.matter_code) if top else ""
        covered = [w for w in words if w in mtext]
        # the lexical stage skipped the encoder: its similarity is unknown, taken as the neutral centre
        top_dense = (
            self.searcher.settings.conf_dense_center
            if res.stage == "lexical"
            else max((h.dense for h in res.hits), default=0.0)
        )
        top_bm25 = max((h.bm25 for h in res.hits), default=0.0)
        return ScopeFeatures(
            confidence=res.confidence,
            name_match=1.0 if top and top.name_match else 0.0,
            unknown_ratio=len(unknown) / len(words) if words else 0.0,
            coverage=len(covered) / len(words) if words else 1.0,
            top_dense=top_dense,
            log_bm25=math.log1p(top_bm25),
            other_margin=res.other_matter.margin if res.other_matter else -1.0,
            content_words=words,
            unknown_words=unknown,
        )

    def words_meaning(self, text: str) -> dict[str, str]:
        """The question's words the knowledge does not contain → the matter whose section is nearest to each
        ("" when it is one of the not-covered catalogue). A citizen's own word for a matter ("饭店" for 餐饮店,
        "残疾证" for 残疾人证) is, on its own, nearest to one of its sections. Only in a service question:
        "湖南大学和中南大学哪个更好" is near the graduates' matter but asks nothing of it.

        Asked only of a turn about to be refused (answered turns do not pay for a vector per unknown word). The
        consultation answers it when such words mean the very matter the question found first and the question
        is nearer the guides than the catalogue (dialog/consult.py); otherwise the refusal asks whether the
        matter meant is the one. Read as the top matter alone, such words had answered 2 of 24 not-covered
        questions of the test split with a wrong matter."""
        if not _SERVICE_ASKED.search(text):
            return {}
        out = {}
        for w in self.content_words(text):
            if w not in self.all_text and (m := self.nearest_matter(w)) is not None:
                out[w] = m
        return out

    def nearest_matter(self, word: str) -> str | None:
        """The matter whose section is nearest to the word alone ("" for a not-covered matter of the
        catalogue), by the sections' vectors; reference documents are skipped."""
        se = self.searcher
        qv, _cached = se.query_vectors.get_or_compute(word, se.embed_query)
        sims, ids = se.dense.search(qv, 16)
        for i in ids:
            c = se.chunks[int(i)]
            if c.section == OTHER_SECTION:
                return ""
            if c.matter_code:
                return c.matter_code
        return None

    def probability(self, f: ScopeFeatures) -> float:
        z = float(np.dot(self.params.weights, f.vector()) + self.params.bias)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def in_scope(self, f: ScopeFeatures) -> bool:
        return self.probability(f) >= self.params.threshold


def fit_scope(xs: np.ndarray, ys: np.ndarray, max_false_refusal: float = 0.02) -> ScopeParams:
    """Logistic regression (scikit-learn) on feature vectors; the threshold is the highest one whose
    false-refusal rate on in-scope items stays within `max_false_refusal`."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    clf.fit(xs, ys)
    probs = clf.predict_proba(xs)[:, 1]
    pos = np.sort(probs[ys == 1])
    k = int(math.floor(max_false_refusal * len(pos)))
    threshold = float(pos[k]) if len(pos) else 0.5
    threshold = min(0.5, max(0.02, threshold - 1e-6))
    return ScopeParams(
        weights=[round(float(w), 5) for w in clf.coef_[0]],
        bias=round(float(clf.intercept_[0]), 5),
        threshold=round(threshold, 5),
    )


class CalibrationItem(BaseModel):
    id: str
    question: str
    expect: str  # "answer" | "refuse"
    matter_code: str | None = None
    category: str | None = None


def calibrate(
    searcher: Searcher,
    path: Path,
    out: Path,
    max_false_refusal: float = 0.02,
    uncurated: Callable[[dict[str, list[str]]], list[np.ndarray]] | None = None,
) -> tuple[ScopeParams, dict]:
    """Fit the scope model on a calibration set (kept apart from the eval sets) and write it to `out`. With
    `uncurated` (scope_new_guides.uncurated_rows), the in-scope questions count a second time as read with
    their matter freshly imported, without aliases."""
    import json

    from assistant.answer.safety import is_manipulation

    items = [
        CalibrationItem.model_validate(json.loads(line))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    model = ScopeModel(searcher, ScopeParams())
    xs, ys = [], []
    for it in items:
        if is_manipulation(it.question):
            continue  # handled before the scope model ever sees it
        res = searcher.search(it.question, k=8)
        xs.append(model.features(it.question, res).vector())
        ys.append(1 if it.expect == "answer" else 0)
    n_curated = len(xs)
    if uncurated is not None:
        about: dict[str, list[str]] = {}
        for it in items:
            if it.expect == "answer" and it.matter_code and not is_manipulation(it.question):
                about.setdefault(it.matter_code, []).append(it.question)
        extra = uncurated(about)
        xs += extra
        ys += [1] * len(extra)
    x, y = np.array(xs), np.array(ys)
    params = fit_scope(x, y, max_false_refusal=max_false_refusal)
    params.fitted_on = (
        f"{path.name}: {int(y[:n_curated].sum())} in scope, {int((1 - y).sum())} out of scope"
        + (
            f", and the in-scope ones again with their guide uncurated ({len(xs) - n_curated})"
            if uncurated
            else ""
        )
    )
    model.params = params
    probs = np.array([model.probability(ScopeFeatures(**dict(zip(FEATURES, row, strict=True)))) for row in x])
    pred = probs >= params.threshold
    pos = (y == 1) & (np.arange(len(y)) < n_curated)
    report = {
        "items": n_curated,
        "false_refusal_rate": round(float((~pred & pos).sum() / max(1, pos.sum())), 4),
        "refusal_recall": round(float(((~pred) & (y == 0)).sum() / max(1, (y == 0).sum())), 4),
    }
    if len(y) > n_curated:
        report["false_refusal_rate_uncurated"] = round(float((~pred[n_curated:]).mean()), 4)
    header = "# 由 onething calibrate 根据 eval/calibration.jsonl 拟合（不使用评测集）；勿手工修改。\n"
    out.write_text(
        header + yaml.safe_dump(params.model_dump(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return params, report
