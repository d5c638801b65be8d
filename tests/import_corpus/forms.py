"""Foreign forms and reports holding the sample's real data, one per quirk that
import must read (tests/test_import_corpus.py). The truth is the sample itself:
its indicators and its sections' rendered text."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from import_corpus.wordml import (
    PAGE_BREAK,
    chinese_numbering,
    document,
    p,
    sdt,
    tbl,
    tc,
    text_box,
    tr,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Truth:
    year: int
    unit: str
    sections: list[tuple[str, str, str, list[str]]]  # key, title, hint, paragraphs
    indicators: list[tuple[tuple[str, ...], Decimal, Decimal, str]]  # levels, 分值, 得分, 说明


def truth() -> Truth:
    from perfdoc.diagnostics import Diagnostics
    from perfdoc.rules.check import check_project
    from perfdoc.sources.templating import render_sections

    report, _ = check_project(ROOT)
    rendered = render_sections(report, Diagnostics())
    sections = []
    for s in rendered.sections.values():
        paragraphs = [re.sub(r"^- ", "", part.strip()).replace("**", "")
                      for part in s.body.strip().split("\n\n")]
        sections.append((s.key, s.title, s.hint, paragraphs))
    return Truth(report.facts.year, report.facts.unit, sections,
                 [(i.levels, i.weight, i.score, i.note) for i in report.indicators])


def num(value: Decimal) -> str:
    return format(value.normalize(), "f")


# ---------------------------------------------------------------- pieces


def heading(t: Truth) -> str:
    return (p(f"{t.year}年省级部门整体支出绩效自我评价表格") + p(f"填报单位：{t.unit}"))


def section_rows(t: Truth, columns: int) -> list[str]:
    """The seed's shape: the title and hint alone in a row, the text in the next."""
    rows = []
    for _, title, hint, paragraphs in t.sections:
        rows.append(tr(tc(p(title + hint), span=columns)))
        rows.append(tr(tc(*(p(x) for x in paragraphs), span=columns)))
    return rows


def indicator_rows(t: Truth, cell: Callable[[int, int, str], str] | None = None,
                   index: bool = False) -> list[str]:
    """One row per indicator, 一级指标 merged down (vMerge); `cell(row, column, text)`
    writes a cell (default: plain)."""
    write = cell or (lambda r, c, text: tc(p(text)))
    rows, previous = [], None
    for r, (levels, weight, score, note) in enumerate(t.indicators):
        first = levels[0]
        cells = [tc(p(str(r + 1)))] if index else []
        cells.append(tc(p(first), vmerge="restart") if first != previous
                     else tc(p(""), vmerge="continue"))
        previous = first
        cells += [write(r, 1, levels[1]), write(r, 2, num(weight)), write(r, 3, num(score)),
                  write(r, 4, note)]
        rows.append(tr(*cells))
    return rows


def total(t: Truth) -> Decimal:
    return sum((i[2] for i in t.indicators), Decimal(0))


PLAIN_HEADER = ("一级指标", "二级指标", "分值", "得分", "说明")


def indicator_table(t: Truth, header: tuple[str, ...] = PLAIN_HEADER, **options) -> str:
    rows = [tr(*(tc(p(h)) for h in header), header=True)]
    rows += indicator_rows(t, **options)
    rows.append(tr(tc(p("合计"), span=2), tc(p("100")), tc(p(num(total(t)))), tc(p(""))))
    return tbl(rows, len(header))


def form(t: Truth, path: Path, indicators: str | None = None, sections: list[str] | None = None,
         before: str = "", numbering: str = "") -> Path:
    body = before + heading(t) + tbl(sections or section_rows(t, 5), 5) \
        + p("") + (indicators or indicator_table(t))
    return document(body, path, numbering)


# ---------------------------------------------------------------- the corpus


def handwritten(t: Truth, path: Path) -> Path:
    """The seed's shape in plain WordprocessingML: the baseline."""
    return form(t, path)


