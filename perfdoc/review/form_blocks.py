"""The blocks of a layout read back from a Word form: the header's facts, the budget
block's funds and the goals block's parts.

The form writer (word/form.py) prints each block kind from the layout's words; these
readers look for the same words, so whatever the writer prints, import reads back in
the same vocabulary. Cells are matched by their text, never by their position in the
document, so a form edited in Word (a row added above, the blocks in another table)
is still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from perfdoc import ooxml
from perfdoc.sources.layout import BudgetBlock, GoalsBlock, HeaderBlock, Layout, Part
from perfdoc.sources.model import Funds
from perfdoc.sources.money import WAN, Money

Grid = list[list[ooxml.GridCell]]

# What the header block's fields are in report.md for a department: its name is the unit.
_FACT_OF_FIELD = {"unit": "unit", "name": "unit", "department": "unit", "implementer": "unit",
                  "year": "year"}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def flat(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _cells(row: list[ooxml.GridCell]) -> list[ooxml.GridCell]:
    return [c for c in row if not c.continued]


def _rows(grids: list[Grid]) -> Iterator[list[ooxml.GridCell]]:
    for grid in grids:
        yield from grid


def header_facts(grids: list[Grid], layout: Layout) -> dict[str, str]:
    """{unit, year} from the header block: the cell after each field's label."""
    block = layout.block(HeaderBlock)
    if block is None:
        return {}
    wanted = {}  # label as printed -> the fact it names
    for spec in block.rows:
        for label, value in zip(spec, spec[1:], strict=False):
            if label.label is not None and value.field in _FACT_OF_FIELD:
                wanted[flat(label.label)] = _FACT_OF_FIELD[value.field]
    found: dict[str, str] = {}
    for row in _rows(grids):
        cells = _cells(row)
        for cell, after in zip(cells, cells[1:], strict=False):
            fact = wanted.get(flat(cell.text))
            if fact and fact not in found and after.text.strip():
                found[fact] = after.text.strip()
    return found


def amount(text: str) -> Decimal | None:
    """An amount as the form prints it (5500, 5,500.00, ５５００): None when it is none."""
    plain = flat(text).translate(_FULL_WIDTH).replace(",", "")
    plain = plain.removesuffix("万元")
    return Decimal(plain) if _AMOUNT.fullmatch(plain) else None


def budget_block(grids: list[Grid], layout: Layout) -> tuple[Funds, str] | None:
    """(funds, execution_reason) from the budget block: each source's row, found by its
    printed label, holds the block's columns in order; the total row's reason column is
    the execution_reason. None when the document has no such block."""
    block = layout.budget
    if block is None:
        return None
    labels = {flat(label): key for key, label in block.sources}
    funds: Funds = {}
    reason = ""
    for row in _rows(grids):
        cells = _cells(row)
        for i, cell in enumerate(cells):
            name = flat(cell.text)
            values = cells[i + 1:]
            if len(values) != len(block.columns):
                continue
            if name in labels and labels[name] not in funds:
                funds[labels[name]] = _amounts(block, values)
            elif name == flat(block.total_label):
                reason = next((v.text.strip() for c, v in zip(block.columns, values, strict=True)
                               if c.field == "reason"), reason)
    return (funds, reason) if funds else None


def _amounts(block: BudgetBlock, values: list[ooxml.GridCell]) -> dict[str, Money]:
    out = {}
    for column, cell in zip(block.columns, values, strict=True):
        if column.field == "amount":
            value = amount(cell.text)
            if value is not None:
                out[column.key] = Money(value, WAN)
    return out


def goals_block(grids: list[Grid], layout: Layout) -> list[tuple[Part, list]]:
    """The goals block's parts with their cells' elements: the row that names every part
    (预期目标 | 实际完成情况) and, below it, the texts at the same grid columns."""
    block = layout.block(GoalsBlock)
    if block is None:
        return []
    heads = [flat(p.header) for p in block.parts]
    for grid in grids:
        for i, row in enumerate(grid[:-1]):
            starts = _starts(row)
            texts = [flat(c.text) for c in row]
            at = _find_run(texts, heads)
            if at is None:
                continue
            below = dict(zip(_starts(grid[i + 1]), grid[i + 1], strict=True))
            out = []
            for k, part in enumerate(block.parts):
                under = below.get(starts[at + k])
                out.append((part, list(ooxml.body_children(under.element)) if under else []))
            return out
    return []


def _starts(row: list[ooxml.GridCell]) -> list[int]:
    """Each cell's first grid column."""
    out, position = [], 0
    for cell in row:
        out.append(position)
        position += cell.span
    return out


def _find_run(texts: list[str], heads: list[str]) -> int | None:
    for at in range(len(texts) - len(heads) + 1):
        if texts[at:at + len(heads)] == heads:
            return at
    return None
