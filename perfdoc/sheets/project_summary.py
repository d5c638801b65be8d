"""build/projects.xlsx: the 项目支出绩效自评汇总表 finance offices ask for.

One row per project with the figures the project forms print; 执行率, the 合计 row
and the grades are formulas, so a correction typed in Excel still adds up.
"""

from __future__ import annotations

from datetime import datetime

from perfdoc import ooxml
from perfdoc.ooxml import Formula, column_letter
from perfdoc.sheets.xlsx import grade_formula
from perfdoc.sources.model import Report

TITLE = "项目支出绩效自评汇总表"
# (header, width in characters, style)
COLUMNS = (("序号", 6, "center"), ("项目名称", 30, "left"), ("主管部门", 16, "left"),
           ("实施单位", 20, "left"), ("全年预算数（万元）", 14, "amount"),
           ("全年执行数（万元）", 14, "amount"), ("执行率", 10, "percent"),
           ("自评得分", 10, "number"), ("等级", 8, "center"))


def build_projects_xlsx(report: Report, when: datetime) -> bytes:
    projects = report.projects
    budget, spent, score = (column_letter(i) for i in (5, 6, 8))
    rows: list[list[tuple[object, str]]] = [[(h, "head") for h, _, _ in COLUMNS]]
    first = 2
    for n, project in enumerate(projects, start=1):
        r = first + n - 1
        values = (n, project.title, project.department, project.implementer, project.budget.wan,
                  project.spent.wan, _rate(budget, spent, r), project.total_score,
                  grade_formula(project.layout, f"{score}{r}"))
        rows.append([(v, style) for v, (_, _, style) in zip(values, COLUMNS, strict=True)])
    last, total = first + len(projects) - 1, first + len(projects)
    rows.append([("合计", "head"), (None, "head"), (None, "head"), (None, "head"),
                 (Formula(f"SUM({budget}{first}:{budget}{last})"), "amount"),
                 (Formula(f"SUM({spent}{first}:{spent}{last})"), "amount"),
                 (_rate(budget, spent, total), "percent"), (None, "center"), (None, "center")])
    return ooxml.xlsx_package(
        sheet=TITLE, rows=rows, merges=[f"A{total}:D{total}"],
        widths=[w for _, w, _ in COLUMNS], size_pt=12,
        fonts=(report.layout.fonts.body, report.layout.fonts.heiti),
        title=TITLE, creator=report.facts.unit, when=when)


def _rate(budget: str, spent: str, row: int) -> Formula:
    return Formula(f'IF({budget}{row}=0,"",{spent}{row}/{budget}{row})')
