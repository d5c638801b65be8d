"""Department-wide forms in other provinces' shapes: layouts of blocks, totals computed.

Each shipped department layout has a sample under tests/fixtures/<layout>/ that
builds with perfdoc's own figures (nothing typed but the data), validates against
the schemas and lays out without split rows.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import DEPARTMENT_LAYOUTS as LAYOUTS
from conftest import FIXTURES
from docx_reading import body_tables, find_row, row_texts

from perfdoc.build import build
from perfdoc.rules.check import check_project
from perfdoc.sources.layout import LAYOUT_DIR
from perfdoc.sources.model import decimal_text
from perfdoc.sources.money import WAN, Money

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
    assert (report.budget, report.spent) == (Money(Decimal(5500), WAN), Money(Decimal(5380), WAN))
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


@pytest.fixture(scope="module")
def samples(department_samples):
    return department_samples


def copy(name: str, tmp_path) -> Path:
    return shutil.copytree(FIXTURES / name, tmp_path / name)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- Sichuan


def test_sichuan_prints_the_conclusion_below_the_table(samples):
    doc = docx.Document(str(samples["sichuan-department"] / "form.docx"))
    first, second = body_tables(doc)
    assert row_texts(first)[0] == ["绩效评价指标"]
    assert row_texts(first)[1] == ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "得分",
                                   "说明"]
    assert row_texts(second)[0][0] == "评价结论"
    assert "自评得分98分" in row_texts(second)[0][1] or "得分98分" in row_texts(second)[0][1]


def test_a_fixed_weight_broken_by_one_point_is_refused_with_the_group_named(tmp_path):
    project = copy("sichuan-department", tmp_path)
    csv = project / "indicators" / "01-指标.csv"
    edit(csv, "绩效目标合理性,5,目标与部门职能相符得5分，否则酌情扣分,5,",
         "绩效目标合理性,4,目标与部门职能相符得5分，否则酌情扣分,4,")
    edit(csv, "财务管理,5,制度健全、执行有效得5分,5,", "财务管理,6,制度健全、执行有效得5分,6,")
    _, diags = check_project(project)
    found = sorted((d.code, d.path, d.line, d.message) for d in diags.errors)
    assert found == [
        ("PD318", "indicators/01-指标.csv", 2, "“部门决策”的分值合计为 24，版式规定为 25"),
        ("PD318", "indicators/01-指标.csv", 6, "“综合管理”的分值合计为 31，版式规定为 30"),
    ]
    assert not build(project, tmp_path / "out").ok


def test_a_second_level_weight_is_held_too(tmp_path):
    project = copy("sichuan-department", tmp_path)
    csv = project / "indicators" / "01-指标.csv"
    edit(csv, ",,工作质量达标率,10,按达标比例计分,10,", ",,工作质量达标率,9,按达标比例计分,9,")
    edit(csv, "长效机制建设,10,机制健全得10分,10,", "长效机制建设,11,机制健全得10分,11,")
    _, diags = check_project(project)
    assert [(d.code, d.message) for d in diags.errors] == [
        ("PD318", "“部门绩效情况／履职成效”的分值合计为 19，版式规定为 20")]


def test_a_scoring_rule_is_never_the_reason_for_a_deduction(tmp_path):
    project = copy("sichuan-department", tmp_path)
    edit(project / "indicators" / "01-指标.csv",
         ",8,年末结转结余率7%，两个项目因政策调整延后实施", ",8,")
    _, diags = check_project(project)
    assert [(d.code, d.field) for d in diags.errors] == [("PD312", "说明")]


# ---------------------------------------------------------------- Chongqing


def test_chongqing_computes_scores_from_the_coefficient(samples):
    report, diags = check_project(FIXTURES / "chongqing-department-2021")
    assert not diags.items, [str(d) for d in diags.items]
    scores = {i.levels[0]: i.score for i in report.indicators}
    assert scores["项目按期完成率"] == Decimal("13.50")  # 15 × 90 ÷ 100, the cell was empty
    assert scores["信息安全事件"] == Decimal(10)  # typed, and equal
    assert report.execution_rate == Decimal("0.9680") and report.budget_score == Decimal("9.68")
    assert report.total_score == Decimal("98.18")
    doc = docx.Document(str(samples["chongqing-department-2021"] / "form.docx"))
    rows = row_texts(body_tables(doc)[-1])
    assert find_row(rows, "项目按期完成率")[-4:] == ["90", "15", "13.5", "是"]
    assert "98.18" in find_row(rows, "自评总分")


def test_a_typed_coefficient_score_that_differs_is_refused(tmp_path):
    project = copy("chongqing-department-2021", tmp_path)
    edit(project / "indicators" / "01-指标.csv", "90%,90,15,,是,", "90%,90,15,14,是,")
    _, diags = check_project(project)
    [error] = diags.errors
    assert (error.code, error.line, error.field) == ("PD317", 5, "指标得分(分)")
    assert "14" in error.message and "13.5" in error.message


# ---------------------------------------------------------------- Anhui


def test_anhui_numbers_its_rows_and_keeps_the_unprinted_reason(samples):
    doc = docx.Document(str(samples["anhui-department-2023"] / "form.docx"))
    rows = row_texts(body_tables(doc)[0])
    assert rows[0] == ["序号", "一级指标", "二级指标", "三级指标", "指标分值", "指标解释",
                       "指标说明及评分标准", "自评得分"]
    assert [r[0] for r in rows[1:10]] == [str(n) for n in range(1, 10)]
    assert "部分采购项目年底验收" not in "".join(c for r in rows for c in r)  # not printed
    sheet = openpyxl.load_workbook(samples["anhui-department-2023"] / "scores.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[4][0] == 4 and values[4][-1] == "部分采购项目年底验收，支付顺延至次年"


def test_anhui_checks_the_unprinted_reason_and_its_weights(tmp_path):
    project = copy("anhui-department-2023", tmp_path)
    edit(project / "indicators" / "01-指标.csv", ",14.5,部分采购项目年底验收，支付顺延至次年", ",14.5,")
    edit(project / "indicators" / "01-指标.csv", "目标明确性,5,绩效目标细化量化程度,细化量化得5分,5,",
         "目标明确性,6,绩效目标细化量化程度,细化量化得5分,6,")
    edit(project / "indicators" / "01-指标.csv", "制度建设,10,长效管理制度建立情况,健全得10分,10,",
         "制度建设,9,长效管理制度建立情况,健全得10分,9,")
    _, diags = check_project(project)
    assert sorted((d.code, d.field) for d in diags.errors) == [
        ("PD312", "说明"), ("PD318", "指标分值"), ("PD318", "指标分值")]


def test_a_target_sentence_is_not_a_typed_result(tmp_path):
    """PD402 compares what a text says was achieved, not what it aimed at."""
    project = copy("chongqing-department-2021", tmp_path)
    goals = project / "content" / "01-goals.md"
    edit(goals, "群众满意度达到90%以上。", "群众满意度达到90%以上，预算执行率达到95%以上。")
    _, diags = check_project(project)
    assert not diags.items, [str(d) for d in diags.items]
    edit(goals, "预算执行率达到95%以上。", "预算执行率为95%。")
    _, diags = check_project(project)
    [error] = diags.errors
    assert error.code == "PD402" and "应为 97%" in error.message  # at the precision typed


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_preview_prints_every_department_layout(name):
    """The preview's HTML comes from the same plan as the Word form (form_tables)."""
    from perfdoc.preview.html import form_page, report_page

    report, diags = check_project(FIXTURES / name)
    assert not diags.errors
    page = form_page(report, report.root)
    for column in report.layout.indicators.columns:
        assert f">{column.header}<" in page, column.header
    assert f">{report.layout.indicators.total_label}<" in page
    assert decimal_text(report.total_score) in page
    assert report.layout.the_report.attachment_title in report_page(report)


