"""LLM generation of an answer from the retrieved sections, checked by the verifier; the composer's answer
stays when generation fails or does not pass."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from assistant.answer.composer import ASPECT_LABELS, section_text, source_line
from assistant.answer.generator import Generator
from assistant.answer.models import Answer
from assistant.answer.verifier import verify
from assistant.config import Settings
from assistant.guides.schema import MatterGuide
from assistant.llm import LLMUnavailableError, get_chat_model

log = logging.getLogger("onething.generate")


class AnswerGenerator:
    """Replaces a composer answer's text by a generated one when the verifier passes it."""

    def __init__(self, settings: Settings, known_materials: list[str]):
        self.settings = settings
        self.known_materials = known_materials
        self._generator: Generator | None = None
        self._lock = threading.Lock()

    def _chain(self) -> Generator:
        with self._lock:  # an explicit cache: the chat model is built once, on first use
            if self._generator is None:
                model = get_chat_model(self.settings)
                if model is None:
                    raise LLMUnavailableError("ONETHING_LLM=none: no chat model configured")
                self._generator = Generator(model)
            return self._generator

    def improve(
        self,
        question: str,
        answer: Answer,
        guide: MatterGuide,
        aspect: str,
        faqs: list[int],
        fallback: bool,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        """Generate from the guide's section (and matched FAQs); keep the composer's text unless verified."""
        label = f"{guide.name}·{guide.region_name}·{{}}·更新于{guide.updated_at}"
        sources = [
            (
                label.format(ASPECT_LABELS.get(aspect, aspect)),
                section_text(guide, aspect) if aspect != "faq" else "",
            )
        ]
        if aspect == "faq" or faqs:
            qa = "\n".join(f"问：{guide.faqs[i].question}\n答：{guide.faqs[i].answer}" for i in faqs)
            sources.append((label.format("常见问题"), qa))
        sources = [(lab, txt) for lab, txt in sources if txt.strip()]
        t0 = time.perf_counter()
        first: list[float] = []
        try:
            parts = []
            for tok in self._chain().stream(question, sources):
                if not first:
                    first.append(time.perf_counter())
                parts.append(tok)
                if on_token:
                    on_token(tok)
            generated = "".join(parts).strip()
        except (LLMUnavailableError, OSError, ValueError, RuntimeError) as exc:
            log.warning("generation failed, composer answer served: %s", exc)
            answer.trace["llm"] = {"error": str(exc)}
            return
        verdict = verify(generated, [f"{lab}\n{t}" for lab, t in sources], self.known_materials)
        answer.trace["llm"] = {
            "first_token_ms": round((first[0] - t0) * 1000, 1) if first else None,
            "total_ms": round((time.perf_counter() - t0) * 1000, 1),
            "verified": verdict.ok,
            "problems": verdict.problems,
            "generated": generated,
        }
        if not verdict.ok:
            log.warning(
                "verifier rejected generated answer (%s); composer answer served", "；".join(verdict.problems)
            )
            return
        note = answer.text.split("\n", 1)[0] if fallback else ""
        answer.text = "\n".join(p for p in (note, generated, source_line(guide)) if p)
        answer.fold_at = None
        answer.mode = "llm"
