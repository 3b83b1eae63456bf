"""Typed model of a 办事指南 (MatterGuide) and its parts: the one shape all knowledge takes."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

GUIDE_ID_RE = re.compile(r"^(?P<matter>[0-9A-Z]{6,16})-(?P<region>\d{6})$")
REGION_CODE_RE = re.compile(r"^\d{6}$")


class _Strict(BaseModel):
    """Base for knowledge models: unknown keys are an error, so typos in YAML are caught."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Audience(StrEnum):
    PERSON = "个人"
    LEGAL_ENTITY = "法人"


class Necessity(StrEnum):
    """The portal's material necessity code (`clbyx`): "1" required; "2" needed only in the situation its
    note (`tbxz`) names; "3" may be handed in later (容缺后补): the national guide standard's third value,
    and what the notes of the portal's code-3 materials say where they say anything ("若以个人承诺方式备案，
    需6个月内补齐资料"). Anything else is kept as 其他."""

    REQUIRED = "必要"
    SITUATIONAL = "情形"  # portal code 2
    DEFERRABLE = "容缺后补"  # portal code 3
    OTHER = "其他"


class Section(StrEnum):
    """Sections of a guide; each becomes one retrieval chunk (FAQ: one chunk per entry)."""

    OVERVIEW = "overview"
    CONDITIONS = "conditions"
    MATERIALS = "materials"
    PROCESS = "process"
    TIME_LIMIT = "time_limit"
    LOCATIONS = "locations"
    CONTACTS = "contacts"
    FEE = "fee"
    ONLINE_ENTRY = "online_entry"
    LINKED_MATTERS = "linked_matters"
    FAQ = "faq"
    LEGAL_BASIS = "legal_basis"
    REFERENCE = "reference"  # unstructured text from a plain document


SECTION_LABELS: dict[Section, str] = {
    Section.OVERVIEW: "概述",
    Section.CONDITIONS: "受理条件",
    Section.MATERIALS: "申请材料",
    Section.PROCESS: "办理流程",
    Section.TIME_LIMIT: "办理时限",
    Section.LOCATIONS: "办理地点",
    Section.CONTACTS: "咨询电话",
    Section.FEE: "收费标准",
    Section.ONLINE_ENTRY: "网上办理",
    Section.LINKED_MATTERS: "联办事项",
    Section.FAQ: "常见问题",
    Section.LEGAL_BASIS: "设定依据",
    Section.REFERENCE: "参考资料",
}


class Condition(_Strict):
    title: str = Field("", description="短标题；门户未给出时为空")
    text: str = Field(..., min_length=1, description="受理条件原文要点")


class Material(_Strict):
    name: str = Field(..., min_length=1, description="材料名称（与门户一致）")
    necessity: Necessity = Field(Necessity.REQUIRED, description="必要 / 情形 / 容缺后补 / 其他")
    situation: str = Field("", description="需要提交的情形或填写说明")
    source: str = Field("", description="材料来源，如 申请人自备、政府部门核发")
    copies: int | None = Field(None, ge=0, description="纸质份数")
    waiver: str = Field("", description="免提交说明（如 由系统自动生成、通过电子证照免提交）")
    legal_basis: str = Field("", description="要求提供的依据")

    @property
    def required(self) -> bool:
        return self.necessity == Necessity.REQUIRED


class LinkedMatter(_Strict):
    name: str = Field(..., min_length=1)
    promised_days: float | None = Field(None, ge=0, description="承诺办结时限（工作日）")
    result: str = Field("", description="办理结果（证照、批文名称）")


class Location(_Strict):
    name: str = Field(..., min_length=1)
    address: str = ""
    hours: str = ""


class Contact(_Strict):
    consultation: list[str] = Field(default_factory=list, description="咨询电话")
    complaint: list[str] = Field(default_factory=list, description="监督投诉电话")
    consultation_address: str = Field("", description="咨询地点（门户标准指南的 zxdz）")
    complaint_address: str = Field("", description="监督投诉地点（门户标准指南的 jdtsdz）")


class EntryLink(_Strict):
    """A web address the portal gives for the matter besides the online entry."""

    kind: str = Field(
        ...,
        min_length=1,
        description="电脑端入口 / 移动端入口 / 自助终端入口 / 线下窗口链接 / 咨询页面 / 投诉页面",
    )
    url: str = Field(..., min_length=1)


class FeeItem(_Strict):
    name: str
    standard: str = ""
    basis: str = ""
    applies_to: str = Field("", description="收费所属的单项事项")


class Fee(_Strict):
    charged: bool = False
    items: list[FeeItem] = Field(default_factory=list)


