"""An indicator table as a finance office sends it: an Excel workbook or a CSV.

Each sheet becomes rows of ooxml.GridCell, merges made explicit as read_table makes
a Word table's (a merged 一级指标 is one cell with `continued` cells under it), so
the importer finds the header and reads the rows exactly as it reads a Word table.
Values are written as the sheet shows them: 10.0 is 10, a score of 2.6666… in a
cell formatted 0.00 is 2.67, a 合计 of =SUM(F4:F20) is the sum of those cells.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from perfdoc.ooxml import GridCell
from perfdoc.review.package import MAX_ROWS, ImportFailure, Opened, repacked
from perfdoc.sources.model import decimal_text

Grid = list[list[GridCell]]
MAX_CELLS = 400_000  # 20,000 rows of 20 columns: a finance sheet has a few hundred
MAX_COLUMNS = 64
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_SUM = re.compile(r"=\s*SUM\(\s*\$?([A-Z]{1,3})\$?([0-9]{1,7})\s*:\s*\$?([A-Z]{1,3})\$?([0-9]{1,7})"
                  r"\s*\)\s*", re.I)
_DECIMALS = re.compile(r"[#,]*0\.(0+)(?:_.|;.*)?")  # 0.00, #,##0.00: two places shown


def cell(text: str, span: int = 1, continued: bool = False) -> GridCell:
    return GridCell(None, text, span, continued, tuple(text.split("\n")))


def workbook(parts: dict[str, bytes], opened: Opened) -> list[Grid]:
    """Every sheet of an .xlsx (already unpacked within the package bounds)."""
    import openpyxl

    cells = sum(len(_CELL.findall(data)) for name, data in parts.items()
                if name.startswith("xl/worksheets/"))
    if cells > MAX_CELLS:
        raise ImportFailure("PD603", f"工作簿有 {cells} 个单元格，超过上限 {MAX_CELLS}，"
                           "不像是一张指标表")
    data = repacked(parts)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        cached = None
        if any(isinstance(c.value, str) and c.value.startswith("=")
               for ws in book.worksheets for row in ws.iter_rows() for c in row):
            cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl on a part that is not what it says
        raise ImportFailure("PD601", "Excel 工作簿已损坏，无法读取；请在 Excel 或 WPS 表格中"
                           "打开后重新“另存为”.xlsx") from None
    grids, rounded = [], [0]
    for number, ws in enumerate(book.worksheets):
        values = cached.worksheets[number] if cached is not None else None
        grids.append(_sheet(ws, values, rounded))
    opened.repairs.append("已从 Excel 工作簿读取指标表（工作表："
                          + "、".join(f"“{ws.title}”" for ws in book.worksheets) + "）")
    if rounded[0]:
        opened.repairs.append(f"已按单元格的显示格式（如 0.00）写出小数：{rounded[0]} 处")
    return grids


def _sheet(ws: Any, cached: Any, rounded: list[int]) -> Grid:
    """One worksheet as rows of cells, merged ranges as spans and continued cells."""
    height, width = ws.max_row, min(ws.max_column, MAX_COLUMNS)
    merged = {}  # (row, column) -> (top row, left column, width)
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, min(rng.max_row, height) + 1):
            for c in range(rng.min_col, min(rng.max_col, width) + 1):
                merged[(r, c)] = (rng.min_row, rng.min_col, rng.max_col - rng.min_col + 1)
    shown: dict[tuple[int, int], str] = {}

    def text(r: int, c: int) -> str:
        if (r, c) not in shown:
            shown[(r, c)] = _text(ws, cached, r, c, rounded, text)
        return shown[(r, c)]

    grid = []
    for r in range(1, height + 1):
        row: list[GridCell] = []
        c = 1
        while c <= width:
            top, left, span = merged.get((r, c), (r, c, 1))
            if left != c:  # inside a merge, right of its first column: in the span
                c += 1
                continue
            row.append(cell("" if top != r else text(r, c), span, continued=top != r))
            c += span
        grid.append(row)
    return grid


def _text(ws: Any, cached: Any, r: int, c: int, rounded: list[int],
          text: Callable[[int, int], str]) -> str:
    value = ws.cell(r, c).value
    if isinstance(value, str) and value.startswith("="):
        total = _SUM.fullmatch(value)
        if total:  # =SUM(F4:F20): computed from the cells as shown
            return _sum(total, text)
        value = cached.cell(r, c).value if cached is not None else None
    return _shown(value, ws.cell(r, c).number_format, rounded)


def _sum(match: re.Match, text: Callable[[int, int], str]) -> str:
    from openpyxl.utils import column_index_from_string

    first, last = column_index_from_string(match[1].upper()), column_index_from_string(match[3].upper())
    top, bottom = int(match[2]), int(match[4])
    if (last - first + 1) * (bottom - top + 1) > MAX_CELLS:
        return ""
    total = Decimal(0)
    for r in range(top, bottom + 1):
        for c in range(first, last + 1):
            value = text(r, c)
            if re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value):
                total += Decimal(value)
    return decimal_text(total)


def _shown(value: object, number_format: str, rounded: list[int]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        places = _DECIMALS.fullmatch(number_format or "")
        if places and -number.as_tuple().exponent > len(places[1]):  # type: ignore[operator]
            number = number.quantize(Decimal(1).scaleb(-len(places[1])), ROUND_HALF_UP)
            rounded[0] += 1
        return decimal_text(number)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def text_table(data: bytes, opened: Opened) -> list[Grid]:
    """A CSV (or Excel's tab-separated 'Unicode text') as one sheet: UTF-8 with or
    without a BOM, UTF-16 with one, else GB 18030 (GBK), as Excel writes it in China."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[3:].decode("utf-8", "replace"), "UTF-8 编码"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", "replace"), "UTF-16 编码"
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8 编码"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("gb18030"), "GBK（GB 18030）编码"
            except UnicodeDecodeError:
                raise ImportFailure("PD601", "不是 Word 文档、Excel 工作簿，也不是 UTF-8 或 GBK "
                                   "编码的 CSV 文本，无法导入") from None
    if "\x00" in text:
        raise ImportFailure("PD601", "不是 Word 文档、Excel 工作簿或 CSV 文本（含有二进制内容），"
                           "无法导入")
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    rows: Grid = []
    number = -1
    try:
        for number, fields in enumerate(csv.reader(io.StringIO(text, newline=""),
                                                   delimiter=delimiter)):
            if number >= MAX_ROWS:
                raise ImportFailure("PD603", f"表格超过 {MAX_ROWS} 行的上限，不像是一张指标表")
            rows.append([cell(f.replace("\r\n", "\n").strip()) for f in fields[:MAX_COLUMNS]])
    except csv.Error:
        raise ImportFailure("PD601", f"CSV 文件第 {number + 2} 行无法读取（引号不成对，"
                           "或一个单元格过长）") from None
    opened.repairs.append(f"已按 {encoding}读取 CSV 表格"
                          + ("（制表符分隔）" if delimiter == "\t" else ""))
    return [rows]
