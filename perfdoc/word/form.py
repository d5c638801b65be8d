"""The 自评表 of a department: its title lines, then the layout's blocks, each a table.

Each block kind is written by one function; a department layout lists them in any
order. The indicator block is a table of its own so its header rows repeat on every
page it spans (Word repeats only a table's first rows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.sources.layout import IndicatorBlock, SectionsBlock, columns_for, fill
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
    doc.add(title_paragraph(doc.sheet, report.form_title, after_pt=form.title_after_pt))
    if form.subtitle:
        doc.add(text_paragraph(doc.sheet["cell"], fill(form.subtitle, year=report.facts.year,
                                                       unit=report.facts.unit),
                               size_pt=form.subtitle_pt,
                               jc="center" if form.subtitle_align == "center" else None,
                               after_pt=6))
    renderer = DocxRenderer(doc, report.root, diags)
    for i, block in enumerate(layout.blocks):
        if i:
            doc.add(ooxml.SEAM_PARAGRAPH)  # tables apart, so Word does not fuse them
        doc.add(_WRITERS[type(block)](block, report, doc, renderer))
    return doc


def _sections(block: SectionsBlock, report: Report, doc: WordDocument,
              renderer: DocxRenderer) -> str:
    """One column the width of the type area: a title row, then a content row, per section."""
    sheet = doc.sheet
    width = sheet.text_width
    head, plain = sheet["cell_head"], sheet["cell"]
    rows = []
    for spec in block.sections:
        section = report.sections.get(spec.key)
        if section is None:
            continue
        title = ooxml.run_xml(section.title, head.latin, head.east_asia)
        if section.hint:
            title += ooxml.run_xml(section.hint, plain.latin, plain.east_asia)
        text = renderer.render(section, width - ooxml.CELL_MARGINS)
        rows += [ooxml.Row([ooxml.Cell(width, "", plain, blocks=content, valign=None)])
                 for content in (ooxml.paragraph_xml(title, plain.style_id), text)]
    return ooxml.table([width], rows)


def _indicators(block: IndicatorBlock, report: Report, doc: WordDocument,
                renderer: DocxRenderer) -> str:
    return indicator_table(doc.sheet, columns_for(block.columns, report.depth), report,
                           heading=block.heading, total_label=block.total_label)


_WRITERS: dict[type, Callable[[Any, Report, WordDocument, DocxRenderer], str]] = {
    SectionsBlock: _sections, IndicatorBlock: _indicators}
