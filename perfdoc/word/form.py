"""The 自评表: title, 填报单位, the section table, then the indicator table."""

from __future__ import annotations

from docx.table import Table, _Cell

from perfdoc import ooxml
from perfdoc.rules.diagnostics import Diagnostics
from perfdoc.sources.layout import columns_for
from perfdoc.sources.model import Report
from perfdoc.word.document import add_text, add_title, new_document
from perfdoc.word.render import DocxRenderer
from perfdoc.word.tables import write_indicator_table


def build_form(report: Report, diags: Diagnostics):
    """The form as a python-docx Document; render problems go to `diags`."""
    layout = report.layout
    form = layout.form
    doc, sheet = new_document(layout, body_pt=form.text_pt, table_pt=form.text_pt,
                              title_pt=form.title_pt)
    body = doc._body

    ooxml.space_after(add_title(body, sheet, report.form_title), form.unit_pt)
    unit = add_text(body._element, sheet["cell"], form.unit_label + report.facts.unit,
                    size_pt=form.unit_pt)
    ooxml.space_after(unit, 6)

    # One column the width of the type area: a title row, then a content row, per section.
    tbl = ooxml.new_table(body._element, [sheet.text_width])
    proxy = Table(tbl, body)
    head, plain = sheet["cell_head"], sheet["cell"]
    renderer = DocxRenderer(sheet, report.root, diags)
    for section in report.sections.values():
        tc = ooxml.add_cell(ooxml.add_row(tbl), sheet.text_width)
        p = ooxml.new_paragraph(tc, plain.style_id)
        ooxml.add_run(p, section.title, head.latin, head.east_asia)
        if section.hint:
            ooxml.add_run(p, section.hint, plain.latin, plain.east_asia)
        tc = ooxml.add_cell(ooxml.add_row(tbl), sheet.text_width)
        renderer.render(section, _Cell(tc, proxy), sheet.text_width - ooxml.CELL_MARGINS)

    # The indicator block is a table of its own so its header rows repeat on every
    # page it spans (Word repeats only a table's first rows).
    ooxml.seam_paragraph(body._element)
    write_indicator_table(body._element, sheet, columns_for(form.columns, report.depth), report,
                          heading=form.indicator_heading, total_label=form.total_label)
    return doc
