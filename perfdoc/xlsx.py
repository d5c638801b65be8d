"""build/scores.xlsx: the scoring table for the finance office, as a live spreadsheet.

Same rows and merges as the report's attachment; weights and scores are numbers,
and the 合计 and the grade are formulas, so an edit in Excel still adds up.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .layout import Layout, columns_for
from .model import Report
from .tables import CONTINUE, RESTART, merge_plan

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def grade_formula(layout: Layout, cell: str) -> str:
    """=IF(E31>=90,"优",IF(E31>=80,"良",…)) from the layout's bands."""
    *bands, last = layout.grades
    formula = f'"{last.name}"'
    for band in reversed(bands):
        formula = f'IF({cell}>={band.min},"{band.name}",{formula})'
    return "=" + formula


def build_scores_xlsx(report: Report) -> bytes:
    spec = report.layout.report
    columns = columns_for(spec.columns, report.depth)
    wb = Workbook()
    wb.properties.creator = report.facts.unit
    wb.properties.title = spec.attachment_title
    ws = wb.active
    ws.title = spec.attachment_title[:31]  # Excel's limit on sheet names

    body_font = Font(name=report.layout.fonts.body, size=spec.table_pt)
    head_font = Font(name=report.layout.fonts.heiti, size=spec.table_pt, bold=True)

    def put(row: int, col: int, value, head: bool = False, align=_CENTER):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = head_font if head else body_font
        cell.alignment = align
        cell.border = _BORDER
        return cell

    for col, column in enumerate(columns, start=1):
        put(1, col, column.header, head=True)
        ws.column_dimensions[get_column_letter(col)].width = column.width * 0.6
    ws.freeze_panes = "A2"

    merged = report.depth - 1
    plan = merge_plan([i.levels for i in report.indicators], merged)
    first, last = 2, 1 + len(report.indicators)
    starts: dict[int, int] = {}
    for row, (ind, merges) in enumerate(zip(report.indicators, plan), start=first):
        for col, column in enumerate(columns, start=1):
            field = column.field
            if field.startswith("level"):
                level = int(field[5:]) - 1
                mark = merges[level] if level < merged else None
                if mark == RESTART:
                    starts[col] = row
                if mark != CONTINUE:
                    put(row, col, ind.levels[level], align=_CENTER if level < merged else _LEFT)
                else:
                    put(row, col, None)
                    if row == last or plan[row - first + 1][level] != CONTINUE:
                        ws.merge_cells(start_row=starts[col], start_column=col,
                                       end_row=row, end_column=col)
            elif field in ("weight", "score"):
                put(row, col, getattr(ind, field)).number_format = "0.##"
            else:
                put(row, col, ind.note if field == "note" else ind.owner, align=_LEFT)

    label_span = max(sum(1 for c in columns if c.field.startswith("level")), 1)
    total_row, grade_row = last + 1, last + 2
    for row, label in ((total_row, spec.total_label), (grade_row, spec.grade_label)):
        put(row, 1, label, head=True)
        for col in range(2, len(columns) + 1):
            put(row, col, None)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=label_span)
    score_cell = None
    for col, column in enumerate(columns, start=1):
        if column.field in ("weight", "score"):
            letter = get_column_letter(col)
            put(total_row, col, f"=SUM({letter}{first}:{letter}{last})").number_format = "0.##"
            if column.field == "score":
                score_cell = f"{letter}{total_row}"
    if score_cell:
        put(grade_row, label_span + 1, grade_formula(report.layout, score_cell))
        ws.merge_cells(start_row=grade_row, start_column=label_span + 1, end_row=grade_row,
                       end_column=len(columns))

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
