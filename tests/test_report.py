"""build/report.docx read back: GB/T 9704 format, the attachment, and every sentence."""

from __future__ import annotations

import itertools
import re
import subprocess

import docx
import pypandoc
import pytest
from conftest import ROOT, soffice
from docx.oxml.ns import qn
from docx.shared import Mm
from docx_reading import W, body_tables, is_header_row, table_rows, vmerge_runs

from perfdoc.build import build
from perfdoc.rules.check import check_project
from perfdoc.sources.headings import demoted
from perfdoc.sources.layout import LAYOUT_DIR


@pytest.fixture(scope="module")
def report_doc(sample_out):
    return docx.Document(str(sample_out / "report.docx"))


def style(doc, style_id):
    return next(s for s in doc.styles.element.findall(W + "style")
                if s.get(qn("w:styleId")) == style_id)


def style_fonts(doc, style_id) -> tuple[str, int, bool]:
    """(eastAsia font, size in half-points, bold) of a paragraph style."""
    el = style(doc, style_id)
    fonts = el.find(f"{W}rPr/{W}rFonts")
    size = el.find(f"{W}rPr/{W}sz")
    bold = el.find(f"{W}rPr/{W}b")
    return (fonts.get(qn("w:eastAsia")), int(size.get(qn("w:val"))),
            bold is not None and bold.get(qn("w:val")) not in ("0", "false"))


def paragraphs_with_style(doc, style_id):
    return [p for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.pStyle is not None
            and p._p.pPr.pStyle.val == style_id]


def test_page_and_margins(report_doc):
    s = report_doc.sections[0]
    for actual, mm in ((s.page_width, 210), (s.page_height, 297), (s.top_margin, 37),
                       (s.bottom_margin, 35), (s.left_margin, 28), (s.right_margin, 26)):
        assert abs(actual - Mm(mm)) < Mm(0.1)


def test_title(report_doc):
    (title, attachment_title) = paragraphs_with_style(report_doc, "PDTitle")
    assert "".join(t.text for t in title._p.iter(W + "t")) == \
        "江苏省商务厅信息中心2020年度部门整体支出绩效评价报告"
    assert title._p.find(f".//{W}br") is not None  # two lines, 梯形
    assert style_fonts(report_doc, "PDTitle") == ("方正小标宋简体", 44, False)
    assert title.style.paragraph_format.alignment == 1
    assert attachment_title.text == "部门整体支出绩效自评评分表"


def test_body_font_size_indent_and_fixed_line_spacing(report_doc):
    assert style_fonts(report_doc, "Normal") == ("仿宋_GB2312", 32, False)
    ppr = style(report_doc, "Normal").find(W + "pPr")
    spacing = ppr.find(W + "spacing")
    assert spacing.get(qn("w:lineRule")) == "exact"
    line = int(spacing.get(qn("w:line")))
    # 22 lines fit the 225 mm type area, and not 23
    assert 22 * line <= Mm(225).twips < 23 * line
    assert ppr.find(W + "ind").get(qn("w:firstLineChars")) == "200"
    latin = style(report_doc, "Normal").find(f"{W}rPr/{W}rFonts").get(qn("w:ascii"))
    assert latin == "Times New Roman"


def test_heading_levels_fonts(report_doc):
    assert style_fonts(report_doc, "Heading1") == ("黑体", 32, False)
    assert style_fonts(report_doc, "Heading2") == ("楷体_GB2312", 32, False)
    assert style_fonts(report_doc, "Heading3") == ("仿宋_GB2312", 32, True)
    assert style_fonts(report_doc, "Heading4") == ("仿宋_GB2312", 32, False)
    for level in range(1, 5):
        spacing = style(report_doc, f"Heading{level}").find(f"{W}pPr/{W}spacing")
        assert spacing.get(qn("w:lineRule")) == "exact"


def headings(doc) -> list[tuple[int, str]]:
    return [(int(p.style.style_id[-1]), p.text) for p in doc.paragraphs
            if p.style.style_id.startswith("Heading")]


def test_sections_and_typed_headings(report_doc):
    found = headings(report_doc)
    # level 1 is the five section titles only: the numbering typed inside a section
    # prints one level down (一、 → （一）, （一） → 1.), keeping its numbers
    assert [t for level, t in found if level == 1] == [
        "一、部门概况", "二、评价情况", "三、主要绩效", "四、存在问题", "五、有关建议"]
    assert found[:3] == [(1, "一、部门概况"), (2, "（一）部门基本情况"), (2, "（二）收支情况")]
    achievements = found.index((1, "三、主要绩效"))
    assert found[achievements + 1] == (2, "（一）承担全省商务系统电子政务平台及应用系统的建设、运行")
    assert found[achievements + 2] == (
        3, "1.推进智慧商务综合管理平台建设，完善厅信息系统建设和管理制度，整合所有业务应用。")
    # no two consecutive headings of the same level with the same number
    for (a_level, a), (b_level, b) in itertools.pairwise(found):
        assert not (a_level == b_level and a[:2] == b[:2]), (a, b)
    # "1.标题。正文……": only the words up to the first 。 are in the level-3 font (仿宋 bold)
    p = next(p for p in report_doc.paragraphs if p.text.startswith("2.做好厅网站"))
    assert p.style.name == "Normal"
    runs = [(r.text, r._r.find(f"{W}rPr/{W}b") is not None) for r in p.runs]
    assert runs[0] == ("2.做好厅网站和厅政务新媒体运维工作。", True)
    assert not any(bold for _, bold in runs[1:])


