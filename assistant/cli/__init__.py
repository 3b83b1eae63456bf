"""The `onething` command: knowledge (ingest, index, search), eval, ask/chat/check/form, serve and upkeep."""

from assistant.cli import chat_cmds, eval_cmds, knowledge_cmds, ops_cmds  # noqa: F401  (register commands)
from assistant.cli.base import app


def main() -> None:  # pragma: no cover
    app()


__all__ = ["app", "main"]
