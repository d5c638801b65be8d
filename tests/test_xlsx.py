"""build/scores.xlsx: the same table, numbers as numbers, and formulas that add up."""

from __future__ import annotations

import csv
import re
import subprocess
from decimal import Decimal

import openpyxl
from conftest import FIXTURES, soffice

from perfdoc.build import build


def test_rows_merges_numbers_and_formulas(sample_out):
    ws = openpyxl.load_workbook(sample_out / "scores.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("一级指标", "二级指标", "分值", "得分", "说明")
    data = rows[1:30]
    assert len(data) == 29 and data[0][:4] == ("部门决策", "年度工作计划制定情况", 5, 5)
    assert all(isinstance(r[2], (int, float)) and isinstance(r[3], (int, float)) for r in data)
    merged = sorted(str(r) for r in ws.merged_cells.ranges)
    assert {"A2:A8", "A9:A21", "A22:A29"} <= set(merged)  # 履职效益 is a single row
    assert rows[30][:4] == ("合计", None, "=SUM(C2:C30)", "=SUM(D2:D30)")
    assert rows[31][0] == "评价等级"
    assert rows[31][2] == '=IF(D31>=90,"优",IF(D31>=80,"良",IF(D31>=60,"中","差")))'
    # the SUM covers every score cell, and the values it covers add up to the total
    assert sum(Decimal(str(r[3])) for r in data) == Decimal(100)


def test_libreoffice_recalculates_the_formulas(tmp_path):
    binary = soffice()
    build(FIXTURES / "three-levels", tmp_path)
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(tmp_path / "csv"), str(tmp_path / "scores.xlsx")],
                   check=True, capture_output=True, timeout=180)
    with open(tmp_path / "csv" / "scores.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    total = next(r for r in rows if r[0] == "合计")
    assert [Decimal(v) for v in total if re.fullmatch(r"[0-9.]+", v)] == [Decimal(100),
                                                                       Decimal("94.04")]
    grade = next(r for r in rows if r[0] == "评价等级")
    assert "优" in grade
