"""LLM generation of an answer from the retrieved sections, checked by the verifier; the composer's answer
stays when generation fails or does not pass."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from assistant.answer.composer import ASPECT_LABELS, section_text, source_line
from assistant.answer.generator import Generator, answer_shape
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
        aspects: list[str] | None = None,
    ) -> None:
        """Generate from the guide's sections, one per aspect asked (and matched FAQs), in the composer's
        shape; keep the composer's text unless the verifier passes every fact and every aspect."""
        label = f"{guide.name}·{guide.region_name}·{{}}·更新于{guide.updated_at}"
        asked = aspects if aspects and len(aspects) > 1 else [aspect]
        sources = [
            (label.format(ASPECT_LABELS.get(a, a)), section_text(guide, a) if a != "faq" else "")
            for a in asked
        ]
        if aspect == "faq" or faqs:
            qa = "\n".join(f"问：{guide.faqs[i].question}\n答：{guide.faqs[i].answer}" for i in faqs)
            sources.append((label.format("常见问题"), qa))
        kept = [i for i, (_lab, txt) in enumerate(sources) if txt.strip()]
        # 1-based positions, after dropping empty sections, of the aspects asked (each must be cited)
        required = [n for n, i in enumerate(kept, 1) if i < len(asked)] if len(asked) > 1 else None
        sources = [sources[i] for i in kept]
        t0 = time.perf_counter()
        first: list[float] = []
        try:
            parts = []
            shape = answer_shape([ASPECT_LABELS.get(a, a) for a in asked if a != "faq"])
            for tok in self._chain().stream(question, sources, shape):
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
        verdict = verify(generated, [f"{lab}\n{t}" for lab, t in sources], self.known_materials, required)
        answer.trace["llm"] = {
            "first_token_ms": round((first[0] - t0) * 1000, 1) if first else None,
            "total_ms": round((time.perf_counter() - t0) * 1000, 1),
            "verified": verdict.ok,
            "chars": len(generated),
            "aspects": asked,
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
