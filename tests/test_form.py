"""The sample's build/form.docx, opened with python-docx and read at the XML level."""

from __future__ import annotations

import re
from decimal import Decimal

import docx
import frontmatter
import pytest
from conftest import FIXTURES, ROOT
from docx.oxml.ns import qn
from docx.shared import Mm
from docx_reading import W, body_tables, is_header_row, table_rows, vmerge_runs

from perfdoc.build import build
from perfdoc.rules.check import check_project

SECTION_FILES = ["01-overview.md", "02-evaluation.md", "03-achievements.md",
                 "04-problems.md", "05-suggestions.md"]


def source_paragraphs(name: str) -> list[str]:
    """The section's paragraphs as written, with template variables filled in."""
    report, _ = check_project(ROOT)
    body = next(s.body for s in report.sections.values() if s.path == f"content/{name}")
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def test_title_and_unit_line(sample_form):
    paragraphs = [p for p in sample_form.paragraphs if p.text.strip()]
    assert paragraphs[0].text == "2020年省级部门整体支出绩效自我评价表格"
    assert paragraphs[0].style.name == "PD Title"
    assert paragraphs[0].style.paragraph_format.alignment == 1  # centred
    assert paragraphs[1].text == "填报单位：江苏省商务厅信息中心"


def test_every_section_paragraph_in_order_in_its_cell(sample_form):
    rows = table_rows(body_tables(sample_form)[0])
    assert len(rows) == 2 * len(SECTION_FILES)
    for i, name in enumerate(SECTION_FILES):
        meta = frontmatter.load(ROOT / "content" / name).metadata
        (title_cell,), (content_cell,) = rows[2 * i], rows[2 * i + 1]
        assert title_cell.text == meta["title"] + meta["hint"]
        assert content_cell.paragraphs == source_paragraphs(name), name


def test_indicator_block_header_repeats_on_every_page(sample_form):
    tbl = body_tables(sample_form)[1]
    trs = tbl.findall(W + "tr")
    rows = table_rows(tbl)
    assert [is_header_row(tr) for tr in trs[:3]] == [True, True, False]
    assert not any(is_header_row(tr) for tr in trs[2:])
    assert rows[0][0].text == "评价指标" and rows[0][0].span == 4
    assert [c.text for c in rows[1]] == ["一级指标", "二级指标", "得分", "说明"]


def test_all_29_indicators_with_first_level_merged(sample_form):
    rows = table_rows(body_tables(sample_form)[1])
    data = rows[2:-1]
    assert len(data) == 29
    assert vmerge_runs(data, 0) == [("部门决策", 7), ("部门管理", 13), ("部门履职", 8),
                                    ("履职效益", 1)]
    # the seed's shifted row, put right
    row = next(r for r in data if r[1].text == "对我厅电子政务外网接入网开展等级保护三级测评")
    assert [row[2].text, row[3].text] == ["3", "对我厅全部二级、三级信息系统进行等级保护测评"]
    satisfaction = next(r for r in data if r[1].text == "公众满意度")
    assert [satisfaction[2].text, satisfaction[3].text] == ["8", ""]


def test_total_row_is_computed(sample_form):
    rows = table_rows(body_tables(sample_form)[1])
    total = rows[-1]
    assert total[0].text == "合计" and total[0].span == 2
    assert total[1].text == "100"
    assert sum(Decimal(r[2].text) for r in rows[2:-1]) == Decimal(100)


