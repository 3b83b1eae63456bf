"""The `onething` Typer app, its console and output helpers; the command modules register on it."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

app = typer.Typer(
    help="一件事助手：办事指南知识库、检索、问答与评测", no_args_is_help=True, add_completion=False
)
console = Console(width=160)


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
