"""The Markdown renderer, one construct at a time, into a body and into a cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import tiny_png, write_files
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx_reading import W, is_header_row, table_rows

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.sources.layout import load_layout
from perfdoc.sources.model import Section
from perfdoc.word.document import new_document
from perfdoc.word.render import DocxRenderer


def render(body: str, root: Path | None = None, into_cell: bool = False, body_line: int = 5):
    """Render `body` as content/01-x.md; returns (container element, diagnostics, document).

    The container is a body, or a cell as the form holds a section."""
    root = root or Path("/nonexistent-project")
    doc = new_document(load_layout("jiangsu-2020"), body_pt=12, table_pt=12, title_pt=22)
    width = doc.sheet.text_width
    diags = Diagnostics()
    section = Section("overview", "一、部门概况", "", body, "content/01-x.md", body_line)
    renderer = DocxRenderer(doc, root, diags)
    if into_cell:
        blocks = renderer.render(section, width - ooxml.CELL_MARGINS)
        xml = ooxml.table([width], [ooxml.Row([ooxml.Cell(width, "", None, blocks=blocks)])])
        container = parse_xml(f"<w:body {nsdecls('w', 'r')}>{xml}</w:body>").find(f".//{W}tc")
    else:
        xml = renderer.render(section)
        container = parse_xml(f"<w:body {nsdecls('w', 'r')}>{xml}</w:body>")
    return container, diags, doc.package


def paragraphs(element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(W + "t")) for p in element.findall(W + "p")
            if p.find(f".//{W}t") is not None]


def style_of(p) -> str | None:
    node = p.find(f"{W}pPr/{W}pStyle")
    return node.get(qn("w:val")) if node is not None else None


@pytest.mark.parametrize("into_cell", [False, True])
def test_paragraphs_keep_chinese_numbering_as_typed(into_cell):
    element, diags, _ = render("一、部门基本情况\n\n（一）中心现有编制数7个。\n", into_cell=into_cell)
    assert paragraphs(element) == ["一、部门基本情况", "（一）中心现有编制数7个。"]
    assert not diags.items


def test_a_cell_ends_with_a_paragraph():
    element, _, _ = render("正文。\n", into_cell=True)
    assert paragraphs(element) == ["正文。"]
    assert len(element.findall(W + "p")) == 1

    element, _, _ = render("| a | b |\n|---|---|\n| 1 | 2 |\n", into_cell=True)
    assert element[-1].tag == W + "p"  # Word needs a paragraph after a nested table
    assert [child.tag for child in element][1] == W + "tbl"  # no blank paragraph before it

    element, _, _ = render("<!-- 只有注释 -->\n", into_cell=True)
    assert [child.tag for child in element] == [W + "tcPr", W + "p"]


def test_two_tables_in_a_row_stay_two_tables():
    table = "| a |\n|---|\n| 1 |\n"
    element, _, _ = render(f"{table}\n<!-- 分隔 -->\n\n{table}")
    assert [child.tag for child in element] == [W + "tbl", W + "p", W + "tbl"]


def test_nested_lists_two_deep():
    element, diags, _ = render("1. 第一项\n   - 要点甲\n   - 要点乙\n2. 第二项\n   1. 细目\n")
    texts = paragraphs(element)
    assert texts == ["1.第一项", "• 要点甲", "• 要点乙", "2.第二项", "（1）细目"]
    ps = [p for p in element.findall(W + "p")]
    nested = [p for p in ps if p.find(f"{W}pPr/{W}ind") is not None]
    assert len(nested) == 3  # the three second-level items are indented
    assert all(p.find(f"{W}pPr/{W}ind").get(qn("w:leftChars")) == "200" for p in nested)
    assert not diags.items


def test_ordered_list_start_number_is_kept():
    element, _, _ = render("3. 三\n4. 四\n")
    assert paragraphs(element) == ["3.三", "4.四"]


def test_bold_inside_a_list_item():
    element, _, _ = render("- 完成**全部**任务\n")
    runs = element.findall(f"{W}p/{W}r")
    bold = [r for r in runs if r.find(f"{W}rPr/{W}b") is not None]
    assert ["".join(t.text for t in r.iter(W + "t")) for r in bold] == ["全部"]


def test_italic_and_strikethrough():
    element, _, _ = render("*斜体*和~~删除~~\n")
    runs = {r.find(W + "t").text: r for r in element.iter(W + "r")}
    assert runs["斜体"].find(f"{W}rPr/{W}i") is not None
    assert runs["删除"].find(f"{W}rPr/{W}strike") is not None


def test_headings_use_heading_styles_with_gbt9704_fonts():
    element, _, _ = render("# 一级\n\n## 二级\n\n### 三级\n\n#### 四级\n")
    ps = element.findall(W + "p")
    assert [style_of(p) for p in ps[:4]] == ["Heading1", "Heading2", "Heading3", "Heading4"]
    fonts = [p.find(f".//{W}rFonts").get(qn("w:eastAsia")) for p in ps[:4]]
    assert fonts == ["黑体", "楷体_GB2312", "仿宋_GB2312", "仿宋_GB2312"]


def test_hard_break_and_soft_breaks():
    element, _, _ = render("第一行\\\n第二行\n中文接续\nand English\ncontinues\n")
    p = element.find(W + "p")
    assert p.find(f".//{W}br") is not None
    text = "".join(t.text for t in p.iter(W + "t"))
    # a source line break joins Chinese with nothing and Latin words with a space
    assert text == "第一行第二行中文接续and English continues"


def test_gfm_table_inside_a_section_cell():
    md = "说明如下：\n\n| 项目 | 金额（元） |\n|:---|---:|\n| 收入 | 1611200.00 |\n| 支出 | 1583388.23 |\n"
    element, diags, _ = render(md, into_cell=True)
    tbl = element.find(W + "tbl")
    assert tbl is not None
    rows = table_rows(tbl)
    assert [[c.text for c in r] for r in rows] == [["项目", "金额（元）"], ["收入", "1611200.00"],
                                                  ["支出", "1583388.23"]]
    assert is_header_row(tbl.findall(W + "tr")[0])
    assert all(c.width for r in rows for c in r)
    right = rows[1][1].element.find(f".//{W}jc")
    assert right is not None and right.get(qn("w:val")) == "right"
    assert not diags.items


def test_image_inside_the_project(tmp_path):
    write_files(tmp_path, {"content/images/logo.png": tiny_png()})
    element, diags, doc = render("![标志](images/logo.png)\n", root=tmp_path)
    assert not diags.items
    blip = element.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
    assert blip is not None
    rid = blip.get(qn("r:embed"))
    assert doc.part.related_parts[rid].blob == tiny_png()


@pytest.mark.parametrize("src,message", [("images/none.png", "不存在"),
                                         ("../../outside.png", "项目目录之外")])
def test_missing_or_outside_image_is_an_error_with_line(tmp_path, src, message):
    (tmp_path / "outside.png").write_bytes(tiny_png())
    element, diags, _ = render(f"正文。\n\n![图]({src})\n", root=tmp_path / "project")
    (d,) = diags.items
    assert (d.code, d.severity.value, d.line) == ("PD208", "error", 7)
    assert message in d.message
    assert "［图片：图］" in paragraphs(element)


def test_raw_html_is_kept_as_text_with_a_warning_and_line():
    element, diags, _ = render("第一段。\n\n<div>原样</div>\n\n行内<b>粗</b>字\n", body_line=10)
    codes = [(d.code, d.line) for d in diags.items]
    assert codes == [("PD209", 12), ("PD209", 14)]
    text = "".join(paragraphs(element))
    assert "<div>原样</div>" in text and "<b>" in text


def test_html_comments_are_notes_and_vanish_quietly():
    element, diags, _ = render("正文。\n\n<!-- 审阅意见：再核对数字 -->\n")
    assert paragraphs(element) == ["正文。"]
    assert not diags.items


def test_links_print_their_address():
    element, _, _ = render("见[财政厅网站](http://czt.example.cn)。\n")
    assert paragraphs(element) == ["见财政厅网站（http://czt.example.cn）。"]


def test_block_quote_is_indented():
    element, _, _ = render("> 引用的文件内容。\n")
    ind = element.find(f"{W}p/{W}pPr/{W}ind")
    assert ind is not None and ind.get(qn("w:leftChars")) == "200"


def test_every_run_has_east_asian_font():
    element, _, _ = render("**粗**、*斜*、`code`、[链](http://x.cn)\n\n- 列表\n\n| a |\n|---|\n| 表 |\n")
    runs = [r for r in element.iter(W + "r") if r.find(W + "t") is not None]
    assert runs and all(r.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) for r in runs)


def test_pictures_have_ids_unique_in_the_document(tmp_path):
    # The body is text until it is zipped, so the part cannot number the drawings:
    # the renderer counts them across sections.
    write_files(tmp_path, {"content/a.png": tiny_png(), "content/b.png": tiny_png()})
    doc = new_document(load_layout("jiangsu-2020"), body_pt=12, table_pt=12, title_pt=22)
    renderer = DocxRenderer(doc, tmp_path, Diagnostics())
    xml = "".join(renderer.render(Section(key, key, "", "![甲](a.png)文字![乙](b.png)\n",
                                          f"content/0{n}-{key}.md", 5))
                  for n, key in enumerate(("overview", "method"), start=1))
    body = parse_xml(f"<w:body {nsdecls('w', 'r')}>{xml}</w:body>")
    ids = [e.get("id") for e in body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(ids) == 4 and len(set(ids)) == 4
