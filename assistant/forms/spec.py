"""Form definitions (knowledge/forms/*.yaml) and the pydantic models built from them: one source of truth."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model

FieldType = Literal["name", "id_number", "phone", "date", "choice", "number", "text", "address", "uscc"]
_PY_TYPES: dict[str, Any] = {"number": float, "date": date}


class FieldSpec(BaseModel):
    id: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: FieldType
    required: bool = False
    help: str = ""
    serves: list[str] = Field(default_factory=list, description="它服务的材料或联办事项")
    cues: list[str] = Field(default_factory=list, description="对话中值前面的提示词")
    question: str = ""
    choices: list[str] = Field(default_factory=list)
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    default: str | None = None
    unit: str = ""
    pattern: str = Field("", description="裸值的正则：群众不带提示词直接说出的值（如“热食类食品制售”）")
    max_age_days: int | None = None
    not_future: bool = False
    expect_gender: Literal["男", "女"] | None = None

    def ask(self) -> str:
        return self.question or f"请提供{self.label}。"

    @property
    def month_ok(self) -> bool:
        """A date field that asks only for the year and month ("参保人是哪年哪月参加工作的？")."""
        return self.type == "date" and bool(re.search(r"哪年哪月|年月", self.question + self.help))


YearMonth = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class FormSpec(BaseModel):
    matter_code: str
    title: str
    include_applicant: bool = True
    fields: list[FieldSpec]

    def all_fields(self, applicant: list[FieldSpec]) -> list[FieldSpec]:
        return [*(applicant if self.include_applicant else []), *self.fields]


class FormFileError(ValueError):
    pass


def _load_yaml(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise FormFileError(f"{path}: YAML 语法错误：{exc}") from exc


class FormCatalog:
    """All forms of the knowledge base, and their pydantic models."""

    def __init__(self, applicant: list[FieldSpec], forms: dict[str, FormSpec]):
        self.applicant = applicant
        self.forms = forms
        self._models: dict[str, type[BaseModel]] = {}

    @classmethod
    def load(cls, forms_dir: Path) -> FormCatalog:
        applicant: list[FieldSpec] = []
        forms: dict[str, FormSpec] = {}
        try:
            app_file = forms_dir / "_applicant.yaml"
            if app_file.exists():
                applicant = [FieldSpec.model_validate(f) for f in _load_yaml(app_file).get("fields", [])]
            for p in sorted(forms_dir.glob("*.yaml")):
                if p.name.startswith("_"):
                    continue
                spec = FormSpec.model_validate(_load_yaml(p))
                ids = [f.id for f in spec.all_fields(applicant)]
                if len(set(ids)) != len(ids):
                    raise FormFileError(f"{p}: 字段 id 重复")
                forms[spec.matter_code] = spec
        except ValidationError as exc:
            raise FormFileError(f"{forms_dir}: {exc}") from exc
        return cls(applicant, forms)

    def fields(self, matter_code: str) -> list[FieldSpec]:
        return self.forms[matter_code].all_fields(self.applicant)

    def model(self, matter_code: str) -> type[BaseModel]:
        """The pydantic model of a matter's form (every field optional: a draft may be incomplete)."""
        if matter_code not in self._models:
            defs: dict[str, Any] = {}
            for f in self.fields(matter_code):
                py = _PY_TYPES.get(f.type, str)
                if f.month_ok:  # "1987-07": a year and month is a whole answer to 哪年哪月
                    py = py | YearMonth
                defs[f.id] = (py | None, Field(None, title=f.label, description=f.help or None))
            self._models[matter_code] = create_model(f"Form_{matter_code}", **defs)
        return self._models[matter_code]
