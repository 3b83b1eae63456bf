"""Plain documents (txt, md, html, pdf, docx) as unstructured reference text, via langchain loaders."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from assistant.guides.schema import MatterGuide, ReferenceDoc

DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}


class DocumentError(ValueError):
    """A document that could not be read or holds no text."""


def _loader(path: Path):
    from langchain_community.document_loaders import (
        BSHTMLLoader,
        Docx2txtLoader,
        PyPDFLoader,
        TextLoader,
    )

    suffix = path.suffix.lower()
    if suffix in (".txt", ".md", ".markdown"):
        return TextLoader(str(path), encoding="utf-8")
    if suffix in (".html", ".htm"):
        return BSHTMLLoader(str(path), open_encoding="utf-8")
    if suffix == ".pdf":
        return PyPDFLoader(str(path))
    if suffix == ".docx":
        return Docx2txtLoader(str(path))
    raise DocumentError(f"不支持的文件类型：{suffix}")


def read_document_text(path: Path) -> tuple[str, str]:
    """Return (title, text) of a document."""
    path = Path(path)
    try:
        docs = _loader(path).load()
    except DocumentError:
        raise
    except Exception as exc:  # loaders raise many types for corrupt files
        raise DocumentError(f"无法读取文档：{type(exc).__name__}: {exc}") from exc
    text = "\n".join(d.page_content for d in docs)
    text = re.sub(r"[ \t\u3000\xa0]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n", text).strip()
    if not text:
        raise DocumentError("文档中没有可提取的文字（扫描件需先做文字识别）")
    title = str(docs[0].metadata.get("title") or "").strip() if docs else ""
    if not title:
        first = text.splitlines()[0].lstrip("# ").strip()
        title = first[:40] if len(first) <= 40 else path.stem
    return title, text


def named_matter(text: str, guides: list[MatterGuide]) -> MatterGuide | None:
    """The guide whose name or alias the text mentions most often (names count double)."""
    best: tuple[int, MatterGuide] | None = None
    for g in guides:
        short = g.name.replace("“", "").replace("”", "").replace('"', "").removesuffix("一件事")
        score = 2 * (text.count(g.name) + text.count(short)) + sum(
            text.count(a) for a in g.aliases if len(a) >= 3
        )
        if score and (best is None or score > best[0]):
            best = (score, g)
    return best[1] if best else None


def import_document(path: Path, guides: list[MatterGuide]) -> ReferenceDoc:
    title, text = read_document_text(path)
    guide = named_matter(text, guides)
    digest = hashlib.sha1(f"{Path(path).name}\n{text}".encode()).hexdigest()[:10]
    return ReferenceDoc(
        id=f"doc-{digest}",
        title=title,
        text=text,
        matter_code=guide.matter_code if guide else None,
        region_code=guide.region_code if guide else None,
        source_path=Path(path).name,
        updated=date.today(),
    )