def python_docx_merges(t: Truth, path: Path) -> Path:
    """Written through python-docx's API, the first-level cells merged with cell.merge."""
    import docx

    doc = docx.Document()
    doc.add_paragraph(f"{t.year}年省级部门整体支出绩效自我评价表格")
    doc.add_paragraph(f"填报单位：{t.unit}")
    sections = doc.add_table(rows=0, cols=1)
    for _, title, hint, paragraphs in t.sections:
        sections.add_row().cells[0].text = title + hint
        cell = sections.add_row().cells[0]
        cell.text = paragraphs[0]
        for x in paragraphs[1:]:
            cell.add_paragraph(x)
    table = doc.add_table(rows=1, cols=5)
    for cell, h in zip(table.rows[0].cells, PLAIN_HEADER, strict=True):
        cell.text = h
    start, previous = None, None
    for levels, weight, score, note in t.indicators:
        cells = table.add_row().cells
        if levels[0] != previous:
            start, previous = cells[0], levels[0]
            cells[0].text = levels[0]
        else:
            start.merge(cells[0])
        for cell, text in zip(cells[1:], (levels[1], num(weight), num(score), note), strict=True):
            cell.text = text
    last = table.add_row().cells
    last[0].text = "合计"
    last[3].text = num(total(t))
    doc.save(str(path))
    return path


def two_row_header(t: Truth, path: Path) -> Path:
    """分值 and 得分 under a merged 评分情况, units in the names, 备注 for 说明."""
    rows = [tr(tc(p("一级指标"), vmerge="restart"), tc(p("二级指标"), vmerge="restart"),
               tc(p("评分情况"), span=2), tc(p("备注"), vmerge="restart"), header=True),
            tr(tc(p(""), vmerge="continue"), tc(p(""), vmerge="continue"), tc(p("分值（分）")),
               tc(p("得分（分）")), tc(p(""), vmerge="continue"), header=True)]
    rows += indicator_rows(t)
    rows.append(tr(tc(p("合计"), span=2), tc(p("100")), tc(p(num(total(t)))), tc(p(""))))
    return form(t, path, tbl(rows, 5))


def index_and_synonyms(t: Truth, path: Path) -> Path:
    """序号 in front, 指标分值 / 自评得分 / 扣分原因, and 合计 in the merged 序号 cells."""
    header = ("序号", "一级指标", "二级指标", "指标分值", "自评得分", "扣分原因")
    rows = [tr(*(tc(p(h)) for h in header), header=True)]
    rows += indicator_rows(t, index=True)
    rows.append(tr(tc(p("合 计"), span=3), tc(p("100")), tc(p(num(total(t)))), tc(p(""))))
    return form(t, path, tbl(rows, 6))


def repeated_header(t: Truth, path: Path) -> Path:
    """The header row again where the table crossed a page (typed, not a repeat flag)."""
    rows = indicator_rows(t)
    head = tr(*(tc(p(h)) for h in PLAIN_HEADER))
    rows = [head, *rows[:12], head, *rows[12:]]
    rows.append(tr(tc(p("合计"), span=2), tc(p("100")), tc(p(num(total(t)))), tc(p(""))))
    return form(t, path, tbl(rows, 5))


def full_width_numbers(t: Truth, path: Path) -> Path:
    """５ typed with a Chinese input method, and 5分."""
    wide = str.maketrans("0123456789.", "０１２３４５６７８９．")

    def cell(r: int, c: int, text: str) -> str:
        if c == 2 and r % 2 == 0:
            return tc(p(text.translate(wide)))
        if c == 3:
            return tc(p(text + "分"))
        return tc(p(text))
    return form(t, path, indicator_table(t, cell=cell))


def content_controls(t: Truth, path: Path) -> Path:
    """An online template: each 得分 cell a content control (w:sdt around the w:tc), the
    说明 text in a paragraph-level one, and each section's text in a block-level one."""
    def cell(r: int, c: int, text: str) -> str:
        if c == 3:
            return sdt(tc(p(text)))
        if c == 4:
            return f"<w:tc>{sdt(p(text))}</w:tc>"
        return tc(p(text))
    rows = []
    for _, title, hint, paragraphs in t.sections:
        rows.append(tr(tc(p(title + hint), span=5)))
        rows.append(tr(tc(sdt("".join(p(x) for x in paragraphs)), span=5)))
    return form(t, path, indicator_table(t, cell=cell), sections=rows)