def test_a_row_is_judged_against_its_adjusted_target(tmp_path):
    project = copy("chongqing-department-2021", tmp_path)
    csv = project / "indicators" / "01-指标.csv"
    edit(csv, "100%,100%,90%,90,15,,是,两个子项目因设备到货延迟推迟至次年一季度完工",
         "100%,90%,90%,100,15,,是,")
    _, diags = check_project(project)
    assert not diags.errors, [str(d) for d in diags.errors]  # 90% met the adjusted 90%
    edit(csv, "100%,90%,90%,100,15,,是,", "100%,,90%,100,15,,是,")
    _, diags = check_project(project)
    [error] = diags.errors  # no adjusted target: judged against 年初指标值 100%
    assert (error.code, error.field) == ("PD706", "说明") and "年初指标值 100%" in error.message


def test_the_proportional_model_makes_an_excess_score_an_error(tmp_path):
    project = copy("central-department", tmp_path)
    edit(project / "indicators" / "01-绩效指标.csv", ",,数据质量问题整改率,≥95%,93%,10,9,",
         ",,数据质量问题整改率,≥95%,93%,10,10,")
    _, diags = check_project(project)
    assert [(d.code, d.severity.value) for d in diags.items] == [("PD707", "warning")]
    layout = (LAYOUT_DIR / "central-department.toml").read_text(encoding="utf-8")
    (project / "mine.toml").write_text(layout.replace(
        'label = "绩效指标"\n', 'label = "绩效指标"\nscoring = "proportional"\n'), encoding="utf-8")
    edit(project / "content" / "report.md", "layout: central-department", "layout: mine.toml")
    _, diags = check_project(project)
    [error] = diags.errors
    assert error.code == "PD707" and "9.79" in error.message


def test_diff_reports_a_departments_budget(tmp_path):
    import subprocess
    import sys

    project = copy("central-department", tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.cn", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    edit(project / "content" / "report.md", "全年执行数: 2920}", "全年执行数: 2900}")
    edit(project / "content" / "report.md", "全年执行数: 4116}", "全年执行数: 4096}")
    done = subprocess.run([sys.executable, "-m", "perfdoc", "diff", "HEAD", "-C", str(project)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "| 预算执行率 | 97.82% | 97.45% **（变化）** |" in done.stdout
    assert "| 执行数（万元） | 5380 | 5360 **（变化）** |" in done.stdout


def test_a_new_year_from_a_department_layout_clears_what_was_achieved(tmp_path):
    """init --from reads the layout's vocabulary: Chongqing's 全年完成值, 得分系数 and
    指标得分 start empty, so do the executed amounts of report.md's funds."""
    import csv
    import subprocess
    import sys

    last = copy("chongqing-department-2021", tmp_path)
    new = tmp_path / "2022"
    done = subprocess.run([sys.executable, "-m", "perfdoc", "init", str(new), "--from",
                           str(last), "--year", "2022"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    facts = (new / "content" / "report.md").read_text(encoding="utf-8")
    assert "财政拨款: {全年预算数: 3600, 全年执行数: }" in facts and "year: 2022" in facts
    with (new / "indicators" / "01-指标.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["全年完成值"] for r in rows} == {""} and {r["指标得分(分)"] for r in rows} == {""}
    assert {r["得分系数(%)"] for r in rows} == {""} and {r["说明"] for r in rows} == {""}
    assert rows[0]["年初指标值"] == "100%" and rows[0]["指标权重(分)"] == "20"
    assert "PD102" in done.stdout  # the executed amounts are listed as still to fill
