"""Every form: its title lines, then the layout's blocks as bordered tables.

One writer for department and project forms, one function per block kind. Most
blocks yield rows of cells whose widths are relative (mm in the layout file), and
consecutive such blocks share a table: its grid is the union of every row's column
boundaries, so a budget row and an indicator row need not line up, and each cell spans
the grid columns between its edges. A labelled indicator block opens a table of its
own (Word repeats only a table's first rows, so its column heads repeat on every page
it spans). Two blocks are tables of their own shape: `sections` (a full-width title
row and text row per section) and an indicator block with a `heading` row (the
Jiangsu form), whose columns are scaled to the type area.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.sources.layout import (
    Block,
    BudgetBlock,
    GoalsBlock,
    HeaderBlock,
    IndicatorBlock,
    Layout,
    SectionsBlock,
    SignatureBlock,
    TextBlock,
    columns_for,
)
from perfdoc.sources.model import Form, Section, decimal_text, percent_text
from perfdoc.sources.money import WAN, Money
from perfdoc.word.document import (
    Sheet,
    WordDocument,
    new_document,
    text_paragraph,
    title_paragraph,
)
from perfdoc.word.render import DocxRenderer
from perfdoc.word.tables import indicator_cells, indicator_table

DASH = "—"
SNAP = 57  # twips (1 mm): column edges closer than this are one edge


@dataclass(frozen=True)
class Slot:
    width: float  # relative to the other cells of its row
    text: str = ""
    role: str = "cell"  # cell | cell_head
    jc: str | None = "center"
    vmerge: str | None = None
    part: Section | None = None  # Markdown rendered into the cell


@dataclass(frozen=True)
class Line:
    cells: list[Slot]
    header: bool = False
    keep: bool = True  # rows of Markdown text may be long: those may break
    keep_next: bool = False  # on the page of the row below (the last row before 总分)


def build_form(form: Form, root: Path, diags: Diagnostics) -> WordDocument:
    """The form of a department (the 自评表) or of a project; render problems go to `diags`."""
    layout = form.layout
    spec = layout.form
    doc = new_document(layout, body_pt=spec.text_pt, table_pt=spec.text_pt,
                       title_pt=spec.title_pt)
    doc.add(title_paragraph(doc.sheet, form.form_title, after_pt=spec.title_after_pt))
    if spec.subtitle:
        doc.add(text_paragraph(doc.sheet["cell"], form.subtitle, size_pt=spec.subtitle_pt,
                               jc="center" if spec.subtitle_align == "center" else None,
                               after_pt=6))
    renderer = DocxRenderer(doc, root, diags)
    for i, table in enumerate(form_tables(form)):
        if i:
            doc.add(ooxml.SEAM_PARAGRAPH)  # tables apart, so Word does not fuse them
        if isinstance(table, SectionsBlock):
            doc.add(_sections_table(table, form, doc.sheet, renderer))
        elif isinstance(table, IndicatorBlock):
            doc.add(indicator_table(doc.sheet, columns_for(table.columns, form.depth), form,
                                    heading=table.heading, total_label=table.total_label))
        else:
            doc.add(_table(doc.sheet, table, renderer))
    return doc


Table = list["Line"] | SectionsBlock | IndicatorBlock


def standalone(block: Block) -> bool:
    """Blocks that are a table of their own shape, not rows on a shared grid."""
    return isinstance(block, SectionsBlock) or (isinstance(block, IndicatorBlock)
                                                and block.label is None)


def form_tables(form: Form) -> list[Table]:
    """The form's tables, the plan the Word writer and the preview both print: rows of
    cells for the grid blocks, and the standalone blocks as they are."""
    layout = form.layout
    tables: list[Table] = []
    for block in layout.blocks:
        if standalone(block):
            tables.append(block)  # type: ignore[arg-type]  # standalone: one of the two
            continue
        if not tables or not isinstance(tables[-1], list) or (
                isinstance(block, IndicatorBlock) and tables[-1]):
            tables.append([])
        grid_rows = tables[-1]
        assert isinstance(grid_rows, list)
        grid_rows.extend(_WRITERS[type(block)](block, form, layout))
    return tables


def _sections_table(block: SectionsBlock, form: Form, sheet: Sheet,
                    renderer: DocxRenderer) -> str:
    """One column the width of the type area: a title row, then a text row, per section."""
    width = sheet.text_width
    head, plain = sheet["cell_head"], sheet["cell"]
    rows = []
    for spec in block.sections:
        section = form.parts.get(spec.key)
        if section is None:
            continue
        title = ooxml.run_xml(section.title, head.latin, head.east_asia)
        if section.hint:
            title += ooxml.run_xml(section.hint, plain.latin, plain.east_asia)
        text = renderer.render(section, width - ooxml.CELL_MARGINS)
        rows += [ooxml.Row([ooxml.Cell(width, "", plain, blocks=content, valign=None)])
                 for content in (ooxml.paragraph_xml(title, plain.style_id), text)]
    return ooxml.table([width], rows)


# ---------------------------------------------------------------- block writers


def _labelled(label: str, width: float, rows: list[list[Slot]], header_rows: int = 0,
              keep: bool = True) -> list[Line]:
    """Rows behind a block label that runs down the left edge (vertically merged)."""
    out = []
    for i, cells in enumerate(rows):
        first = Slot(width, label if i == 0 else "", "cell_head",
                      vmerge=("restart" if i == 0 else "continue") if len(rows) > 1 else None)
        out.append(Line([first, *cells], header=i < header_rows, keep=keep))
    return out


def _header(block: HeaderBlock, form: Form, layout: Layout) -> list[Line]:
    values = form.header_values
    return [Line([Slot(c.width, c.label, "cell_head") if c.label is not None
                  else Slot(c.width, values.get(c.field or "", ""), jc=None) for c in row])
            for row in block.rows]


ZERO = Money(Decimal(0), WAN)  # a source that does not have the amount


def _budget(block: BudgetBlock, form: Form, layout: Layout) -> list[Line]:
    rate = form.execution_rate
    total = {"weight": decimal_text(block.weight),
             "rate": percent_text(rate),
             "score": decimal_text(form.budget_score),
             "reason": form.execution_reason}

    def row(name: str, amounts: dict[str, Money] | None) -> list[Slot]:
        cells = [Slot(block.row_label_width, name)]
        for c in block.columns:
            if c.field == "amount":  # the block prints 万元
                value = amounts.get(c.key, ZERO) if amounts is not None else form.amount(c.key)
                cells.append(Slot(c.width, decimal_text(value.wan)))
            elif amounts is None:
                cells.append(Slot(c.width, total[c.field],
                                   jc=None if c.field == "reason" else "center"))
            else:  # a source row: weight and score belong to the total only
                cells.append(Slot(c.width, DASH if c.field in ("weight", "score") else ""))
        return cells

    heads = [Slot(block.row_label_width, "", "cell_head")]
    heads += [Slot(c.width, c.header, "cell_head") for c in block.columns]
    rows = [heads, row(block.total_label, None)]
    rows += [row(label, form.funds.get(key, {})) for key, label in block.sources]
    return _labelled(block.label, layout.form.label_width, rows)


def _goals(block: GoalsBlock, form: Form, layout: Layout) -> list[Line]:
    # The parts share what the label leaves of the type area, by their relative widths.
    room = (layout.page.text_width_mm - layout.form.label_width) / sum(p.width for p in block.parts)
    heads = [Slot(p.width * room, p.header, "cell_head") for p in block.parts]
    texts = [Slot(p.width * room, jc=None, part=form.parts.get(p.key)) for p in block.parts]
    return _labelled(block.label, layout.form.label_width, [heads, texts], keep=False)


def _indicators(block: IndicatorBlock, form: Form, layout: Layout) -> list[Line]:
    label_width = layout.form.label_width
    columns = block.columns
    heads = [Slot(c.width, c.header, "cell_head") for c in columns]
    data = [[Slot(c.width, d.text, jc=d.jc, vmerge=d.vmerge) for c, d in zip(columns, row, strict=True)]
            for row in indicator_cells(form.indicators, form.depth, columns)]
    rows = _labelled(block.label or "", label_width, [heads, *data], header_rows=1)
    rows[-1] = dataclasses.replace(rows[-1], keep_next=True)  # 总分 stays with the rows
    # 总分: the label spans the block label and every column before the weight.
    span = next((i for i, c in enumerate(columns) if c.field in ("weight", "score")),
                len(columns))
    totals = {"weight": decimal_text(form.total_weight),
              "score": decimal_text(form.total_score)}
    total = [Slot(label_width + sum(c.width for c in columns[:span]), block.total_label,
                   "cell_head")]
    total += [Slot(c.width, totals.get(c.field, "")) for c in columns[span:]]
    return rows + [Line(total)]


def _text(block: TextBlock, form: Form, layout: Layout) -> list[Line]:
    rest = layout.page.text_width_mm - block.label_width  # rows are in mm of the type area
    return [Line([Slot(block.label_width, p.header, "cell_head"),
                  Slot(rest, jc=None, part=form.parts.get(p.key))], keep=False)
            for p in block.parts]


def _signature(block: SignatureBlock, form: Form, layout: Layout) -> list[Line]:
    return [Line([Slot(1, f"{label}：{form.signatures.get(label, '')}", jc=None)
                  for label in block.cells])]


_WRITERS: dict[type, Callable[[Any, Form, Layout], list[Line]]] = {
    HeaderBlock: _header, BudgetBlock: _budget, GoalsBlock: _goals,
            IndicatorBlock: _indicators, TextBlock: _text, SignatureBlock: _signature}


# ---------------------------------------------------------------- grid


def _edges(row: Line, total: int) -> list[int]:
    """A row's column edges in twips, the row scaled to `total`."""
    whole = sum(c.width for c in row.cells)
    edges, run = [0], 0.0
    for c in row.cells:
        run += c.width
        edges.append(round(total * run / whole))
    return edges


