"""Layouts: one language of blocks for every form, read strictly."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest
from conftest import ROOT, copy_project, use_layout

from perfdoc.build import build
from perfdoc.rules.check import check_project
from perfdoc.sources.layout import (
    LAYOUT_DIR,
    IndicatorBlock,
    LayoutError,
    SectionsBlock,
    columns_for,
    load_layout,
    parse_layout,
)


def shipped(name: str) -> dict:
    return tomllib.loads((LAYOUT_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def test_default_layout_matches_the_seed_form():
    layout = load_layout("jiangsu-2020")
    assert [type(b) for b in layout.blocks] == [SectionsBlock, IndicatorBlock]
    assert layout.section_keys == ("overview", "evaluation", "achievements", "problems",
                                   "suggestions")
    columns = layout.indicators.columns
    assert [c.header for c in columns_for(columns, 2)] == ["一级指标", "二级指标", "得分", "说明"]
    assert [c.header for c in columns_for(columns, 3)] == [
        "一级指标", "二级指标", "三级指标", "得分", "说明"]
    assert [c.header for c in columns_for(layout.the_report.columns, 2)] == [
        "一级指标", "二级指标", "分值", "得分", "说明"]
    assert layout.form.unit_label == "填报单位："
    assert layout.total == Decimal(100)
    assert abs(layout.page.text_width_mm - 156) < 1e-9


@pytest.mark.parametrize("total,grade", [("100", "优"), ("90", "优"), ("89.99", "良"),
                                         ("80", "良"), ("79.5", "中"), ("60", "中"),
                                         ("59.99", "差"), ("0", "差")])
def test_grade_bands(total, grade):
    assert load_layout("jiangsu-2020").grade(Decimal(total)) == grade


def test_unknown_layout_names_the_shipped_ones():
    with pytest.raises(LayoutError, match="jiangsu-2020"):
        load_layout("nowhere-1999")


def test_a_layout_file_of_the_repository(tmp_path):
    text = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    (tmp_path / "mine.toml").write_text(text.replace('total = "100"', 'total = "120"'),
                                        encoding="utf-8")
    assert load_layout("mine.toml", tmp_path).total == Decimal(120)
    (tmp_path / "bad.toml").write_text("name = [", encoding="utf-8")
    with pytest.raises(LayoutError, match="无法解析"):
        load_layout("bad.toml", tmp_path)


def test_every_shipped_layout_reads_and_has_one_indicator_block():
    for path in sorted(LAYOUT_DIR.glob("*.toml")):
        layout = parse_layout(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
        assert layout.name == path.stem
        assert sum(isinstance(b, IndicatorBlock) for b in layout.blocks) == 1


def mutate(data: dict, path: tuple, value: object) -> dict:
    """A copy of `data` with the value at `path` replaced (a missing last key added)."""
    import copy

    out = copy.deepcopy(data)
    here = out
    for key in path[:-1]:
        here = here[key]
    if value is DELETE:
        del here[path[-1]]
    else:
        here[path[-1]] = value
    return out


DELETE = object()


@pytest.mark.parametrize("path,value,words", [
    (("colour",), "red", ["：colour：", "未知的键", "blocks"]),
    (("blocks", 1, "columns", 2, "field"), "target2",
     ["blocks[2].columns[3].field", "target2", "level1"]),
    (("blocks", 1, "color"), 1, ["blocks[2].color", "未知的键", "heading"]),
    (("blocks", 0, "kind"), "chart", ["blocks[1].kind", "“chart”不可用", "sections、header、budget"]),
    (("page", "width_mm"), 0, ["page.width_mm", "50 到 1000"]),
    (("page", "left_mm"), 150, ["版心"]),
    (("form", "title_pt"), "22", ["form.title_pt", "应为数字"]),
    (("form", "title"), "（{年度}）", ["form.title", "{年度}", "{year}"]),
    (("form", "subtitle"), "a\u0001b", ["form.subtitle", "U+0001"]),
    (("scoring", "total"), "1e999", ["scoring.total", "1 到 1000"]),
    (("scoring", "grades", 1, "name"), '良"&WEBSERVICE("x")&"', ["scoring.grades[2].name"]),
    (("scoring", "grades", 1, "min"), "95", ["scoring.grades", "从大到小"]),
    (("report", "columns"), [], ["report.columns"]),
    (("blocks",), [], ["blocks"]),
    (("report",), DELETE, ["report", "缺少"]),
])
def test_a_layout_mistake_names_the_file_the_key_and_what_is_allowed(path, value, words):
    data = mutate(shipped("jiangsu-2020"), path, value)
    with pytest.raises(LayoutError) as caught:
        parse_layout(data, "mine.toml")
    message = str(caught.value)
    assert message.startswith("版式文件 mine.toml：")
    for word in words:
        assert word in message, message


def test_a_project_layout_block_list_is_strict_too():
    data = mutate(shipped("central-project-2020"), ("blocks", 0, "rows", 0, 0, "colspan"), 2)
    unknown = r"blocks\[1\]\.rows\[1\]\[1\]\.colspan：未知的键，可用的键：width、label、field"
    with pytest.raises(LayoutError, match=unknown):
        parse_layout(data, "p.toml")
    data = mutate(shipped("central-project-2020"), ("blocks", 1, "columns", 0, "key"), "x")
    with pytest.raises(LayoutError, match="年初预算数"):
        parse_layout(data, "p.toml")


def test_an_unknown_layout_key_in_a_report_is_pd003_with_its_name(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    text = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    use_layout(project, text.replace("[form]\n", "[form]\nfooter = \"x\"\n"))
    _, diags = check_project(project)
    [error] = diags.errors
    assert (error.code, error.path, error.field) == ("PD003", "content/report.md", "layout")
    assert "form.footer" in error.message and "未知的键" in error.message
    assert not build(project, tmp_path / "out").ok and not (tmp_path / "out").exists()


def test_blocks_print_in_the_layouts_order(tmp_path):
    """A department layout is a list of blocks in any order: the indicators first."""
    import docx

    project = copy_project(ROOT, tmp_path / "p")
    data = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    sections_at = data.index("[[blocks]]\nkind = \"sections\"")
    indicators_at = data.index("[[blocks]]\nkind = \"indicators\"")
    report_at = data.index("# The 评价报告")
    swapped = (data[:sections_at] + data[indicators_at:report_at]
               + data[sections_at:indicators_at] + data[report_at:])
    use_layout(project, swapped)
    result = build(project, tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    tables = docx.Document(str(tmp_path / "out" / "form.docx")).tables
    assert tables[0].rows[0].cells[0].text == "评价指标"
    assert tables[1].rows[0].cells[0].text.startswith("一、部门概况")


def test_rules_read_section_roles_not_keys(tmp_path):
    """PD313 (deductions, but 存在问题 says 无) works whatever a layout calls the section."""
    project = copy_project(ROOT, tmp_path / "p")
    text = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    use_layout(project, text.replace('{ key = "problems", title',
                                     '{ key = "wenti", role = "problems", title'))
    problems = project / "content" / "04-problems.md"
    head, _ = problems.read_text(encoding="utf-8").rsplit("---\n", 1)
    problems.write_text(head.replace("section: problems", "section: wenti") + "---\n无\n",
                        encoding="utf-8")
    csv = project / "indicators" / "02-部门管理.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("专款专用率,3,3,100%", "专款专用率,3,2,98%"),
                   encoding="utf-8")
    _, diags = check_project(project)
    assert sorted((d.code, d.path) for d in diags.errors) == [
        ("PD313", "content/04-problems.md"), ("PD313", "content/05-suggestions.md")]


def test_a_level_column_the_data_does_not_have_stays_empty(tmp_path):
    """Found by tests/test_layout_fuzz.py: 三级指标 printed always (when_present = false
    in the report) over two-level data once raised IndexError in scores.xlsx."""
    project = copy_project(ROOT, tmp_path / "p")
    text = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    report_part = text.index("[report]")
    use_layout(project, text[:report_part] + text[report_part:].replace(
        "when_present = true", "when_present = false"))
    result = build(project, tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "out" / "scores.xlsx").active
    assert [c.value for c in next(sheet.iter_rows())][:3] == ["一级指标", "二级指标", "三级指标"]
