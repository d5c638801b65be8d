"""Project self-evaluations: the sample's three project forms and the 汇总表, opened
with python-docx, openpyxl and LibreOffice."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from decimal import Decimal

import docx
import openpyxl
import pytest
from conftest import ROOT, copy_project, pdftotext, soffice
from docx.oxml.ns import qn
from docx_reading import W, body_tables, find_row, is_header_row, row_texts, table_rows, vmerge_runs

from perfdoc.build import build
from perfdoc.rules.check import check_project
from perfdoc.sources.layout import LAYOUT_DIR

EGOV, MONITOR, VIDEO = "01-电子政务外网运维", "02-商务运行监测平台升级", "03-视频会议系统扩容"


@pytest.fixture(scope="module")
def project_doc(sample_out):
    def open_form(name: str) -> docx.document.Document:
        return docx.Document(str(sample_out / "projects" / f"{name}.docx"))
    return open_form


def read_csv(name: str) -> list[dict[str, str]]:
    with (ROOT / "projects" / name / "indicators.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_build_writes_every_project_form(sample_out):
    assert sorted(p.name for p in (sample_out / "projects").iterdir()) == [
        f"{EGOV}.docx", f"{MONITOR}.docx", f"{VIDEO}.docx"]
    assert (sample_out / "projects.xlsx").is_file()


def test_title_year_and_header(project_doc):
    doc = project_doc(EGOV)
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[:2] == ["项目支出绩效自评表", "（2020年度）"]
    rows = row_texts(body_tables(doc)[0])
    assert rows[0] == ["项目名称", "320000201001-电子政务外网运维"]
    assert rows[1] == ["主管部门", "江苏省商务厅", "实施单位", "江苏省商务厅信息中心"]


def test_the_budget_block_is_computed(project_doc):
    rows = row_texts(body_tables(project_doc(EGOV))[0])
    heads = find_row(rows, "")
    assert heads[-6:] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert heads[0] == "项目资金（万元）"
    # 90 + 0 + 0, 90 + 5 + 0, 89.974 + 5 + 0; 94.974 / 95 = 99.97 %; min(99.97 %, 1) x 10
    assert find_row(rows, "年度资金总额")[1:] == ["年度资金总额", "90", "95", "94.974", "10",
                                                "99.97%", "9.99"]
    assert find_row(rows, "其中：当年财政拨款")[1:] == ["其中：当年财政拨款", "90", "90",
                                                   "89.974", "—", "", "—"]
    assert find_row(rows, "上年结转资金")[1:] == ["上年结转资金", "0", "5", "5", "—", "", "—"]
    # the block label runs down its five rows as one merged cell
    label_runs = vmerge_runs([r for r in table_rows(body_tables(project_doc(EGOV))[0])
                              if len(r) == 8], 0)
    assert ("项目资金（万元）", 5) in label_runs


def test_goals_are_rendered_markdown_with_template_facts(project_doc):
    rows = table_rows(body_tables(project_doc(EGOV))[0])
    heads = next(r for r in rows if r[0].text == "年度总体目标")
    assert [c.text for c in heads[1:]] == ["预期目标", "实际完成情况"]
    texts = rows[rows.index(heads) + 1]
    assert texts[1].text.startswith("保障全省商务系统电子政务外网稳定运行")
    assert texts[2].text.endswith("项目执行率99.97%。")  # {{ execution_rate | percent }}
    assert texts[0].vmerge == "continue"


def test_indicator_block_merges_from_the_data(project_doc):
    tbl = body_tables(project_doc(EGOV))[1]
    trs = tbl.findall(W + "tr")
    rows = table_rows(tbl)
    assert is_header_row(trs[0]) and not is_header_row(trs[1])
    assert [c.text for c in rows[0]] == ["绩效指标", "一级指标", "二级指标", "三级指标",
                                         "年度指标值", "实际完成值", "分值", "得分",
                                         "偏差原因分析及改进措施"]
    source = read_csv(EGOV)
    data = rows[1:-1]
    assert len(data) == len(source) == 9
    assert vmerge_runs(data, 1) == [("产出指标", 6), ("效益指标", 2), ("满意度指标", 1)]
    assert vmerge_runs(data, 2) == [("数量指标", 2), ("质量指标", 2), ("时效指标", 1),
                                    ("成本指标", 1), ("社会效益指标", 1), ("可持续影响指标", 1),
                                    ("服务对象满意度指标", 1)]
    for cells, row in zip(data, source, strict=True):
        assert [c.text for c in cells[3:]] == [row["三级指标"], row["年度指标值"], row["实际完成值"],
                                              row["分值"], row["得分"],
                                              row["偏差原因分析及改进措施"]]
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in trs[1:-1])


def test_the_total_is_exact(project_doc):
    for name in (EGOV, MONITOR, VIDEO):
        rows = table_rows(body_tables(project_doc(name))[1])
        total = next(r for r in rows if r[0].text in ("总分", "合计"))
        weight, score = (Decimal(c.text) for c in total if re.fullmatch(r"[0-9.]+", c.text))
        source = read_csv(name)
        budget_rows = table_rows(body_tables(project_doc(name))[0])
        budget_score = Decimal(next(r for r in budget_rows if r[1].text in ("年度资金总额", "总额"))[
            -2 if name == VIDEO else -1].text)
        assert weight == Decimal(100)
        assert score == budget_score + sum(Decimal(r["得分"]) for r in source)
    # 98.6 / 120 = 82.17 %, 8.21 + 84.5
    rows = table_rows(body_tables(project_doc(MONITOR))[1])
    assert [c.text for c in rows[-1] if c.text] == ["总分", "100", "92.71"]


def test_every_run_has_east_asian_fonts(project_doc):
    for name in (EGOV, MONITOR, VIDEO):
        body = project_doc(name).element.body
        runs = list(body.iter(W + "r"))
        assert len(runs) > 80
        for run in runs:
            fonts = run.find(f"{W}rPr/{W}rFonts")
            assert fonts is not None and fonts.get(qn("w:eastAsia")), name


def test_the_sichuan_layout(project_doc):
    doc = project_doc(VIDEO)
    assert [p.text for p in doc.paragraphs if p.text.strip()][0] == "部门预算项目支出绩效自评表"
    first, second = body_tables(doc)
    rows = row_texts(first)
    assert find_row(rows, "")[-7:] == ["年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重",
                                       "得分", "原因"]
    assert find_row(rows, "总额")[1:] == ["总额", "60", "60", "57.2", "95.33%", "10", "9.53",
                                         "政府采购结余2.8万元。"]
    for source in ("其中：财政资金", "财政专户管理资金", "单位资金", "其他资金"):
        assert find_row(rows, source)[1:] == [source, "0", "0", "0", "", "—", "—", ""] \
            if source != "其中：财政资金" else [source, "60", "60", "57.2", "", "—", "—", ""]
    rows = row_texts(second)
    assert rows[0][1:] == ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
                           "完成值", "权重", "得分", "未完成原因分析"]
    assert find_row(rows, "新增高清会议终端")[-7:] == ["≥", "20", "台", "20", "20", "20", ""]
    assert find_row(rows, "系统扩容完成时间")[-7:] == ["定性", "按期完成", "", "按期完成", "10", "10",
                                                  ""]
    assert rows[-5][0] == "合计" and "99.53" in rows[-5]
    assert rows[-4][0] == "评价结论" and "自评得分99.53分，等级为“优”" in rows[-4][1]
    assert [r[0] for r in rows[-3:-1]] == ["存在问题", "改进措施"]
    assert rows[-1] == ["项目负责人：王志强", "财务负责人：李敏"]


def test_libreoffice_converts_every_project_form(sample_out, tmp_path):
    binary, reader = soffice(), pdftotext()
    forms = sorted((sample_out / "projects").glob("*.docx"))
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, forms)],
                   check=True, capture_output=True, timeout=240)
    for form, total in zip(forms, ("98.99", "92.71", "99.53"), strict=True):
        text = subprocess.run([reader, "-layout", str(tmp_path / f"{form.stem}.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        flat = re.sub(r"\s+", "", text)
        assert form.stem.split("-", 1)[1] in flat and total in flat, form.stem
        for number, page in enumerate([p for p in text.split("\f") if p.strip()], start=1):
            assert page.strip().splitlines()[-1].replace(" ", "") == f"—{number}—"


def test_the_summary_spreadsheet(sample_out):
    ws = openpyxl.load_workbook(sample_out / "projects.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "项目名称", "主管部门", "实施单位", "全年预算数（万元）",
                       "全年执行数（万元）", "执行率", "自评得分", "等级")
    assert rows[1][:6] == (1, "320000201001-电子政务外网运维", "江苏省商务厅", "江苏省商务厅信息中心",
                           95, 94.974)
    assert rows[1][6] == '=IF(E2=0,"",F2/E2)'
    assert [r[7] for r in rows[1:4]] == [98.99, 92.71, 99.53]
    assert rows[4][:6] == ("合计", None, None, None, "=SUM(E2:E4)", "=SUM(F2:F4)")
    assert "A5:D5" in {str(r) for r in ws.merged_cells.ranges}


def test_libreoffice_recalculates_the_summary(sample_out, tmp_path):
    binary = soffice()
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(tmp_path), str(sample_out / "projects.xlsx")],
                   check=True, capture_output=True, timeout=180)
    with open(tmp_path / "projects.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    report, _ = check_project(ROOT)
    budget = sum((p.budget.wan for p in report.projects), Decimal(0))
    spent = sum((p.spent.wan for p in report.projects), Decimal(0))
    total = next(r for r in rows if r[0] == "合计")
    assert (Decimal(total[4]), Decimal(total[5])) == (budget, spent) == (Decimal(275),
                                                                         Decimal("250.774"))
    assert total[6] == f"{spent / budget * 100:.2f}%"
    assert [r[6] for r in rows[1:4]] == ["99.97%", "82.17%", "95.33%"]
    assert [r[8] for r in rows[1:4]] == ["优", "优", "优"]


def test_the_department_report_quotes_the_projects(sample_out):
    text = "".join(p.text for p in docx.Document(str(sample_out / "report.docx")).paragraphs)
    assert "中心2020年度对3个项目开展了项目支出绩效自评" in text
    assert "电子政务外网运维98.99分、执行率99.97%、等级“优”" in text


def use_project_layout(folder) -> None:
    """Point the project's project.md at the layout file 本省.toml in its folder."""
    md = folder / "project.md"
    md.write_text(md.read_text(encoding="utf-8").replace(
        "department: 江苏省商务厅\n", "department: 江苏省商务厅\nlayout: 本省.toml\n"),
        encoding="utf-8")


