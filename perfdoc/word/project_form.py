"""The 项目支出绩效自评表: title, year line, and the layout's blocks as bordered tables.

Each block kind is written by one function for every layout. A block yields rows
of cells whose widths are relative (mm in the layout file); the table's grid is
the union of every row's column boundaries, so a budget row and an indicator row
need not line up, and each cell spans the grid columns between its edges.
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
    BudgetBlock,
    GoalsBlock,
    HeaderBlock,
    IndicatorBlock,
    Layout,
    SignatureBlock,
    TextBlock,
    fill,
)
from perfdoc.sources.model import Section, decimal_text, percent_text
from perfdoc.sources.project_model import Project
from perfdoc.word.document import (
    Sheet,
    WordDocument,
    new_document,
    text_paragraph,
    title_paragraph,
)
from perfdoc.word.render import DocxRenderer
from perfdoc.word.tables import indicator_cells

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


def build_project_form(project: Project, root: Path, diags: Diagnostics) -> WordDocument:
    layout = project.layout
    form = layout.form
    doc = new_document(layout, body_pt=form.text_pt, table_pt=form.text_pt,
                       title_pt=form.title_pt)
    doc.add(title_paragraph(doc.sheet, form.title))
    if form.subtitle:
        doc.add(text_paragraph(doc.sheet["cell"], fill(form.subtitle, year=project.year),
                               size_pt=form.subtitle_pt, jc="center", after_pt=6))
    renderer = DocxRenderer(doc, root, diags)
    for i, rows in enumerate(form_tables(project)):
        if i:
            doc.add(ooxml.SEAM_PARAGRAPH)
        doc.add(_table(doc.sheet, rows, renderer))
    return doc


def form_tables(project: Project) -> list[list[Line]]:
    """The form's tables as rows of cells: the plan the Word writer and the preview
    both print. Word repeats only a table's first rows, so the indicator block opens
    a table of its own and its column heads repeat on every page it spans."""
    layout = project.layout
    tables: list[list[Line]] = [[]]
    for block in layout.blocks:
        if isinstance(block, IndicatorBlock) and tables[-1]:
            tables.append([])
        tables[-1].extend(_WRITERS[type(block)](block, project, layout))
    return tables


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


def _header(block: HeaderBlock, project: Project, layout: Layout) -> list[Line]:
    values = {"name": project.title, "department": project.department,
              "implementer": project.implementer, "code": project.code}
    return [Line([Slot(c.width, c.label, "cell_head") if c.label is not None
                  else Slot(c.width, values[c.field or ""], jc=None) for c in row])
            for row in block.rows]


def _budget(block: BudgetBlock, project: Project, layout: Layout) -> list[Line]:
    rate = project.execution_rate
    total = {"weight": decimal_text(block.weight),
             "rate": percent_text(rate),
             "score": decimal_text(project.budget_score),
             "reason": project.execution_reason}

    def row(name: str, amounts: dict[str, Decimal] | None) -> list[Slot]:
        cells = [Slot(block.row_label_width, name)]
        for c in block.columns:
            if c.field == "amount":
                value = amounts.get(c.key, Decimal(0)) if amounts is not None \
                    else project.amount(c.key)
                cells.append(Slot(c.width, decimal_text(value)))
            elif amounts is None:
                cells.append(Slot(c.width, total[c.field],
                                   jc=None if c.field == "reason" else "center"))
            else:  # a source row: weight and score belong to the total only
                cells.append(Slot(c.width, DASH if c.field in ("weight", "score") else ""))
        return cells

    heads = [Slot(block.row_label_width, "", "cell_head")]
    heads += [Slot(c.width, c.header, "cell_head") for c in block.columns]
    rows = [heads, row(block.total_label, None)]
    rows += [row(label, project.funds.get(key, {})) for key, label in block.sources]
    return _labelled(block.label, layout.form.label_width, rows)


def _goals(block: GoalsBlock, project: Project, layout: Layout) -> list[Line]:
    # The parts share what the label leaves of the type area, by their relative widths.
    room = (layout.page.text_width_mm - layout.form.label_width) / sum(p.width for p in block.parts)
    heads = [Slot(p.width * room, p.header, "cell_head") for p in block.parts]
    texts = [Slot(p.width * room, jc=None, part=project.parts.get(p.key)) for p in block.parts]
    return _labelled(block.label, layout.form.label_width, [heads, texts], keep=False)


def _indicators(block: IndicatorBlock, project: Project, layout: Layout) -> list[Line]:
    label_width = layout.form.label_width
    columns = block.columns
    heads = [Slot(c.width, c.header, "cell_head") for c in columns]
    data = [[Slot(c.width, d.text, jc=d.jc, vmerge=d.vmerge) for c, d in zip(columns, row, strict=True)]
            for row in indicator_cells(project.indicators, 3, columns)]
    rows = _labelled(block.label or "", label_width, [heads, *data], header_rows=1)
    rows[-1] = dataclasses.replace(rows[-1], keep_next=True)  # 总分 stays with the rows
    # 总分: the label spans the block label and every column before the weight.
    span = next((i for i, c in enumerate(columns) if c.field in ("weight", "score")),
                len(columns))
    totals = {"weight": decimal_text(project.total_weight),
              "score": decimal_text(project.total_score)}
    total = [Slot(label_width + sum(c.width for c in columns[:span]), block.total_label,
                   "cell_head")]
    total += [Slot(c.width, totals.get(c.field, "")) for c in columns[span:]]
    return rows + [Line(total)]


def _text(block: TextBlock, project: Project, layout: Layout) -> list[Line]:
    rest = layout.page.text_width_mm - block.label_width  # rows are in mm of the type area
    return [Line([Slot(block.label_width, p.header, "cell_head"),
                  Slot(rest, jc=None, part=project.parts.get(p.key))], keep=False)
            for p in block.parts]


def _signature(block: SignatureBlock, project: Project, layout: Layout) -> list[Line]:
    return [Line([Slot(1, f"{label}：{project.signatures.get(label, '')}", jc=None)
                  for label in block.cells])]


_WRITERS: dict[type, Callable[[Any, Project, Layout], list[Line]]] = {
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
