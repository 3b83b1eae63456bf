"""Read and write the project's own guide files (YAML/JSON) with errors that name file, field and reason."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from assistant.guides.schema import MatterGuide, ReferenceDoc


class GuideFileError(Exception):
    """A knowledge file that could not be read; `problems` lists (field, reason) pairs."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]):
        self.path = str(path)
        self.problems = problems
        detail = "；".join(f"{f or '(文件)'}: {r}" for f, r in problems)
        super().__init__(f"{self.path}: {detail}")


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from_validation(exc: ValidationError) -> list[tuple[str, str]]:
    return [(_field_path(e["loc"]), e["msg"]) for e in exc.errors()]


def read_data_file(path: Path) -> Any:
    """Parse YAML or JSON; syntax errors become GuideFileError with the line."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        if Path(path).suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise GuideFileError(path, [("", f"JSON 语法错误，第 {exc.lineno} 行：{exc.msg}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise GuideFileError(path, [("", f"YAML 语法错误 {where}：{getattr(exc, 'problem', exc)}")]) from exc


def validate_guide(payload: Any, path: Path | str) -> MatterGuide:
    if not isinstance(payload, dict):
        raise GuideFileError(path, [("", "文件内容应是一个对象（字段: 值），而不是列表或文本")])
    try:
        return MatterGuide.model_validate(payload)
    except ValidationError as exc:
        raise GuideFileError(path, problems_from_validation(exc)) from exc


def load_guide_file(path: Path) -> MatterGuide:
    return validate_guide(read_data_file(path), path)


def load_guides(directory: Path) -> tuple[list[MatterGuide], list[GuideFileError]]:
    """Every guide in a folder; a bad file is reported and the rest still load."""
    errors: list[GuideFileError] = []
    return list(iter_guides(directory, errors)), errors


def iter_guides(directory: Path, errors: list[GuideFileError] | None = None) -> Iterator[MatterGuide]:
    """The guides of a folder one at a time (a serving process packs each before reading the next); a bad or
    duplicate file is appended to `errors` and skipped."""
    seen: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.y*ml")) + sorted(Path(directory).glob("*.json")):
        try:
            g = load_guide_file(path)
        except GuideFileError as exc:
            if errors is not None:
                errors.append(exc)
            continue
        if g.id in seen:
            if errors is not None:
                errors.append(GuideFileError(path, [("id", f"与 {seen[g.id]} 重复")]))
            continue
        seen[g.id] = str(path)
        yield g


def load_references(directory: Path) -> list[ReferenceDoc]:
    docs: list[ReferenceDoc] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        payload = read_data_file(path)
        try:
            docs.append(ReferenceDoc.model_validate(payload))
        except ValidationError as exc:
            raise GuideFileError(path, problems_from_validation(exc)) from exc
    return docs


def dump_yaml(model: BaseModel, header: str = "") -> str:
    data = model.model_dump(mode="json", exclude_none=True)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return (header + body) if header else body


def write_atomic(path: Path, text: str) -> None:
    """Write through a temp file in the same folder and rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def guide_filename(guide: MatterGuide) -> str:
    return f"{guide.id}.yaml"
