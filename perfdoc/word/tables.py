"""The indicator table, declared as data and written in one pass.

As in R's flextable, merges follow from the data: consecutive rows with the same
first-level name (and, for three levels, the same second-level name under it)
merge vertically. The plan is computed first, then every row is written once,
keeping row elements, so a table of thousands of rows stays linear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from perfdoc import ooxml
from perfdoc.sources.layout import Column, label_span
from perfdoc.sources.model import BUDGET_ROW, Form, Indicator, decimal_text, percent_text
from perfdoc.sources.targets import parse_actual, parse_target
from perfdoc.word.document import Sheet

RESTART, CONTINUE = "restart", "continue"


def merge_plan(keys: Sequence[tuple[str, ...]], merged_levels: int) -> list[list[str | None]]:
    """Per row, per merged level: "restart", "continue" or None (a cell of its own).

    Level k merges over a run of rows whose first k+1 names are equal, so a
    second-level run never crosses a first-level boundary.
    """
    plan: list[list[str | None]] = [[None] * merged_levels for _ in keys]
    for level in range(merged_levels):
        start = 0
        for i in range(1, len(keys) + 1):
            if i < len(keys) and keys[i][: level + 1] == keys[start][: level + 1]:
                continue
            if i - start > 1:
                plan[start][level] = RESTART
                for j in range(start + 1, i):
                    plan[j][level] = CONTINUE
            start = i
    return plan


def column_widths(columns: Sequence[Column], total: int) -> list[int]:
    """Relative widths scaled to `total` twips; the last column takes the rounding."""
    weight = sum(c.width for c in columns)
    widths = [int(total * c.width / weight) for c in columns]
    widths[-1] = total - sum(widths[:-1])
    return widths


def cell_text(ind: Indicator, field: str, level: int | None, header: str = "") -> str:
    if level is not None:
        return ind.levels[level] if level < len(ind.levels) else ""
    if field in ("weight", "score"):
        return decimal_text(getattr(ind, field))
    if field == "text":
        return ind.text(header)
    if field == "coefficient":
        return decimal_text(ind.coefficient) if ind.coefficient is not None else ""
    if field in ("note", "owner", "target", "actual", "adjusted"):
        return getattr(ind, field)
    # The Sichuan form prints the target split: 指标性质 · 指标值 · 度量单位 · 完成值.
    target = parse_target(ind.target)
    if field == "nature":
        return target.nature
    if target.op is None:  # qualitative: the words stand in the value columns
        return {"target_value": ind.target, "unit": "", "actual_value": ind.actual}[field]
    if field == "target_value":
        return decimal_text(target.number)
    if field == "unit":
        return target.unit
    actual = parse_actual(ind.actual, target)
    return decimal_text(actual) if actual is not None else ind.actual


# Alignment per field; level columns are decided by whether they merge.
_ALIGN = {"note": None, "text": None, "index": "center", "coefficient": "center",
          "adjusted": "center",
          "owner": "center", "weight": "center", "score": "center",
          "target": "center", "actual": "center", "nature": "center",
          "target_value": "center", "unit": "center", "actual_value": "center"}


class CellData(NamedTuple):
    """One indicator cell before it has a width: what it says and how it sits."""

    text: str
    jc: str | None
    vmerge: str | None


def indicator_cells(indicators: Sequence[Indicator], depth: int,
                    columns: Sequence[Column]) -> list[list[CellData]]:
    """Every data row of an indicator table, merges planned from the data; the Word
    table writers (department and project forms) and only they print these."""
    merged_levels = depth - 1  # the last level names one indicator: never merged
    plan = merge_plan([i.levels for i in indicators], merged_levels)
    # Per column: its field, its level, and whether that level merges.
    specs = [(c.field, c.level, c.level is not None and c.level < merged_levels, c.header)
             for c in columns]
    rows = []
    for n, (ind, merges) in enumerate(zip(indicators, plan, strict=True), start=1):
        cells = []
        for field, level, merging, header in specs:
            vmerge = merges[level] if merging and level is not None else None
            text = ("" if vmerge == CONTINUE else str(n) if field == "index"
                    else cell_text(ind, field, level, header))
            # merged group names centre; the leaf names read as text
            jc = _ALIGN[field] if level is None else "center" if merging else None
            cells.append(CellData(text, jc, vmerge))
        rows.append(cells)
    return rows


def budget_cells(form: Form, columns: Sequence[Column]) -> tuple[str, dict[str, str]] | None:
    """The row a scoring table gives the budget block's 执行率, so the table adds up to its
    总分: its label and, by field, weight, score and the rate as a note. (A project's form
    prints its budget in its own block and its indicators on the grid: no scoring table.)"""
    block = form.layout.budget
    if block is None:
        return None
    rate = percent_text(form.execution_rate, "—")
    return BUDGET_ROW, {"weight": decimal_text(block.weight),
                         "score": decimal_text(form.budget_score),
                         "note": f"{block.spent}÷{block.budget} = {rate}"}


def indicator_table(sheet: Sheet, columns: Sequence[Column], report: Form, *,
                    heading: str | None, total_label: str,
                    grade_label: str | None = None) -> str:
    """The indicator table, as text.

    `heading` is a title row above the column headers; `grade_label` adds a row
    with the grade after the 合计 row.
    """
    indicators, depth = report.indicators, report.depth
    widths = column_widths(columns, sheet.text_width)
    head, cell = sheet["cell_head"], sheet["cell"]
    rows: list[ooxml.Row] = []

    if heading:
        rows.append(ooxml.Row([ooxml.Cell(sum(widths), heading, head, "center",
                                          span=len(widths))], header=True))
    rows.append(ooxml.Row([ooxml.Cell(w, c.header, head, "center")
                           for c, w in zip(columns, widths, strict=True)], header=True))

    data_rows = indicator_cells(indicators, depth, columns)
    span = label_span(columns)
    budget = budget_cells(report, columns)
    for n, data in enumerate(data_rows, start=1):
        # The last row stays with 合计 below it: totals never open a page alone.
        rows.append(ooxml.Row([ooxml.Cell(width, d.text, cell, d.jc, vmerge=d.vmerge)
                               for d, width in zip(data, widths, strict=True)], keep=True,
                              keep_next=n == len(data_rows)))
    if budget is not None:  # the computed 执行率 row, so the table adds up to its 合计
        label, values = budget
        rows.append(ooxml.Row(
            [ooxml.Cell(sum(widths[:span]), label, head, "center", span=span)]
            + [ooxml.Cell(w, values.get(c.field, ""), cell, "center")
               for c, w in zip(columns[span:], widths[span:], strict=True)], keep=True,
            keep_next=True))

    # 合计: the label spans the leading level columns; sums are computed, never typed.
    totals = {"weight": decimal_text(report.total_weight),
              "score": decimal_text(report.total_score)}
    rows.append(ooxml.Row(
        [ooxml.Cell(sum(widths[:span]), total_label, head, "center", span=span)]
        + [ooxml.Cell(w, totals.get(c.field, ""), cell, "center")
           for c, w in zip(columns[span:], widths[span:], strict=True)], keep=True,
        keep_next=bool(grade_label)))
    if grade_label:
        rows.append(ooxml.Row([
            ooxml.Cell(sum(widths[:span]), grade_label, head, "center", span=span),
            ooxml.Cell(sum(widths[span:]), report.grade, cell, "center",
                       span=len(widths) - span)], keep=True))
    return ooxml.table(widths, rows)
