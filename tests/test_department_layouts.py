"""Department-wide forms in other provinces' shapes: layouts of blocks, totals computed.

Each shipped department layout has a sample under tests/fixtures/<layout>/ that
builds with perfdoc's own figures (nothing typed but the data), validates against
the schemas and lays out without split rows.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal

import docx
import openpyxl
import pytest
from conftest import FIXTURES
from docx_reading import body_tables, find_row, row_texts
from test_pages import raw_pages, split_rows
from test_schema import assert_valid

from perfdoc.build import build
from perfdoc.rules.check import check_project

CENTRAL = FIXTURES / "central-department"


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    out = tmp_path_factory.mktemp("central")
    result = build(CENTRAL, out)
    assert result.ok, [str(d) for d in result.diagnostics.items]
    return out


def test_the_central_department_form_computes_its_figures(central):
    report, diags = check_project(CENTRAL)
    assert not diags.items, [str(d) for d in diags.items]
    # 年度资金总额 is the 收入性质 grouping's sum; 执行率 = 5380 / 5500; its score rounds down
    assert (report.budget, report.spent) == (Decimal(5500), Decimal(5380))
    assert report.execution_rate == Decimal("0.9782")
    assert report.budget_score == Decimal("9.78")
    assert report.total_weight == Decimal(100)
    assert report.total_score == Decimal("98.78") and report.grade == "优"

    doc = docx.Document(str(central / "form.docx"))
    assert doc.paragraphs[0].text == "部门整体支出绩效自评表"
    assert doc.paragraphs[1].text == "（2023年度）"
    first, second = body_tables(doc)
    rows = row_texts(first)
    assert rows[0] == ["部门名称", "示例省数据管理中心", "年度", "2023"]
    total = find_row(rows, "年度资金总额")
    assert total[-6:] == ["5500", "5500", "5380", "10", "97.82%", "9.78"]
    assert find_row(rows, "按支出性质分：基本支出")[-6:-3] == ["2500", "2500", "2460"]
    assert any("预期目标" in r and "实际完成情况" in r for r in rows)
    # the template in 实际完成情况 quotes the computed figures
    text = "".join(c for r in rows for c in r)
    assert "部门预算执行率97.82%，自评得分98.78分，等级为“优”" in text
    indicator_rows = row_texts(second)
    assert indicator_rows[0][1:] == ["一级指标", "二级指标", "三级指标", "年度指标值",
                                     "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert "98.78" in find_row(indicator_rows, "总分")


def test_the_scoring_table_and_workbook_add_up(central):
    doc = docx.Document(str(central / "report.docx"))
    table = row_texts(body_tables(doc)[-1])
    assert find_row(table, "预算执行率")[-3:-1] == ["10", "9.78"]
    assert find_row(table, "总分")[-3:-1] == ["100", "98.78"]
    sheet = openpyxl.load_workbook(central / "scores.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    budget_row = next(r for r in values if r[0] == "预算执行率")
    assert budget_row[3:5] == [10, 9.78]
    total_row = next(r for r in values if r[0] == "总分")
    assert total_row[3] == f"=SUM(D2:D{values.index(budget_row) + 1})"


def test_groupings_that_disagree_are_refused(tmp_path):
    project = shutil.copytree(CENTRAL, tmp_path / "p")
    facts = project / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "全年执行数: 2920}", "全年执行数: 2900}"), encoding="utf-8")
    _, diags = check_project(project)
    [error] = diags.errors
    assert (error.code, error.path, error.field) == ("PD711", "content/report.md", "funds")
    assert "按支出性质分的全年执行数合计 5360 万元" in error.message
    assert "按收入性质分的合计 5380 万元" in error.message
    assert not build(project, tmp_path / "out").ok and not (tmp_path / "out").exists()


def test_a_department_budget_uses_the_project_rules(tmp_path):
    project = shutil.copytree(CENTRAL, tmp_path / "p")
    facts = project / "content" / "report.md"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("其他资金: {年初预算数: 1500, 全年预算数: 1300, 全年执行数: 1264}",
                                  "其他资金: {年初预算数: 1500, 全年预算数: 1300, 全年执行数: 1400}")
                     , encoding="utf-8")
    _, diags = check_project(project)
    codes = sorted({d.code for d in diags.errors})
    assert "PD704" in codes  # 执行数 above 预算数 for 其他资金
    facts.write_text(text.replace("  项目支出: {年初预算数: 3000, 全年预算数: 3000, 全年执行数: 2920}\n",
                                  ""), encoding="utf-8")
    _, diags = check_project(project)
    assert any(d.code == "PD711" for d in diags.errors)
    facts.write_text(text.replace("funds:\n", "funds:\n  投资: {年初预算数: 1}\n"), encoding="utf-8")
    _, diags = check_project(project)
    assert any(d.code == "PD102" and "未知的资金来源“投资”" in d.message for d in diags.errors)


def test_the_central_department_outputs_are_valid(central):
    assert_valid(sorted(p for p in central.rglob("*") if p.suffix in (".docx", ".xlsx")))


def test_no_central_department_row_breaks_across_pages(central, tmp_path):
    pages = raw_pages([central / "form.docx", central / "report.docx"], tmp_path)
    report, _ = check_project(CENTRAL)
    rows = [re.sub(r"\s+", "", i.levels[-1] + i.target + i.actual + str(i.weight)
                   + str(i.score) + i.note) for i in report.indicators]
    assert len(pages["form"]) >= 2
    assert split_rows(pages["form"], rows) == []
