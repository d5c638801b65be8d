"""The 评价报告: the sections as an official document, the scoring table as 附件."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.sources.layout import columns_for
from perfdoc.sources.model import Report
from perfdoc.word.document import (
    WordDocument,
    new_document,
    text_paragraph,
    title_paragraph,
)
from perfdoc.word.render import DocxRenderer
from perfdoc.word.tables import indicator_table


def build_report(report: Report, diags: Diagnostics) -> WordDocument:
    """The report; render problems go to `diags`."""
    spec = report.layout.the_report
    doc = new_document(report.layout, body_pt=spec.body_pt, table_pt=spec.table_pt,
                       title_pt=spec.title_pt, line_pt=spec.line_pt)
    sheet = doc.sheet

    def paragraph(role_name: str, text: str = "", **props: Any) -> None:
        doc.add(text_paragraph(sheet[role_name], text, **props))

    doc.add(title_paragraph(sheet, report.report_title))
    paragraph("body")  # GB/T 9704: one blank line between title and text
    renderer = DocxRenderer(doc, report.root, diags, typed_headings=True,
                            demote_headings=spec.demote_headings)
    for section in report.sections.values():
        paragraph("heading1", section.title)
        doc.add(renderer.render(section))

    # 附件说明 after the text, then the attachment on a page of its own.
    paragraph("body")
    paragraph("body", f"{spec.attachment_label}：{spec.attachment_title}")
    if report.facts.date:
        _signature(paragraph, report.facts.unit, report.facts.date, sheet["body"].size_pt)
    paragraph("label", spec.attachment_label, page_break=True)
    doc.add(title_paragraph(sheet, spec.attachment_title))
    paragraph("body")

    doc.add(indicator_table(sheet, columns_for(spec.columns, report.depth), report,
                            heading=None, total_label=spec.total_label,
                            grade_label=spec.grade_label))
    return doc


def _width(text: str) -> float:
    """Width in Chinese characters: digits and Latin letters are half a character."""
    return sum(0.5 if ord(ch) < 0x2e80 else 1 for ch in text)


def _signature(paragraph: Callable[..., None], unit: str, date: datetime.date,
               size_pt: float) -> None:
    """署名 and 成文日期 (GB/T 9704 7.3.5.1): after two blank lines, the date right-aligned
    four characters in from the margin, the unit centred above the date."""
    dated = f"{date.year}年{date.month}月{date.day}日"
    inset = 4 + (_width(dated) - _width(unit)) / 2
    paragraph("body")
    paragraph("body")
    for text, chars in ((unit, max(inset, 0)), (dated, 4)):
        paragraph("body", text, jc="right", ind=ooxml.indent_right(chars, size_pt))
