"""Composition root: builds the searcher, store, eligibility engine, form service, generator and the
assistant from settings. Every face (API, CLI, console), the evaluation and the tests build through here."""

from __future__ import annotations

from assistant.answer.generate import AnswerGenerator
from assistant.config import Settings, get_settings
from assistant.dialog.assistant import Assistant
from assistant.eligibility.engine import Engine
from assistant.eligibility.rules import load_all
from assistant.forms.service import FormService
from assistant.forms.spec import FormCatalog
from assistant.retrieval.search import Searcher, get_searcher
from assistant.store import Store, get_store


def load_eligibility_engine(settings: Settings, searcher: Searcher) -> Engine | None:
    """The eligibility engine over knowledge/rules; None when the knowledge base has no rule files."""
    rules_dir = settings.knowledge_dir / "rules"
    if not rules_dir.exists() or not any(rules_dir.glob("*.yaml")):
        return None
    materials: dict[str, set[str]] = {}
    for g in searcher.guides.values():
        materials.setdefault(g.matter_code, set()).update(m.name for m in g.materials)
    return Engine(load_all(rules_dir, materials), searcher.registry)


def load_form_service(settings: Settings) -> FormService | None:
    """The unified-form service over knowledge/forms; None when the knowledge base defines no form."""
    forms_dir = settings.knowledge_dir / "forms"
    if not forms_dir.exists() or not any(p for p in forms_dir.glob("*.yaml") if not p.name.startswith("_")):
        return None
    return FormService(FormCatalog.load(forms_dir))


def load_generator(settings: Settings, searcher: Searcher) -> AnswerGenerator | None:
    """The LLM answer generator when a model is configured (ONETHING_LLM), else None (composer only)."""
    if settings.llm == "none":
        return None
    materials = sorted({m.name for g in searcher.guides.values() for m in g.materials})
    return AnswerGenerator(settings, materials)


def build_assistant(
    settings: Settings | None = None, searcher: Searcher | None = None, store: Store | None = None
) -> Assistant:
    """The assistant with every part built from settings; pass a searcher or store to share or replace one."""
    settings = settings or get_settings()
    searcher = searcher or get_searcher(settings)
    return Assistant(
        settings,
        searcher,
        store or get_store(settings.db_url),
        eligibility=load_eligibility_engine(settings, searcher),
        forms=load_form_service(settings),
        generator=load_generator(settings, searcher),
    )