def test_a_changed_score_changes_the_total(sample_copy, tmp_path):
    csv = sample_copy / "indicators" / "04-履职效益.csv"
    csv.write_text("一级指标,二级指标,分值,得分,说明\n履职效益,公众满意度,8,6.5,满意度调查得分81%\n",
                   encoding="utf-8")
    for key in ("04-problems.md", "05-suggestions.md"):
        path = sample_copy / "content" / key
        path.write_text(path.read_text(encoding="utf-8").replace("\n无\n", "\n满意度有待提高。\n"),
                        encoding="utf-8")
    result = build(sample_copy, tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    rows = table_rows(body_tables(docx.Document(str(tmp_path / "out" / "form.docx")))[1])
    assert rows[-1][1].text == "98.5"


def test_every_cell_has_a_width_and_tables_are_fixed(sample_form):
    for tbl in sample_form.element.body.iter(W + "tbl"):
        assert tbl.find(f"{W}tblPr/{W}tblLayout").get(qn("w:type")) == "fixed"
        assert tbl.find(f"{W}tblPr/{W}tblW").get(qn("w:type")) == "dxa"
        grid = [int(g.get(qn("w:w"))) for g in tbl.iter(W + "gridCol")]
        for tr in tbl.findall(W + "tr"):
            widths = [int(tc.find(f"{W}tcPr/{W}tcW").get(qn("w:w"))) for tc in tr.findall(W + "tc")]
            assert sum(widths) == sum(grid)


def test_a4_with_gbt9704_margins(sample_form):
    section = sample_form.sections[0]
    for actual, mm in ((section.page_width, 210), (section.page_height, 297),
                       (section.top_margin, 37), (section.bottom_margin, 35),
                       (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(actual - Mm(mm)) < Mm(0.1)


def test_east_asian_fonts_on_every_style_and_run(sample_form):
    styles = sample_form.styles.element
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert default.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert default.get(qn("w:ascii")) == "Times New Roman"
    used = {p.get(qn("w:val")) for p in sample_form.element.body.iter(W + "pStyle")}
    assert {"PDTitle", "PDCell", "PDCellHead"} <= used
    for style in styles.findall(W + "style"):
        if style.get(qn("w:styleId")) in used:
            fonts = style.find(f"{W}rPr/{W}rFonts")
            assert fonts is not None and fonts.get(qn("w:eastAsia")), style.get(qn("w:styleId"))
            assert fonts.get(qn("w:asciiTheme")) is None
    runs = list(sample_form.element.body.iter(W + "r"))
    assert len(runs) > 100
    for run in runs:
        if run.find(W + "t") is not None:
            assert run.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")), run.xml


def test_header_cells_in_heiti_body_in_fangsong(sample_form):
    rows = table_rows(body_tables(sample_form)[1])
    for cell in rows[1]:
        fonts = cell.element.find(f".//{W}rFonts")
        assert fonts.get(qn("w:eastAsia")) == "黑体"
    fonts = rows[2][3].element.find(f".//{W}rFonts")
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert fonts.get(qn("w:ascii")) == "Times New Roman"


def test_full_width_punctuation_preserved(sample_form):
    text = "".join(t.text or "" for t in sample_form.element.body.iter(W + "t"))
    for mark in "，。、：；（）《》“”【】":
        assert mark in text, mark


def test_page_numbers_in_odd_and_even_footers(sample_form):
    section = sample_form.sections[0]
    assert sample_form.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]._p
        field = p.find(W + "fldSimple")
        assert field is not None and field.get(qn("w:instr")).strip() == "PAGE"
        assert "".join(t.text for t in p.iter(W + "t")) == "— 1 —"
        assert p.find(f"{W}pPr/{W}jc").get(qn("w:val")) == side
        assert p.find(f".//{W}rFonts").get(qn("w:eastAsia")) == "宋体"
        assert p.find(f".//{W}sz").get(qn("w:val")) == "28"  # 4号 = 14 pt


def test_three_levels_with_decimal_scores(tmp_path):
    result = build(FIXTURES / "three-levels", tmp_path)
    assert result.ok, [str(d) for d in result.diagnostics.items]
    rows = table_rows(body_tables(docx.Document(str(tmp_path / "form.docx")))[1])
    assert [c.text for c in rows[1]] == ["一级指标", "二级指标", "三级指标", "得分", "说明"]
    data = rows[2:-1]
    assert vmerge_runs(data, 0) == [("产出", 3), ("效益", 1)]
    assert vmerge_runs(data, 1) == [("数量", 2), ("质量", 1), ("社会效益", 1)]
    assert [r[2].text for r in data] == ["培训完成率", "信息化项目完成数", "系统可用率",
                                         "服务对象满意度"]
    total = rows[-1]
    assert total[0].text == "合计" and total[0].span == 3
    assert total[1].text == "94.04"


@pytest.mark.parametrize("name", ["form.docx"])
def test_output_is_a_valid_package(sample_out, name):
    import zipfile
    with zipfile.ZipFile(sample_out / name) as z:
        assert z.testzip() is None
        assert z.namelist()[0] == "[Content_Types].xml"
        assert len({i.date_time for i in z.infolist()}) == 1  # one source date for all