def grid(rows: list[Line], total: int) -> tuple[list[int], list[list[int]]]:
    """The table grid (column widths) and, per row, each cell's first grid column."""
    edges = [_edges(r, total) for r in rows]
    lines: list[int] = []
    for edge in sorted({e for row in edges for e in row}):
        if not lines or edge - lines[-1] >= SNAP:
            lines.append(edge)
    lines[-1] = total

    def nearest(edge: int) -> int:
        i = bisect.bisect_left(lines, edge)
        if i == len(lines) or i and edge - lines[i - 1] <= lines[i] - edge:
            return i - 1
        return i
    starts = [[nearest(e) for e in row] for row in edges]
    widths = [b - a for a, b in itertools.pairwise(lines)]
    return widths, starts


def _table(sheet: Sheet, rows: list[Line], renderer: DocxRenderer) -> str:
    widths, starts = grid(rows, sheet.text_width)
    out = []
    for row, edge in zip(rows, starts, strict=True):
        cells = []
        for c, cell in enumerate(row.cells):
            a, b = edge[c], max(edge[c + 1], edge[c] + 1)
            width = sum(widths[a:b])
            blocks = (renderer.render(cell.part, width - ooxml.CELL_MARGINS)
                      if cell.part is not None else None)
            cells.append(ooxml.Cell(width, cell.text, sheet[cell.role], cell.jc,
                                    span=b - a, vmerge=cell.vmerge, blocks=blocks))
        out.append(ooxml.Row(cells, header=row.header, keep=row.keep, keep_next=row.keep_next))
    return ooxml.table(widths, out)
