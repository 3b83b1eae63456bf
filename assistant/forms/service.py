"""Form drafts: fill from the conversation, validate, ask for what is missing, accept corrections, render."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.forms.extract import CORRECTION_RE, value_from_reply
from assistant.forms.reading import read_conversation
from assistant.forms.spec import FormCatalog
from assistant.forms.validate import DOCUMENTS, check_document, check_field, cross_checks
from assistant.guides.schema import MatterGuide

RESIDENT_ID = "居民身份证"

LABEL_SYNONYMS = {
    "phone": ["手机号", "手机", "电话", "联系电话", "号码"],
    "id_number": ["身份证号", "身份证", "证件号"],
    "name": ["名字", "姓名"],
    "address": ["地址", "住址"],
    "date": ["日期", "生日"],
    "uscc": ["信用代码", "统一社会信用代码"],
}


class FieldValue(BaseModel):
    value: str | float | None = None
    origin: Literal["conversation", "eligibility", "user", "default"] = "conversation"
    source: str = Field("", description="the message the value came from")
    problem: str | None = None


class FormDraft(BaseModel):
    matter_code: str
    title: str
    values: dict[str, FieldValue] = Field(default_factory=dict)
    pending_field: str | None = None


class FieldIssue(BaseModel):
    field: str
    label: str
    question: str
    problem: str = ""


class FormReport(BaseModel):
    matter_code: str
    title: str
    data: dict[str, Any]
    filled: list[dict[str, Any]]
    missing: list[FieldIssue]
    invalid: list[FieldIssue]
    materials_to_upload: list[str]
    materials_waived: list[dict[str, str]]
    complete: bool


class FormService:
    def __init__(self, catalog: FormCatalog):
        self.catalog = catalog

    def has_form(self, matter_code: str) -> bool:
        return matter_code in self.catalog.forms

    # -- filling --------------------------------------------------------------------------------
    def build(
        self,
        matter_code: str,
        messages: list[str],
        eligibility: dict[str, Any] | None = None,
        today: date | None = None,
        llm=None,
    ) -> FormDraft:
        """Fill a draft from the conversation: deterministic extractors first; with a chat model (`llm`),
        the model may fill fields they missed, but only with values stated in some message."""
        spec = self.catalog.forms[matter_code]
        fields = self.catalog.fields(matter_code)
        draft = FormDraft(matter_code=matter_code, title=spec.title)
        for f in fields:
            if f.default is not None:
                draft.values[f.id] = FieldValue(value=f.default, origin="default")
            if eligibility and f.id in eligibility and eligibility[f.id] is not None:
                draft.values[f.id] = FieldValue(
                    value=eligibility[f.id], origin="eligibility", source="资格预审回答"
                )
        for fid, ex in read_conversation(fields, messages, today).items():
            draft.values[fid] = FieldValue(value=ex.value, origin="conversation", source=ex.source)
        # an 18-character mainland ID number said for a person says the kind of document too (居民身份证)
        for f in fields:
            number = (
                draft.values.get(f.id.removesuffix("_type") + "_number")
                if f.id.endswith("_id_type")
                else None
            )
            kind = draft.values.get(f.id)
            if (
                number is not None
                and number.origin == "conversation"
                and (kind is None or kind.origin == "default")
                and re.fullmatch(r"\d{17}[\dXx]", str(number.value))
                and RESIDENT_ID in f.choices
            ):
                draft.values[f.id] = FieldValue(
                    value=RESIDENT_ID, origin="conversation", source=number.source
                )
        if llm is not None:
            from assistant.forms.llm_extract import llm_extract

            missing = [
                f for f in fields if f.id not in draft.values or draft.values[f.id].origin == "default"
            ]
            taken = {str(v.value) for v in draft.values.values() if v.origin != "default"}
            found = llm_extract(llm, self.catalog.model(matter_code), missing, messages, taken)
            for fid, ex in found.items():
                if fid not in draft.values or draft.values[fid].origin == "default":
                    draft.values[fid] = FieldValue(value=ex.value, origin="conversation", source=ex.source)
        self.revalidate(draft, today)
        return draft

    def revalidate(self, draft: FormDraft, today: date | None = None) -> None:
        fields = self.catalog.fields(draft.matter_code)
        by_id = {f.id: f for f in fields}
        documents: set[str] = set()  # fields holding a travel permit or passport number, not an ID card's
        for fid, fv in draft.values.items():
            fv.problem = check_field(by_id[fid], fv.value, today) if fid in by_id else None
            kind = draft.values.get(fid.removesuffix("_number") + "_type")
            if (
                fid in by_id
                and by_id[fid].type == "id_number"
                and kind is not None
                and kind.value in DOCUMENTS
            ):
                fv.problem = check_document(str(kind.value), fv.value)
                documents.add(fid)
        plain = {k: v.value for k, v in draft.values.items()}
        for fid, problem in cross_checks(plain, fields).items():
            if fid in draft.values and not draft.values[fid].problem:
                draft.values[fid].problem = problem
        # one ID number said once fills two fields (the mother who applies): wrong for one is wrong for both
        cards = [
            fid
            for fid in draft.values
            if fid in by_id and by_id[fid].type == "id_number" and fid not in documents
        ]
        flagged = {
            str(draft.values[f].value): draft.values[f].problem for f in cards if draft.values[f].problem
        }
        for fid in cards:
            fv = draft.values[fid]
            if not fv.problem and str(fv.value) in flagged:
                fv.problem = flagged[str(fv.value)]

    def next_question(self, draft: FormDraft) -> FieldIssue | None:
        """The first invalid field, else the first missing required one."""
        rep_invalid, rep_missing = self._issues(draft)
        nxt = (rep_invalid or rep_missing or [None])[0]
        draft.pending_field = nxt.field if nxt else None
        return nxt

    def set_value(
        self, draft: FormDraft, field_id: str, value: Any, source: str, today: date | None = None
    ) -> str | None:
        """Set a field (user's answer or a staff/API patch); returns the problem, if any."""
        by_id = {f.id: f for f in self.catalog.fields(draft.matter_code)}
        if field_id not in by_id:
            raise KeyError(field_id)
        draft.values[field_id] = FieldValue(value=value, origin="user", source=source)
        self.revalidate(draft, today)
        return draft.values[field_id].problem

    def answer_pending(self, draft: FormDraft, text: str, today: date | None = None) -> str | None:
        """The user's reply to the pending question. Returns a problem sentence, or None when accepted."""
        if draft.pending_field is None:
            return None
        f = next(f for f in self.catalog.fields(draft.matter_code) if f.id == draft.pending_field)
        value = value_from_reply(f, text, today)
        if value is None:
            return f"没能从您的回答中找到{f.label}。{f.ask()}"
        return self.set_value(draft, f.id, value, text, today)

    def correction(self, draft: FormDraft, text: str, today: date | None = None) -> str | None:
        """“手机号写错了，是139…”: find the field named and the new value; None when it isn't a correction."""
        if not CORRECTION_RE.search(text):
            return None
        fields = self.catalog.fields(draft.matter_code)
        target = next((f for f in fields if f.label in text), None)
        if target is None:
            for ftype, words in LABEL_SYNONYMS.items():
                if any(w in text for w in words):
                    candidates = [f for f in fields if f.type == ftype]
                    filled = [f for f in candidates if f.id in draft.values]
                    target = (filled or candidates or [None])[0]
                    break
        if target is None:
            return None
        tail = re.split(CORRECTION_RE, text)[-1]
        value = value_from_reply(target, tail, today) or value_from_reply(target, text, today)
        if value is None:
            draft.pending_field = target.id
            return f"请告诉我正确的{target.label}。"
        problem = self.set_value(draft, target.id, value, text, today)
        return problem or f"已将{target.label}更正为 {value}。"

    def _issues(self, draft: FormDraft) -> tuple[list[FieldIssue], list[FieldIssue]]:
        invalid, missing = [], []
        for f in self.catalog.fields(draft.matter_code):
            fv = draft.values.get(f.id)
            if fv is not None and fv.problem:
                invalid.append(FieldIssue(field=f.id, label=f.label, question=f.ask(), problem=fv.problem))
            elif f.required and (fv is None or fv.value in (None, "")):
                missing.append(FieldIssue(field=f.id, label=f.label, question=f.ask()))
        return invalid, missing

    def report(self, draft: FormDraft, guide: MatterGuide | None) -> FormReport:
        fields = self.catalog.fields(draft.matter_code)
        ok = {fid: fv.value for fid, fv in draft.values.items() if not fv.problem}
        data = self.catalog.model(draft.matter_code).model_validate(ok).model_dump(mode="json")
        invalid, missing = self._issues(draft)
        filled = [
            {
                "field": f.id,
                "label": f.label,
                "value": draft.values[f.id].value,
                "origin": draft.values[f.id].origin,
                "source": draft.values[f.id].source,
                "problem": draft.values[f.id].problem,
            }
            for f in fields
            if f.id in draft.values
        ]
        upload, waived = [], []
        for m in guide.materials if guide else []:
            if m.waiver:
                waived.append({"name": m.name, "waiver": m.waiver})
            elif m.required:
                upload.append(m.name)
        return FormReport(
            matter_code=draft.matter_code,
            title=draft.title,
            data=data,
            filled=filled,
            missing=missing,
            invalid=invalid,
            materials_to_upload=upload,
            materials_waived=waived,
            complete=not missing and not invalid,
        )

    def render_html(self, report: FormReport) -> str:
        fields = self.catalog.fields(report.matter_code)
        rows = []
        for f in fields:
            v = report.data.get(f.id)
            cell = html.escape(str(v)) if v not in (None, "") else "&nbsp;"
            req = "<span class='req'>*</span>" if f.required else ""
            rows.append(
                f"<tr><th>{html.escape(f.label)}{req}</th><td class='{'blank' if v in (None, '') else ''}'>{cell}</td></tr>"
            )
        waived = "".join(
            f"<li>{html.escape(w['name'])}（免提交：{html.escape(w['waiver'])}）</li>"
            for w in report.materials_waived
        )
        upload = "".join(f"<li>{html.escape(n)}</li>" for n in report.materials_to_upload)
        return (
            "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{html.escape(report.title)}</title><style>body{{font-family:sans-serif;max-width:800px;margin:2em auto}}"
            "table{width:100%;border-collapse:collapse}th,td{border:1px solid #333;padding:8px;text-align:left}"
            "th{width:35%;background:#f3f3f3}td.blank{height:1.6em}.req{color:#c00}</style></head><body>"
            f"<h1>{html.escape(report.title)}</h1><table>{''.join(rows)}</table>"
            f"<h2>需要上传的材料</h2><ul>{upload or '<li>无</li>'}</ul><h2>免提交材料</h2><ul>{waived or '<li>无</li>'}</ul>"
            "<p>申请人签字：______________　日期：______________</p></body></html>"
        )

    def render_pdf(self, report: FormReport) -> bytes:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

        if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        title = ParagraphStyle("t", fontName="STSong-Light", fontSize=16, leading=22)
        body = ParagraphStyle("b", fontName="STSong-Light", fontSize=10.5, leading=15)
        rows = [
            [
                Paragraph(html.escape(f.label) + ("*" if f.required else ""), body),
                Paragraph(html.escape(str(report.data.get(f.id) or "")), body),
            ]
            for f in self.catalog.fields(report.matter_code)
        ]
        table = Table(rows, colWidths=[150, 330], rowHeights=[24] * len(rows))
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ]
            )
        )
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=A4, title=report.title)
        story = [
            Paragraph(html.escape(report.title), title),
            Spacer(1, 10),
            table,
            Spacer(1, 12),
            Paragraph("需要上传的材料：" + html.escape("、".join(report.materials_to_upload) or "无"), body),
            Paragraph(
                "免提交材料：" + html.escape("、".join(w["name"] for w in report.materials_waived) or "无"),
                body,
            ),
            Spacer(1, 20),
            Paragraph("申请人签字：______________　日期：______________", body),
        ]
        doc.build(story)
        return buf.getvalue()