def wrapped_cells(t: Truth, path: Path) -> Path:
    """Long names wrapped with Enter into two paragraphs of one cell (and one with
    Shift+Enter): the halves join without a space between Chinese characters."""
    def cell(r: int, c: int, text: str) -> str:
        if c in (1, 4) and len(text) > 12:
            half = len(text) // 2  # at a Chinese character, as a writer would press Enter
            while not ("\u4e00" <= text[half - 1] <= "\u9fff" and "\u4e00" <= text[half] <= "\u9fff"):
                half += 1
            if r % 3 == 0:
                return tc(p(text[:half], text[half:], breaks=True))
            return tc(p(text[:half]), p(text[half:]))
        return tc(p(text))
    return form(t, path, indicator_table(t, cell=cell))


def line_breaks(t: Truth, path: Path) -> Path:
    """Each section's text one paragraph, its parts separated by Shift+Enter."""
    rows = []
    for _, title, hint, paragraphs in t.sections:
        rows.append(tr(tc(p(title + hint), span=5)))
        rows.append(tr(tc(p(*paragraphs, breaks=True), span=5)))
    return form(t, path, sections=rows)


def same_row(t: Truth, path: Path) -> Path:
    """The title on the left, its text on the right, in one row."""
    rows = [tr(tc(p(title), p(hint)), tc(*(p(x) for x in paragraphs), span=4))
            for _, title, hint, paragraphs in t.sections]
    return form(t, path, sections=rows)


def horizontal_merges(t: Truth, path: Path) -> Path:
    """Rows merged the old way (w:hMerge), as WPS and old Word files keep them."""
    rows = []
    for _, title, hint, paragraphs in t.sections:
        rows.append(tr(tc(p(title + hint), hmerge="restart"),
                       *(tc(p(""), hmerge="continue") for _ in range(4))))
        rows.append(tr(tc(*(p(x) for x in paragraphs), hmerge="restart"),
                       *(tc(p(""), hmerge="continue") for _ in range(4))))
    return form(t, path, sections=rows)


def text_in_title_cell(t: Truth, path: Path) -> Path:
    """The text typed under the title, in the title's own cell; no text rows."""
    rows = [tr(tc(p(title), p(hint), *(p(x) for x in paragraphs), span=5))
            for _, title, hint, paragraphs in t.sections]
    return form(t, path, sections=rows)


def outside_the_table(t: Truth, path: Path) -> Path:
    """The sections as paragraphs above the indicator table: some with the hint on the
    title's line, some with it on its own line, one without."""
    body = heading(t)
    for n, (_, title, hint, paragraphs) in enumerate(t.sections):
        body += p(title + hint) if n % 3 == 0 else p(title) + (p(hint) if n % 3 == 1 else "")
        body += "".join(p(x) for x in paragraphs)
    return document(body + indicator_table(t), path)


def automatic_numbering(t: Truth, path: Path) -> Path:
    """The form with every typed number inside the text made by Word's numbering
    (w:numPr): 一、 and （一） are list labels, not characters."""
    from perfdoc.sources.headings import typed_heading

    def numbered(x: str) -> str:
        level, _ = typed_heading(x)
        if level in (1, 2):
            text = re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", "", x)
            return p(text, num=(7, level - 1))
        return p(x)
    rows = []
    for n, (_, title, hint, paragraphs) in enumerate(t.sections):
        numbered_here = [numbered(x).replace('w:numId w:val="7"', f'w:numId w:val="{7 + n}"')
                         for x in paragraphs]
        rows.append(tr(tc(p(title + hint), span=5)))
        rows.append(tr(tc(*numbered_here, span=5)))
    # one list per section, each restarting at 一、 (w:lvlOverride), as Word does when
    # a writer chooses "重新开始于一"
    return form(t, path, sections=rows,
                numbering=chinese_numbering(7, restarts=len(t.sections)))


REPORT_DATE = datetime.date(2021, 3, 15)