def test_the_form_and_the_sources_keep_the_numbering_as_typed(sample_form):
    text = [p.text for p in sample_form.paragraphs] + [
        c.text for t in sample_form.tables for row in t.rows for c in row.cells]
    assert any(t.startswith("一、部门基本情况") for t in text)
    body = (ROOT / "content" / "01-overview.md").read_text(encoding="utf-8")
    assert "\n一、部门基本情况\n" in body


def test_demotion_can_be_turned_off(sample_copy, tmp_path):
    layout = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    (sample_copy / "content" / "mine.toml").write_text(
        layout.replace("demote_headings = true", "demote_headings = false"), encoding="utf-8")
    facts = sample_copy / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "layout: jiangsu-2020", "layout: content/mine.toml"), encoding="utf-8")
    assert build(sample_copy, tmp_path).ok
    found = headings(docx.Document(str(tmp_path / "report.docx")))
    assert found[:2] == [(1, "一、部门概况"), (1, "一、部门基本情况")]


def test_template_variables_filled_in(report_doc):
    text = "\n".join(p.text for p in report_doc.paragraphs)
    assert "2020年度财政拨款收入1,611,200.00元，支出1,583,388.23元。" in text
    assert "中心现有编制数7个，在编在岗人员为6名" in text
    assert "{{" not in text


def test_page_numbers_odd_right_even_left(report_doc):
    s = report_doc.sections[0]
    assert report_doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]._p
        assert p.find(W + "fldSimple").get(qn("w:instr")).strip() == "PAGE"
        assert p.find(f"{W}pPr/{W}jc").get(qn("w:val")) == side
        assert p.find(f".//{W}rFonts").get(qn("w:eastAsia")) == "宋体"
        assert p.find(f".//{W}sz").get(qn("w:val")) == "28"


def test_attachment_starts_on_a_new_page(report_doc):
    label = next(p for p in report_doc.paragraphs if p.text == "附件")
    assert label.paragraph_format.page_break_before
    assert label._p.find(f".//{W}rFonts").get(qn("w:eastAsia")) == "黑体"
    assert style_fonts(report_doc, "PDLabel")[:2] == ("黑体", 32)
    assert label.style.paragraph_format.alignment == 0  # top-left
    assert any(p.text == "附件：部门整体支出绩效自评评分表" for p in report_doc.paragraphs)


def test_scoring_table(report_doc):
    (tbl,) = body_tables(report_doc)
    rows = table_rows(tbl)
    trs = tbl.findall(W + "tr")
    assert [c.text for c in rows[0]] == ["一级指标", "二级指标", "分值", "得分", "说明"]
    assert is_header_row(trs[0]) and not any(is_header_row(tr) for tr in trs[1:])
    # an indicator row is never split across two pages (GB/T 9704 tables)
    assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in trs[1:-2])
    data = rows[1:-2]
    assert len(data) == 29
    assert vmerge_runs(data, 0) == [("部门决策", 7), ("部门管理", 13), ("部门履职", 8),
                                    ("履职效益", 1)]
    total, grade = rows[-2], rows[-1]
    assert [c.text for c in total] == ["合计", "100", "100", ""]
    assert [c.text for c in grade] == ["评价等级", "优"]
    cell_size = style(report_doc, "PDCell").find(f"{W}rPr/{W}sz").get(qn("w:val"))
    assert cell_size == "24"  # 小四 in tables


def test_pandoc_reads_every_sentence_with_variables_filled(sample_out):
    text = re.sub(r"\s+", "", pypandoc.convert_file(str(sample_out / "report.docx"), "plain",
                                                   extra_args=["--wrap=none"]))
    report, _ = check_project(ROOT)
    sentences = []
    for section in report.sections.values():
        sentences.append(section.title)
        # as printed: the numbering typed in a section one level down
        lines = [demoted(line) for line in section.body.split("\n")]
        sentences += [s for s in re.split(r"(?<=[。；])|\n", "\n".join(lines)) if s.strip()]
    for ind in report.indicators:
        sentences += [*ind.levels, ind.note]
    missing = [s for s in sentences if s and re.sub(r"\s+", "", s) not in text]
    assert not missing
    assert "1,611,200.00元" in text


def test_libreoffice_converts_the_report(sample_out, tmp_path):
    binary = soffice()
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(sample_out / "report.docx")], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 4


def test_signature_and_date_when_the_date_is_given(sample_copy, tmp_path):

    facts = sample_copy / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "layout: jiangsu-2020", "date: 2021-03-15\nlayout: jiangsu-2020"), encoding="utf-8")
    assert build(sample_copy, tmp_path).ok
    doc = docx.Document(str(tmp_path / "report.docx"))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("2021年3月15日")
    assert texts[at - 1] == "江苏省商务厅信息中心"
    assert texts.index("附件：部门整体支出绩效自评评分表") < at - 1 < texts.index("附件")
    for p, chars in ((doc.paragraphs[at - 1], "225"), (doc.paragraphs[at], "400")):
        ind = p._p.find(f"{W}pPr/{W}ind")
        assert p._p.find(f"{W}pPr/{W}jc").get(qn("w:val")) == "right"
        assert ind.get(qn("w:rightChars")) == chars  # date 4 chars in; unit centred above it


def test_no_signature_without_a_date(report_doc):
    assert not any(p.text.endswith("日") and p.text[:4].isdigit() for p in report_doc.paragraphs)
