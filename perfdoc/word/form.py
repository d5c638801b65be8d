"""The 自评表: title, 填报单位, the section table, then the indicator table."""

from __future__ import annotations

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


def build_form(report: Report, diags: Diagnostics) -> WordDocument:
    """The form; render problems go to `diags`."""
    layout = report.layout
    form = layout.form
    doc = new_document(layout, body_pt=form.text_pt, table_pt=form.text_pt,
                       title_pt=form.title_pt)
    sheet = doc.sheet
    doc.add(title_paragraph(sheet, report.form_title, after_pt=form.unit_pt))
    doc.add(text_paragraph(sheet["cell"], form.unit_label + report.facts.unit,
                           size_pt=form.unit_pt, after_pt=6))

    # One column the width of the type area: a title row, then a content row, per section.
    width = sheet.text_width
    head, plain = sheet["cell_head"], sheet["cell"]
    renderer = DocxRenderer(doc, report.root, diags)
    rows = []
    for section in report.sections.values():
        title = ooxml.run_xml(section.title, head.latin, head.east_asia)
        if section.hint:
            title += ooxml.run_xml(section.hint, plain.latin, plain.east_asia)
        text = renderer.render(section, width - ooxml.CELL_MARGINS)
        rows += [ooxml.Row([ooxml.Cell(width, "", plain, blocks=content, valign=None)])
                 for content in (ooxml.paragraph_xml(title, plain.style_id), text)]
    doc.add(ooxml.table([width], rows))

    # The indicator block is a table of its own so its header rows repeat on every
    # page it spans (Word repeats only a table's first rows).
    doc.add(ooxml.SEAM_PARAGRAPH)
    doc.add(indicator_table(sheet, columns_for(form.columns, report.depth), report,
                            heading=form.indicator_heading, total_label=form.total_label))
    return doc
