"""build/scores.xlsx: the scoring table for the finance office, as a live spreadsheet.

Same rows and merges as the report's attachment; weights and scores are numbers,
and the 合计 and the grade are formulas, so an edit in Excel still adds up. The
grid is declared here; ooxml.xlsx_package writes it.
"""

from __future__ import annotations

from datetime import datetime

from perfdoc import ooxml
from perfdoc.ooxml import Formula, column_letter
from perfdoc.sources.layout import Layout, columns_for, label_span
from perfdoc.sources.model import Report, decimal_text
from perfdoc.word.tables import CONTINUE, RESTART, budget_cells, cell_text, merge_plan


def string_literal(text: str) -> str:
    """A formula's string literal: quotes doubled, so layout text stays text."""
    return '"' + text.replace('"', '""') + '"'


def grade_formula(layout: Layout, cell: str) -> Formula:
    """=IF(E31>=90,"优",IF(E31>=80,"良",…)) from the layout's bands. The names are
    validated when the layout is read (short words) and quoted here as literals."""
    *bands, last = layout.grades
    formula = string_literal(last.name)
    for band in reversed(bands):
        formula = f"IF({cell}>={decimal_text(band.min)},{string_literal(band.name)},{formula})"
    return Formula(formula)


def build_scores_xlsx(report: Report, when: datetime) -> bytes:
    spec = report.layout.the_report
    columns = columns_for(spec.columns, report.depth)
    rows: list[list[tuple[object, str]]] = [[(c.header, "head") for c in columns]]
    merges: list[str] = []

    merged = report.depth - 1
    plan = merge_plan([i.levels for i in report.indicators], merged)
    first, last = 2, 1 + len(report.indicators)
    for row, (ind, marks) in enumerate(zip(report.indicators, plan, strict=True), start=first):
        cells: list[tuple[object, str]] = []
        for col, column in enumerate(columns, start=1):
            field, level = column.field, column.level
            if level is not None:
                mark = marks[level] if level < merged else None
                style = "center" if level < merged else "left"
                # a level column the data has no level for (a layout printing 三级指标
                # always, data of two levels) stays empty, as in the Word table
                cells.append((None if mark == CONTINUE else cell_text(ind, field, level), style))
                if mark == RESTART:  # the run ends where the next RESTART/None begins
                    end = row
                    while end - first + 1 < len(plan) and plan[end - first + 1][level] == CONTINUE:
                        end += 1
                    letter = column_letter(col)
                    merges.append(f"{letter}{row}:{letter}{end}")
            elif field in ("weight", "score", "coefficient"):
                cells.append((getattr(ind, field), "number"))
            elif field == "index":
                cells.append((row - first + 1, "center"))
            else:
                cells.append((cell_text(ind, field, None, column.header), "left"))
        rows.append(cells)

    span = label_span(columns)
    budget = budget_cells(report, columns)
    if budget is not None:  # the computed 执行率 row: inside the sums
        label, values = budget
        block = report.layout.budget
        assert block is not None
        numbers = {"weight": block.weight, "score": report.budget_score}
        rows.append([(label, "head"), *[(None, "center")] * (span - 1),
                     *[(numbers[c.field], "number") if c.field in numbers
                       else (values.get(c.field), "left") for c in columns[span:]]])
        last += 1
        if span > 1:
            merges.append(f"A{last}:{column_letter(span)}{last}")
    total_row, grade_row = last + 1, last + 2
    total: list[tuple[object, str]] = [(spec.total_label, "head")]
    total += [(None, "center")] * (len(columns) - 1)
    grade: list[tuple[object, str]] = [(spec.grade_label, "head")]
    grade += [(None, "center")] * (len(columns) - 1)
    score_cell = None
    for col, column in enumerate(columns, start=1):
        if column.field in ("weight", "score"):
            letter = column_letter(col)
            total[col - 1] = (Formula(f"SUM({letter}{first}:{letter}{last})"), "number")
            if column.field == "score":
                score_cell = f"{letter}{total_row}"
    if score_cell:
        grade[span] = (grade_formula(report.layout, score_cell), "center")
        merges.append(f"{column_letter(span + 1)}{grade_row}:"
                      f"{column_letter(len(columns))}{grade_row}")
    rows += [total, grade]
    if span > 1:
        merges += [f"A{r}:{column_letter(span)}{r}" for r in (total_row, grade_row)]

    fonts = report.layout.fonts
    return ooxml.xlsx_package(
        sheet=spec.attachment_title[:31],  # Excel's limit on sheet names
        rows=rows, merges=merges, widths=[c.width * 0.6 for c in columns],
        fonts=(fonts.body, fonts.heiti), size_pt=spec.table_pt,
        title=spec.attachment_title, creator=report.facts.unit, when=when)