def test_a_layout_kept_in_the_project_folder(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    folder = project / "projects" / EGOV
    layout = (LAYOUT_DIR / "central-project-2020.toml").read_text(encoding="utf-8")
    (folder / "本省.toml").write_text(layout.replace('name = "central-project-2020"',
                                                      'name = "本省-2020"').replace(
        'title = "项目支出绩效自评表"', 'title = "本省项目支出绩效自评表"').replace(
        'label = "绩效指标"', 'label = "绩效指标完成情况"'), encoding="utf-8")
    use_project_layout(folder)
    result = build(project, tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    doc = docx.Document(str(tmp_path / "out" / "projects" / f"{EGOV}.docx"))
    assert doc.paragraphs[0].text == "本省项目支出绩效自评表"
    assert table_rows(body_tables(doc)[1])[0][0].text == "绩效指标完成情况"


def test_a_layout_outside_the_repository_is_refused(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    shutil.copy(LAYOUT_DIR / "central-project-2020.toml", tmp_path / "x.toml")
    md = project / "projects" / EGOV / "project.md"
    md.write_text(md.read_text(encoding="utf-8").replace(
        "department: 江苏省商务厅\n", "department: 江苏省商务厅\nlayout: ../../../x.toml\n"),
        encoding="utf-8")
    _, diags = check_project(project)
    assert [(d.code, d.path) for d in diags.errors] == [
        ("PD003", f"projects/{EGOV}/project.md")]


def test_a_removed_project_leaves_no_stale_form(sample_copy):
    assert build(sample_copy).ok
    shutil.rmtree(sample_copy / "projects" / MONITOR)
    assert build(sample_copy).ok
    assert sorted(p.name for p in (sample_copy / "build" / "projects").iterdir()) == [
        f"{EGOV}.docx", f"{VIDEO}.docx"]
    shutil.rmtree(sample_copy / "projects")
    assert build(sample_copy).ok
    assert not (sample_copy / "build" / "projects.xlsx").exists()


def test_a_project_error_stops_the_whole_build(sample_copy, tmp_path):
    csv_path = sample_copy / "projects" / VIDEO / "indicators.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(",20,20,\n", ",20,25,\n", 1),
                        encoding="utf-8")
    result = build(sample_copy, tmp_path / "out")
    assert not result.ok and not (tmp_path / "out").exists()
    assert [d.code for d in result.diagnostics.errors] == ["PD309"]


def test_a_header_cell_without_label_or_field_is_a_layout_error(tmp_path):
    """Found by mypy (a `str | None` used as a dict key): such a cell once raised
    KeyError while the form was written, exit 3."""
    project = copy_project(ROOT, tmp_path / "p")
    folder = project / "projects" / EGOV
    layout = (LAYOUT_DIR / "central-project-2020.toml").read_text(encoding="utf-8")
    (folder / "本省.toml").write_text(layout.replace(
        '{ field = "name", width = 122 }', '{ width = 122 }'), encoding="utf-8")
    use_project_layout(folder)
    result = build(project, tmp_path / "out")
    assert not result.ok
    [error] = result.diagnostics.errors
    assert (error.code, error.path) == ("PD003", f"projects/{EGOV}/project.md")
    assert "blocks[1].rows[1][2]" in error.message and "label（文字）或 field" in error.message
