"""The 评价报告: the sections as an official document, the scoring table as 附件."""

from __future__ import annotations

from . import ooxml
from .diagnostics import Diagnostics
from .document import add_title, new_document
from .layout import columns_for
from .model import Report
from .render import DocxRenderer
from .tables import write_indicator_table


def build_report(report: Report, diags: Diagnostics):
    """The report as a python-docx Document; render problems go to `diags`."""
    spec = report.layout.report
    doc, sheet = new_document(report.layout, body_pt=spec.body_pt, table_pt=spec.table_pt,
                              title_pt=spec.title_pt, line_pt=spec.line_pt)
    body = doc._body

    add_title(body, sheet, report.report_title)
    body.add_paragraph()  # GB/T 9704: one blank line between title and text
    renderer = DocxRenderer(sheet, report.root, diags, typed_headings=True)
    heading = sheet["heading1"]
    for section in report.sections.values():
        p = body.add_paragraph(style="Heading 1")
        ooxml.add_run(p._p, section.title, heading.latin, heading.east_asia)
        renderer.render(section, body)

    # 附件说明 after the text, then the attachment on a page of its own.
    body.add_paragraph()
    note = body.add_paragraph(style="Normal")
    plain = sheet["body"]
    ooxml.add_run(note._p, f"{spec.attachment_label}：{spec.attachment_title}",
                  plain.latin, plain.east_asia)

    label = body.add_paragraph(style="PD Label")
    label.paragraph_format.page_break_before = True
    role = sheet["label"]
    ooxml.add_run(label._p, spec.attachment_label, role.latin, role.east_asia)
    add_title(body, sheet, spec.attachment_title)
    body.add_paragraph()

    write_indicator_table(body._element, sheet, columns_for(spec.columns, report.depth),
                          report, heading=None, total_label=spec.total_label,
                          grade_label=spec.grade_label)
    return doc
