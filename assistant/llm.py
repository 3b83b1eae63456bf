"""Chat-model factory: none | llamacpp (local GGUF) | openai (any OpenAI-compatible endpoint)."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings


class LLMUnavailableError(RuntimeError):
    """The configured backend cannot be used (missing package or model file); the message says why."""


_cache: dict[tuple, BaseChatModel] = {}


def get_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None for the default composer-only mode. Loaded once per process."""
    if settings.llm == "none":
        return None
    key = (settings.llm, str(settings.llm_model_path), settings.openai_base_url, settings.openai_model)
    if key in _cache:
        return _cache[key]
    if settings.llm == "llamacpp":
        if not settings.llm_model_path.exists():
            raise LLMUnavailableError(f"找不到模型文件 {settings.llm_model_path}：请先运行 make llm")
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:  # pragma: no cover - depends on the optional build
            raise LLMUnavailableError("未安装 llama-cpp-python：请先运行 make llm") from exc
        model: BaseChatModel = ChatLlamaCpp(
            model_path=str(settings.llm_model_path),
            n_ctx=4096,
            n_threads=2,
            n_batch=256,
            temperature=0.1,
            max_tokens=400,
            verbose=False,
        )
    else:
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key,
            temperature=0.1,
            max_tokens=400,
            timeout=60,
            max_retries=1,
        )
    _cache[key] = model
    return model