class FAQ(_Strict):
    question: str = Field(..., min_length=1)
    answer: str = Field(..., min_length=1)


class Source(_Strict):
    origin: str = Field(..., description="来源，如 湖南省政务服务网（门户数据）")
    portal_guide_id: str = Field("", description="门户 basicInfo 中的指南编号")
    portal_index_id: str = Field("", description="门户发布清单（INDEX.tsv 第 4 列）中的指南编号")
    url: str = ""
    updated: date | None = Field(None, description="指南更新日期（各节中最新的）")
    section_updated: dict[str, date] = Field(
        default_factory=dict, description="各节的更新日期（来源记录的 gxsj），键为章节名"
    )
    imported: date | None = None
    flags: list[str] = Field(default_factory=list, description="数据质量提示，如 内容疑似来自其他地区")


class ReformEffect(_Strict):
    """Before/after numbers the portal publishes for the reform (改革成效)."""

    days_before: float | None = None
    days_after: float | None = None
    materials_before: float | None = None
    materials_after: float | None = None
    trips_before: float | None = None
    trips_after: float | None = None
    steps_before: float | None = None
    steps_after: float | None = None


class MatterGuide(_Strict):
    id: str = Field(..., description="<matter_code>-<region_code>，如 43PCN0009-430100")
    matter_code: str = Field(..., pattern=r"^[0-9A-Z]{6,16}$")
    region_code: str = Field(..., pattern=r"^\d{6}$", description="GB/T 2260 六位行政区划代码")
    region_name: str = Field(..., min_length=1)
    name: str = Field(..., min_length=1)
    aliases: list[str] = Field(default_factory=list, description="群众口语叫法")
    summary: str = Field("", description="一两句话概述（本项目自己的表述）")
    audience: Audience = Audience.PERSON
    lead_department: str = ""
    cooperating_departments: list[str] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    linked_matters: list[LinkedMatter] = Field(default_factory=list)
    promised_days: float | None = Field(None, ge=0, description="整件事承诺办结时限（工作日）")
    fee: Fee = Field(default_factory=Fee)
    process: list[str] = Field(default_factory=list, description="办理流程，按步骤")
    online: str = Field("", description="网办程度，如 可全程网办")
    offline: str = Field("", description="线下办理说明")
    visits: int | None = Field(None, ge=0, description="到现场次数")
    delivery: str = Field("", description="结果送达方式")
    locations: list[Location] = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    online_entry: str = Field("", description="网上办理入口 URL")
    links: list[EntryLink] = Field(default_factory=list, description="门户给出的其他网址")
    faqs: list[FAQ] = Field(default_factory=list)
    legal_basis: list[str] = Field(default_factory=list)
    reform: ReformEffect | None = None
    source: Source

    @field_validator("aliases", "cooperating_departments", "legal_basis")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        seen: list[str] = []
        for v in values:
            v = v.strip()
            if v and v not in seen:
                seen.append(v)
        return seen

    @model_validator(mode="after")
    def _id_matches_codes(self) -> MatterGuide:
        expected = f"{self.matter_code}-{self.region_code}"
        if self.id != expected:
            raise ValueError(f"id 应为 {expected}（matter_code-region_code），实际为 {self.id}")
        return self

    @property
    def updated_at(self) -> str:
        return self.source.updated.isoformat() if self.source.updated else ""

    @property
    def required_materials(self) -> list[Material]:
        return [m for m in self.materials if m.necessity == Necessity.REQUIRED]

    @property
    def situational_materials(self) -> list[Material]:
        return [m for m in self.materials if m.necessity != Necessity.REQUIRED]


class ReferenceDoc(_Strict):
    """An unstructured document imported as reference text, tied to a matter when one is named."""

    id: str
    title: str
    text: str
    matter_code: str | None = None
    region_code: str | None = None
    source_path: str = ""
    updated: date | None = None


def region_code_from_portal(area_code: str) -> str:
    """Turn the portal's 12-digit area code into a 6-digit GB/T 2260 code.

    A district keeps its first six digits (430102999000 -> 430102); the portal writes a city as
    xxxx01000000, which stands for the city itself (430101000000 -> 430100).
    """
    code = area_code.strip()
    if not re.fullmatch(r"\d{12}", code):
        raise ValueError(f"门户区划代码应为 12 位数字：{area_code!r}")
    if code[4:] == "01000000":
        return code[:4] + "00"
    return code[:6]


def format_days(n: float | None) -> str:
    """5 → "5个工作日", 2.5 → "2.5个工作日", None → ""."""
    if n is None:
        return ""
    return f"{int(n) if float(n).is_integer() else n}个工作日"
