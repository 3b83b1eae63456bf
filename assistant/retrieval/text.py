"""Chinese text normalisation and jieba tokenisation with a user dictionary built from the guides."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba

from assistant.guides.schema import MatterGuide

# Function words and question words that carry no matter or section signal.
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 么 是 在 和 与 及 或 有 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 哪个 哪些
    什么 怎么 怎样 如何 多少 几 请问 一下 可以 能 能不能 会 要 需要 想 想要 办 办理 去 到 给 让 被 就 都 还 也 又 啥
    咋 哪 里 哪里 么样 怎么办 谁 一 个 上 下 中 等 及其 其 之 为 对 从 把 该 应该 需 得 着 过 呗 哦 嗯 喔 吖 滴 哈""".split()
)
_PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)
_lock = threading.Lock()
_loaded_words: set[str] = set()


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, collapse spaces."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"\s+", " ", t).strip()


def domain_words(guides: Iterable[MatterGuide]) -> list[str]:
    """Words jieba must keep whole: matter names and aliases, materials, linked matters, departments."""
    words: set[str] = {"一件事", "公租房", "出生医学证明", "户口簿", "社保卡", "公积金", "营业执照", "工作日"}
    for g in guides:
        plain = re.sub(r"[“”\"\s]", "", g.name)
        words.update({plain, plain.removesuffix("一件事")})
        words.update(a for a in g.aliases if 2 <= len(a) <= 12)
        for m in g.materials:
            core = re.split(r"[（(]", m.name)[0]
            if 2 <= len(core) <= 14:
                words.add(core)
        for lm in g.linked_matters:
            if 2 <= len(lm.name) <= 14:
                words.add(lm.name)
        if g.lead_department and len(g.lead_department) <= 14:
            words.add(g.lead_department)
    return sorted(w for w in (normalize(w) for w in words) if len(w) >= 2)


def write_user_dict(words: Iterable[str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w} 50 n\n" for w in words), encoding="utf-8")


def load_user_words(words: Iterable[str]) -> None:
    """Register domain words with jieba once per process (jieba keeps one global dictionary)."""
    with _lock:
        jieba.setLogLevel(60)
        for w in words:
            if w not in _loaded_words:
                jieba.add_word(w, freq=50000, tag="n")
                _loaded_words.add(w)


def tokenize(text: str) -> list[str]:
    """Search tokens: jieba words (search mode) minus stopwords and punctuation, plus character bigrams
    of CJK runs so typos and unseen compounds still match partly."""
    t = normalize(text)
    tokens = [
        w for w in jieba.cut_for_search(t) if w.strip() and not _PUNCT_RE.fullmatch(w) and w not in STOPWORDS
    ]
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", t):
        tokens.extend(f"#{run[i : i + 2]}" for i in range(len(run) - 1))
    return tokens