def report_with_heading_numbering(t: Truth, path: Path, in_style: bool = False) -> Path:
    """A 评价报告 as an office writes it: the section titles in Heading 1 numbered by
    Word (一、), each with its hint in brackets; the numbers typed inside the text one
    level down, as the report prints them; 署名 and 成文日期; then the attachment."""
    from perfdoc.sources.headings import demoted

    body = p(t.unit) + p(f"{t.year}年度部门整体支出绩效评价报告")
    for _, title, hint, paragraphs in t.sections:
        body += p(title.split("、", 1)[1] + hint, style="Heading1",
                  num=None if in_style else (9, 0))
        body += "".join(p(demoted(x)) for x in paragraphs)
    body += p(t.unit) + p(f"{REPORT_DATE.year}年{REPORT_DATE.month}月{REPORT_DATE.day}日")
    body += PAGE_BREAK + p("附件：") + p("部门整体支出绩效自评评分表") + indicator_table(t)
    return document(body, path, chinese_numbering(9), styled={"Heading1": 9} if in_style else None)


def numbering_in_the_heading_style(t: Truth, path: Path) -> Path:
    """The same report, the numbering carried by the 标题 1 style, not each paragraph."""
    return report_with_heading_numbering(t, path, in_style=True)


def cover_and_text_box(t: Truth, path: Path) -> Path:
    """A cover page and a 目录 in front, and a text box anchored at the start of the
    填报单位 line (its text stored twice, as Word does)."""
    cover = (p("附件1") + p(f"{t.year}年省级部门整体支出绩效自我评价表格") + p("目录")
             + "".join(p(f"{title}……1") for _, title, _, _ in t.sections) + PAGE_BREAK)
    unit = p(f"填报单位：{t.unit}", extra=text_box("表一"))
    body = cover + unit + tbl(section_rows(t, 5), 5) + p("") + indicator_table(t)
    return document(body, path)


def _split(t: Truth, between: str, header_again: bool) -> str:
    """The indicator table as Word leaves it when a page break (Ctrl+Enter) or a
    paragraph is put between two rows: two w:tbl, the second starting inside a merge
    (its first 一级指标 cell keeps vMerge="continue")."""
    rows = indicator_rows(t)
    head = tr(*(tc(p(h)) for h in PLAIN_HEADER), header=True)
    second = [head] if header_again else []
    second += [*rows[12:], tr(tc(p("合计"), span=2), tc(p("100")), tc(p(num(total(t)))),
                              tc(p("")))]
    return tbl([head, *rows[:12]], 5) + between + tbl(second, 5)


def split_by_a_page_break(t: Truth, path: Path) -> Path:
    """A page break typed inside the indicator table: the rest is a table of its own,
    without a header."""
    return form(t, path, _split(t, PAGE_BREAK, header_again=False))


def continued_after_a_paragraph(t: Truth, path: Path) -> Path:
    """The table continued after a “（续表）” paragraph, its header typed again."""
    return form(t, path, _split(t, p("（续表）"), header_again=True))


def first_level_in_every_row(t: Truth, path: Path) -> Path:
    """一级指标 written in every row instead of merged (as a CSV pasted into Word)."""
    rows = [tr(*(tc(p(h)) for h in PLAIN_HEADER), header=True)]
    for levels, weight, score, note in t.indicators:
        rows.append(tr(*(tc(p(x)) for x in (*levels, num(weight), num(score), note))))
    rows.append(tr(tc(p("合计"), span=2), tc(p("100")), tc(p(num(total(t)))), tc(p(""))))
    return form(t, path, tbl(rows, 5))


def nested_indicator_table(t: Truth, path: Path) -> Path:
    """The indicator table inside a cell of the form's table."""
    rows = section_rows(t, 5)
    rows.append(tr(tc(p("评价指标"), span=5)))
    rows.append(tr(tc(indicator_table(t), p(""), span=5)))
    return document(heading(t) + tbl(rows, 5), path)


CORPUS: dict[str, Callable[[Truth, Path], Path]] = {
    f.__name__: f for f in (
        handwritten, python_docx_merges, two_row_header, index_and_synonyms,
        repeated_header, full_width_numbers, content_controls, wrapped_cells, line_breaks,
        same_row, horizontal_merges, text_in_title_cell, outside_the_table,
        automatic_numbering, report_with_heading_numbering, numbering_in_the_heading_style,
        cover_and_text_box, nested_indicator_table, split_by_a_page_break,
        continued_after_a_paragraph, first_level_in_every_row)
}
