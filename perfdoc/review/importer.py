"""`perfdoc import FORM.docx`: last year's Word file into content/ and indicators/.

python-docx reads the structure (title, 填报单位, the section rows, the indicator
block with its merges); pandoc turns each section's cells or paragraphs into
Markdown, keeping paragraphs, bold and lists. Everything is assembled in memory
and written only when the whole file was understood.
"""

from __future__ import annotations

import copy
import csv
import datetime
import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.files import WriteError, check_targets
from perfdoc.review import form_blocks, formats
from perfdoc.review.package import ImportFailure, Opened
from perfdoc.sources.columns import is_total, normalized, schema_header, text_role, vocabulary
from perfdoc.sources.headings import promote, typed_heading
from perfdoc.sources.layout import CsvSchema, Layout, SectionSpec, fill
from perfdoc.sources.model import BUDGET_ROW, Budgeted, Funds, decimal_text

MAX_CSV_FILES = 50  # first-level groups written one CSV each; beyond, one CSV for all
PANDOC_SECONDS = 60
PANDOC_MEMORY = "1g"  # pandoc's heap (+RTS -M)
_TBL = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl"
COLUMNS = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "weight": "分值",
           "score": "得分", "note": "说明", "owner": "责任处室"}
_MARK = "PERFDOCSECTIONMARK"
_ATX = re.compile(r"^#{1,6}\s+(.*)$")
# pandoc's footnote definitions: "[^1]: text", continued on lines indented four spaces.
_FOOTNOTE = re.compile(r"^\[\^([^\]]+)\]:[ \t]*(.*(?:\n(?:    |\t).*)*)\n?", re.M)


@dataclass
class Imported:
    files: dict[str, str] = field(default_factory=dict)  # project path -> text
    notes: Diagnostics = field(default_factory=Diagnostics)  # what needs a look
    repairs: list[str] = field(default_factory=list)  # what import put right, for the summary
    source: str = "Word 文件"  # the file, as warnings name it
    dated: datetime.date | None = None  # a report's 成文日期
    signed_by: str | None = None  # and its 署名
    # What the file says, before it is written as sources (merged across files first):
    facts: dict = field(default_factory=dict)  # report.md's frontmatter
    # key -> (spec, hint, Markdown, the title as printed: None where the file has none)
    sections: dict[str, tuple[SectionSpec, str, str, str | None]] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)  # indicator rows, {role: text}
    tables_only: bool = False  # read from sheets only: indicators/ is all it writes
    header_row: int = 0  # where the indicator table's header starts in its table

    def repair(self, line: str) -> None:
        self.repairs.append(line)


# ---------------------------------------------------------------- structure


def _pattern(template: str) -> re.Pattern:
    """A title pattern from the layout ("{year}年…") as a regex with named groups."""
    out = re.escape(template.replace("\n", ""))
    out = out.replace(r"\{year\}", r"(?P<year>\d{4})").replace(r"\{unit\}", r"(?P<unit>.+?)")
    return re.compile(out)


# A typed number in front of a title: 一、 （一） 1. 1、 第一部分
_LEADING_NUMBER = re.compile(r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]"
                             r"|[0-9]+[、.．]|第[一二三四五六七八九十]+(?:部分|章|节)[、：:]?)")
_PARENTHETICAL = re.compile(r"[（(][^（()）]*[)）]")


_flat = form_blocks.flat  # text without whitespace, as titles and labels are compared


@functools.lru_cache(maxsize=256)
def _words(title: str) -> str:
    """A title without its typed number: 一、部门概况 -> 部门概况."""
    return _LEADING_NUMBER.sub("", title, count=1)


def _section_of(text: str, layout: Layout) -> tuple[SectionSpec, str, bool] | None:
    """(spec, hint, exact) when `text` is a section's title: the layout's title, or its
    words after any typed number ("部门概况", "1.部门概况", numbered by Word), followed
    by nothing, a colon, or a hint in brackets. `exact` is False for the second kind."""
    flat = _flat(text).rstrip("：:")
    if len(flat) > 80:
        return None
    for spec in layout.sections:
        core = _words(spec.title)
        if flat.startswith(spec.title):
            rest, exact = flat[len(spec.title):], True
        else:
            number = _LEADING_NUMBER.match(flat)
            after = flat[number.end():] if number else flat
            if not core or not after.startswith(core):
                continue
            rest, exact = after[len(core):], False
        if not rest or _PARENTHETICAL.fullmatch(rest):
            return spec, rest, exact
    return None


def _part(doc: Any, name: str) -> Any:
    """The root element of the numbering or styles part, None when the file has none."""
    try:
        return doc.part.numbering_part.element if name == "numbering" else doc.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        return None


def read_form(doc: Any, layout: Layout, source: str = "Word 文件") -> Imported:
    """A 自评表 or a 评价报告 as sources, recognised by what the layout says they contain."""
    out = read_parts(doc, layout, source)
    finish(out, layout)
    return out


def read_documents(paths: list[Path], layout: Layout) -> Imported:
    """The sources from one or more files of the same year (a form, a report, the
    finance office's indicator sheet): the first leads, each next one fills in what it
    lacks (merge). An ImportFailure names its file in `source`."""
    imported: Imported | None = None
    for path in paths:
        try:
            opened = formats.open_file(path)
            read = read_opened(opened, layout, str(path), need_table=len(paths) == 1)
        except ImportFailure as exc:
            exc.source = str(path)
            raise
        if imported is None:
            imported = read
        else:
            merge(imported, read)
    assert imported is not None, "at least one file"
    if not imported.rows:
        failure = ImportFailure("PD604", "这些文件中都没有找到指标表（表头应有一级指标和得分两列）")
        failure.source = "、".join(map(str, paths))
        raise failure
    finish(imported, layout)
    return imported


def read_opened(opened: Opened, layout: Layout, source: str, need_table: bool = True) -> Imported:
    """One opened file's sources, with what opening it put right or could not read."""
    if opened.grids is not None:
        read = read_sheets(opened.grids, layout, source)
    else:
        read = read_parts(opened.document, layout, source, need_table)
    read.repairs[:0] = opened.repairs
    for message in opened.warnings:
        read.notes.warning("PD609", source, message)
    return read


def read_sheets(grids: list, layout: Layout, source: str) -> Imported:
    """An indicator table alone (a workbook or a CSV): its rows, and the unit and year
    from the rows above its header (a title row, a 填报单位 row)."""
    out = Imported(source=source, tables_only=True)
    found = _indicator_table(grids, layout, out, {})
    if found is None:
        raise ImportFailure("PD604", "表格中没有找到指标表：表头应有一级指标和得分两列（也认"
                           "“自评得分”“分值（分）”“备注”等写法，见 README 第 7 节）")
    (number, *_), out.rows = found
    blocks = []
    for row in grids[number][:out.header_row]:
        text = "  ".join(c.text for c in row if c.text and not c.continued)
        if text:
            blocks.append(("p", text, etree.Element(ooxml.qn("w:p"))))
    facts = _facts(blocks, [], layout, out)
    out.facts = {k: v for k, v in facts.items() if k in ("year", "unit")}
    return out


def read_parts(doc: Any, layout: Layout, source: str = "Word 文件",
               need_table: bool = True) -> Imported:
    """What one file holds: facts, sections and indicator rows, not yet written; a
    file without an indicator table is PD604 when `need_table` (else another file
    given with it may hold the table)."""
    out = Imported(source=source)
    body = doc.element.body
    numbered = ooxml.typed_numbering(body, _part(doc, "numbering"), _part(doc, "styles"))
    if numbered:
        out.repair(f"已把 Word 的自动编号（一、（一）1. 等）转换为文字：{numbered} 段")
    blocks = list(ooxml.body_blocks(body))
    tables = list(body.iter(_TBL))  # tables nested in cells too, in document order
    grids = [ooxml.read_table(tbl) for tbl in tables]
    funds, reason = form_blocks.budget_block(grids, layout) or ({}, "")
    found = _indicator_table(grids, layout, out, funds)
    if found is None and not need_table:
        found = [], []
    if found is None:
        raise ImportFailure("PD604", "没有找到自评表的结构：没有指标表（表头应有一级指标和得分两列，"
                           "也认“自评得分”“分值（分）”“备注”等写法，见 README 第 7 节）")
    numbers, out.rows = found
    indicator_tables = [tables[n] for n in numbers]
    specs = {s.key: s for s in layout.sections}
    sections = [(specs[part.key], "", elements)
                for part, elements in form_blocks.goals_block(grids, layout)]
    goal_keys = {part_spec.key for part_spec, _, _ in sections}
    sections += [s for s in _form_sections(grids, layout, out) if s[0].key not in goal_keys]
    from_paragraphs = not sections
    headings: dict[str, str] = {}
    if from_paragraphs:
        sections, headings = _paragraph_sections(blocks, layout, indicator_tables, out)
    out.facts = _facts(blocks, grids, layout, out)
    if funds:
        out.facts["funds"] = {name: {k: v.value for k, v in amounts.items()}
                              for name, amounts in funds.items()}
    if reason:
        out.facts["execution_reason"] = reason

    markdown = _to_markdown(doc, [elements for _, _, elements in sections])
    # A part of a goals or text block prints the layout's header, not its file's title
    # (一、年度目标): that title is known from a report, where it heads the part.
    parts = {p.key for p in layout.parts}
    for (spec, hint, _), text in zip(sections, markdown, strict=True):
        if from_paragraphs and layout.the_report.demote_headings and not _has_first_level(text):
            text = _promoted(text)  # a report printed each typed number one level down
        title = spec.title if spec.key not in parts else \
            headings.get(spec.key) if from_paragraphs else None
        out.sections[spec.key] = (spec, hint, text, title)
    return out


def merge(first: Imported, other: Imported) -> None:
    """What `other` (the same year's other document) adds to `first`: the sections,
    facts and indicator columns `first` does not print (a form without the reason for
    a deduction, whose report's scoring table has it)."""
    for key, section in other.sections.items():
        mine = first.sections.setdefault(key, section)
        if mine[3] is None and section[3] is not None:
            first.sections[key] = (*mine[:3], section[3])
    for key, value in other.facts.items():
        if first.facts.get(key) in (None, "", {}):
            first.facts[key] = value
    first.tables_only = first.tables_only and other.tables_only
    if not first.rows:  # a report without the table, then the sheet that has it
        first.rows = other.rows
    by_path = {path: row for path, row in zip(_paths(other.rows), other.rows, strict=True)}
    for path, row in zip(_paths(first.rows), first.rows, strict=True):
        extra = by_path.get(path, {})
        for role, text in extra.items():
            if not role.startswith("level") and text and not row.get(role):
                row[role] = text
    first.repairs += other.repairs
    for d in other.notes.items:
        first.notes.add(d)
    first.dated = first.dated or other.dated


def _paths(rows: list[dict]) -> list[tuple[str, ...]]:
    """Each row's level names with the merged (empty) cells filled from above."""
    out, previous = [], ["", "", ""]
    for row in rows:
        names = [row.get(f"level{i}", "") for i in (1, 2, 3)]
        inherited = True
        for i, name in enumerate(names):
            if name:
                inherited = False
            elif inherited:
                names[i] = previous[i]
        previous = names
        out.append(tuple(names))
    return out


def finish(out: Imported, layout: Layout) -> None:
    """The sources, from what the files held; what is missing, as warnings. From
    sheets alone, only indicators/: content/ is the Word file's, or perfdoc init's."""
    source = out.source
    if out.tables_only:
        _check_weights(out)
        out.files.update(_csv_files(out.rows, layout.csv_schema))
        return
    for number, spec in enumerate((s for s in layout.sections if s.key in out.sections),
                                  start=1):
        _, hint, text, title = out.sections[spec.key]
        meta = {"section": spec.key, "title": title or spec.title}
        if hint or spec.hint:  # a report prints no hints: the layout's stand in
            meta["hint"] = hint or spec.hint
        out.files[f"content/{number:02d}-{spec.key}.md"] = (
            "---\n" + _yaml(meta) + "---\n" + (text.strip() or "无") + "\n")
    for spec in layout.sections:
        if spec.key not in out.sections:
            out.notes.warning("PD609", source, f"没有找到“{spec.title}”这一部分（标题应单独成行，"
                              "可带括号中的提示）；请补写 content/ 中的这一部分")
    _check_weights(out)
    facts = out.facts
    for key, what in (("unit", "填报单位（“填报单位：…”）"), ("year", "年度（如“2020年”）")):
        if not facts.get(key):
            out.notes.warning("PD609", source, f"没有在表格之前（封面、标题、文本框）找到{what}；"
                              f"请在 content/report.md 中填写 {key}")
    if layout.budget is not None and not facts.get("funds"):
        out.notes.warning("PD609", source, f"没有找到“{layout.budget.label}”中的金额；"
                          "请在 content/report.md 的 funds 中填写（万元）")
    if out.dated and not facts.get("date"):
        facts["date"] = out.dated
    if not facts.get("date"):
        facts.pop("date", None)
    out.files["content/report.md"] = (
        "---\n# 由 perfdoc import 从 Word 文件生成；金额等没有出现在表中的信息请补充。\n"
        + _yaml(facts) + "---\n")
    out.files.update(_csv_files(out.rows, layout.csv_schema))


def _check_weights(out: Imported) -> None:
    unweighted = [r for r in out.rows if not r.get("weight")]
    if unweighted and all("weight" not in r for r in unweighted):  # no 分值 column at all
        for record in unweighted:  # (another file given with it may have had one)
            record["weight"] = record.get("score", "")
        out.notes.warning("PD607", out.source, "表中没有“分值”列：分值暂按得分填写，请核对")


def _has_first_level(markdown: str) -> bool:
    return any(typed_heading(p.strip())[0] == 1 for p in markdown.split("\n\n"))


# 2021年3月15日, 2021 年 3 月 15 日, 二〇二一年三月十五日
_DATE = re.compile(r"([0-9]{4}|[〇零一二三四五六七八九]{4})年([0-9]{1,2}|[一二三四五六七八九十]{1,3})月"
                   r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})日")


def _date(text: str) -> datetime.date | None:
    match = _DATE.fullmatch(_flat(text))
    if not match:
        return None

    def number(part: str) -> int:
        if part.isdigit():
            return int(part)
        digits = "〇一二三四五六七八九"
        if len(part) == 4:  # a year, digit by digit
            return int("".join(str(digits.index("〇" if c == "零" else c)) for c in part))
        tens, _, ones = part.rpartition("十")
        if "十" not in part:
            return digits.index(part)
        return (digits.index(tens) if tens else 1) * 10 + (digits.index(ones) if ones else 0)
    try:
        return datetime.date(*(number(g) for g in match.groups()))
    except ValueError:
        return None


def _facts(blocks: list, grids: list, layout: Layout, out: Imported) -> dict:
    """Year, unit and title from everything before the first table or section title
    (a cover page, a 目录, text boxes), read with the layout's own title patterns and
    填报单位 label; a report's 署名 and 成文日期 from `out`."""
    head: list[str] = []
    for kind, text, element in blocks:
        if kind == "tbl" or (text and _section_of(text, layout)):
            break
        head += ooxml.text_boxes(element)
        if text and text.strip():
            head.append(text.strip())
    joined = "".join(_flat(t) for t in head)
    found: dict = {}
    form_title = _pattern(layout.form.title).search(joined)
    report_title = _pattern(layout.the_report.title).search(joined)
    subtitle = _pattern(layout.form.subtitle).search(joined) if layout.form.subtitle else None
    for match in (form_title, report_title):
        if match:
            found = {k: v for k, v in match.groupdict().items() if v} | found
    if subtitle and subtitle.groupdict().get("year"):
        # the year only: a {unit} at the end of a pattern matches one character
        found.setdefault("year", subtitle.group("year"))
    found = form_blocks.header_facts(grids, layout) | found
    label = re.escape(layout.form.unit_label.rstrip("：:"))
    for text in head:
        unit = re.search(rf"{label}[：:]\s*(\S.*)", text)
        if unit:
            found["unit"] = re.split(r"\s{2,}", unit.group(1).strip())[0]  # 填报单位：X    日期：…
            break
    if "unit" not in found and out.signed_by:
        found["unit"] = out.signed_by
        out.notes.warning("PD610", out.source, f"填报单位按文末署名“{out.signed_by}”填写，请核对")
    year = re.search(r"(20[0-9]{2})\s*年", "".join(head))
    if "year" not in found and year:
        found["year"] = year.group(1)
    year_found = int(found["year"]) if str(found.get("year", "")).isdigit() else None
    title = form_title.group(0) if form_title else None  # the form's own title
    if title == _flat(fill(layout.form.title, year=year_found, unit=found.get("unit", ""))):
        title = None  # what the layout prints anyway: no override
    return {"year": year_found, "unit": found.get("unit"), "title": title,
            "layout": layout.name, "date": out.dated}


def _title_cell(cell: ooxml.GridCell, layout: Layout) -> tuple[SectionSpec, str, bool, list] | None:
    """(spec, hint, exact, the cell's elements after the title) when the cell starts
    with a section title; a hint in its own paragraph right after counts as the hint."""
    children = list(ooxml.body_children(cell.element))
    if not children or children[0].tag != ooxml.qn("w:p"):
        return None
    first = ooxml.paragraph_text(children[0])
    found = _section_of(first.split("\n")[0], layout)
    rest = children[1:]
    if not found:
        return None
    spec, hint, exact = found
    if "\n" in first:  # title, Shift+Enter, then the hint or the text in the same paragraph
        tail = _flat(first.split("\n", 1)[1])
        if not hint and _PARENTHETICAL.fullmatch(tail):
            hint = tail
        elif tail:
            return None  # text after a line break: too unlike a title to guess
    if not hint and rest and rest[0].tag == ooxml.qn("w:p"):
        text = _flat(ooxml.paragraph_text(rest[0]))
        if _PARENTHETICAL.fullmatch(text):
            hint, rest = text, rest[1:]
    return spec, hint, exact, rest


def _form_sections(grids: list[list[list[ooxml.GridCell]]], layout: Layout, out: Imported) -> list:
    """[(spec, hint, [content elements])] from the tables, in the shapes forms use: the
    title alone in its row with the text in the next row, the title on the left with
    the text on the right, or the text typed under the title in the title's own cell."""
    sections: list[tuple[SectionSpec, str, list]] = []
    keys: set[str] = set()
    for number, grid in enumerate(grids, start=1):
        titles = [_row_title(row, layout) for row in grid]
        for i, row in enumerate(grid):
            found = titles[i]
            if found is None or found[0].key in keys:
                continue
            spec, hint, exact, rest = found
            cells = [c for c in row if not c.continued]
            beside = [c for c in cells[1:] if c.text]
            below = [c for c in grid[i + 1] if not c.continued] if i + 1 < len(grid) else []
            if beside:
                content = _cell_content(beside[0])
            elif any(_flat(ooxml.paragraph_text(e)) for e in rest if e.tag == ooxml.qn("w:p")) \
                    or any(e.tag == _TBL for e in rest):
                content = rest
            elif below and titles[i + 1] is None and len(below) == 1:
                content = _cell_content(below[0])
            else:
                content = []
            keys.add(spec.key)
            sections.append((spec, hint, content))
            if not exact:
                out.notes.warning("PD610", out.source, f"表格 {number} 第 {i + 1} 行“"
                                  f"{_flat(cells[0].text)[:30]}”按版式识别为“{spec.title}”，请核对")
    return sections


def _row_title(row: list[ooxml.GridCell], layout: Layout) -> tuple | None:
    cells = [c for c in row if not c.continued]
    return _title_cell(cells[0], layout) if cells else None


def _cell_content(cell: ooxml.GridCell) -> list:
    return list(ooxml.body_children(cell.element))


def _paragraph_sections(blocks: list, layout: Layout, indicator_tables: list,
                        out: Imported) -> tuple[list, dict[str, str]]:
    """Sections written as paragraphs (a 评价报告, or a form's text outside its table):
    from each title to the next, stopping at the indicator table, the attachment label
    and the 署名 and 成文日期 at the end (read into report.md's date)."""
    sections: list[list[Any]] = []  # [spec, hint, elements], filled in place
    headings: dict[str, str] = {}  # key -> the title as printed
    parts = {p.key for p in layout.parts}
    current: list[Any] | None = None
    keys: set[str] = set()
    label = layout.the_report.attachment_label
    by_order = _headings_in_order(blocks, layout)
    for index, (kind, text, element) in enumerate(blocks, start=1):
        if kind == "tbl":
            if any(t is element or any(t is n for n in element.iter(_TBL))
                   for t in indicator_tables):
                current = None
            elif current is not None:
                current[2].append(element)
            continue
        flat = _flat(text)
        found = _section_of(text or "", layout)
        ordered = by_order.get(id(element))
        by_place = ordered is not None and (not found or found[0].key in keys)
        if ordered is not None and by_place:
            found = (ordered, "", False)  # a heading of its own words: by its place
        if found and found[0].key not in keys:
            spec, hint, exact = found
            keys.add(spec.key)
            current = [spec, hint, []]
            headings[spec.key] = flat[:len(flat) - len(hint)].rstrip("：:") if hint else \
                flat.rstrip("：:")
            sections.append(current)
            # A part's heading is its layout header with a number (一、年度目标): the
            # report prints every section that way, nothing was guessed.
            numbered_part = spec.key in parts and _words(headings[spec.key]) == spec.title
            if by_place:
                out.notes.warning("PD610", out.source, f"第 {index} 段“{flat[:30]}”是第 "
                                  f"{len(sections)} 个一级标题，按版式的顺序识别为“{spec.title}”，请核对")
            elif not exact and not numbered_part:
                out.notes.warning("PD610", out.source, f"第 {index} 段“{flat[:30]}”按版式识别为"
                                  f"“{spec.title}”，请核对")
        elif flat.startswith(label + "：") or flat == label:
            current = None
        elif current is not None:
            if not current[1] and not current[2] and _PARENTHETICAL.fullmatch(flat):
                current[1] = flat  # the hint, in its own paragraph under the title
            else:
                current[2].append(element)
    if sections:
        _take_signature(sections[-1][2], out)
    return [tuple(s) for s in sections], headings


def _headings_in_order(blocks: list, layout: Layout) -> dict[int, SectionSpec]:
    """id(paragraph) -> section, for the Heading 1 paragraphs before the attachment when
    there are exactly as many as the layout has sections: a report heads each section
    with its own title (一、年度总体目标), which need not be the layout's words."""
    label = layout.the_report.attachment_label
    found = []
    for kind, text, element in blocks:
        flat = _flat(text)
        if kind == "p" and (flat.startswith(label + "：") or flat == label):
            break
        if kind == "p" and flat and ooxml.paragraph_style(element) in ("Heading1", "1"):
            found.append(element)
    if len(found) != len(layout.sections):
        return {}
    return {id(e): spec for e, spec in zip(found, layout.sections, strict=True)}


def _take_signature(elements: list, out: Imported) -> None:
    """The 署名 and 成文日期 that end a report: taken off the last section (they are
    printed from report.md's unit and date), when a date closes the text."""
    texts = [_flat(ooxml.paragraph_text(e)) if e.tag == ooxml.qn("w:p") else None
             for e in elements]
    end = len(texts)
    while end and texts[end - 1] == "":
        end -= 1
    dated = _date(texts[end - 1] or "") if end else None
    if dated is None:
        return
    end -= 1
    while end and texts[end - 1] == "":
        end -= 1
    signer = texts[end - 1] if end else None  # one short line above the date, not prose
    if signer and len(signer) <= 40 and not re.search(r"[。，；]", signer):
        end -= 1
    else:
        signer = None
    del elements[end:]
    out.dated, out.signed_by = dated, signer
    out.repair(f"已把文末的署名和成文日期（{dated.isoformat()}）写入 content/report.md，不再算作正文")


def _indicator_table(grids: list[list[list[ooxml.GridCell]]], layout: Layout, out: Imported,
                     funds: Funds) -> tuple[list[int], list[dict]] | None:
    """(table indexes, rows) of the table whose header names the indicator columns
    (of several, the first that fits the layout's columns best), and of the tables
    that continue it (a page break or a paragraph splits a
    long table in two in Word); rows as {role: text}, "" in a level meaning the cell
    above (merged)."""
    schema = layout.csv_schema
    index = next((c.header for c in layout.indicators.columns if c.field == "index"), None)
    names = vocabulary(schema, index)
    totals = {normalized(layout.indicators.total_label)}
    if layout.report is not None:
        totals.add(normalized(layout.report.total_label))
    own = {names[normalized(n)] for n in (*schema.required, schema.owner)
           if normalized(n) in names} | {"index"}
    candidates = []  # (how well the header fits the layout, table, header start, end, roles)
    for number, grid in enumerate(grids):
        for start, row in enumerate(grid):
            roles = _header_roles(row, names)
            if "level1" not in roles.values():
                continue
            # A header of two (or more) rows: 分值 and 得分 under a merged 评分情况.
            end = start + 1
            while end < len(grid) and _is_header_part(grid[end], names):
                roles.update(_header_roles(grid[end], names))
                end += 1
            if "score" not in roles.values():
                continue
            named = set(roles.values())
            candidates.append((len(named & own) - len(named - own), number, start, end, roles))
            break
    if not candidates:
        return None
    # The first table that fits the layout best: a project's table (年度指标值, 实际完成值)
    # printed before the department's is not the department's.
    fit, number, start, end, roles = max(candidates, key=lambda c: (c[0], -c[1]))
    out.header_row = start
    for other in candidates:
        if other[1] < number and other[0] < fit:
            header = grids[other[1]][other[2]]
            headers = "、".join(c.text for c in header if names.get(normalized(c.text)) not in own)
            out.notes.warning("PD610", out.source, f"表格 {other[1] + 1} 的表头有本版式没有的列"
                              f"（{headers}），像是项目支出的指标表，没有导入；导入的是表格 "
                              f"{number + 1}")
    grid = grids[number]
    reading = _Reading(roles, names, totals, layout, out, sum(c.span for c in grid[start]))
    used = [number]
    reading.read(grid, end)
    following = number + 1
    while reading.total is None and following < len(grids) \
            and reading.continued_by(grids[following]):
        reading.read(grids[following], 0)
        used.append(following)
        following += 1
    if len(used) > 1:
        out.repair(f"已把分成 {len(used)} 个表格的指标表（跨页或中间有段落）接成一张：表格 "
                   + "、".join(str(n + 1) for n in used))
    reading.finish(funds)
    return used, reading.rows


def _header_roles(row: list[ooxml.GridCell], names: dict[str, str]) -> dict[int, str]:
    """grid column -> role, for the cells of a header row that name a column."""
    roles, position = {}, 0
    for cell in row:
        role = names.get(normalized(cell.text)) if not cell.continued else None
        if role:
            for column in range(position, position + cell.span):
                roles[column] = role
        position += cell.span
    return roles


def _is_header_part(row: list[ooxml.GridCell], names: dict[str, str]) -> bool:
    """A row under the header that names columns and holds no numbers (a second header
    row), not a data row."""
    texts = [c.text for c in row if c.text and not c.continued]
    return bool(texts) and all(names.get(normalized(t)) for t in texts)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def _number(text: str) -> tuple[str, bool]:
    """A weight or score as typed, and whether it had to be normalised: ５ -> 5,
    5分 -> 5, ５．５ -> 5.5."""
    plain = re.sub(r"\s+", "", text).translate(_FULL_WIDTH)
    plain = plain[:-1] if plain.endswith("分") and len(plain) > 1 else plain
    if plain != text.strip() and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", plain):
        return plain, True
    return text.strip(), False


# 4.5（扣0.5分）, 4.5 (扣0.5分), ４．５分（…）: a score with its reason in brackets
_REMARKED = re.compile(r"([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*分?\s*[（(]\s*(.+?)\s*[)）]", re.S)


def _score_remark(text: str) -> tuple[str, str]:
    """(score, remark) of a score cell that carries the deduction's reason."""
    match = _REMARKED.fullmatch(text.strip())
    if not match:
        return text, ""
    return _number(match[1])[0], match[2]


class _Reading:
    """The indicator rows of one table, or of several that continue each other."""

    def __init__(self, roles: dict[int, str], names: dict[str, str], totals: set[str],
                 layout: Layout, out: Imported, width: int):
        self.roles, self.names, self.totals = roles, names, totals
        self.layout, self.out = layout, out
        self.rows: list[dict] = []
        self.total: str | None = None
        self.budget_score: str | None = None
        self.normalised = self.joined = self.repeated = self.remarks = 0
        self.width = width  # the header's grid columns

    def is_total(self, row: list[ooxml.GridCell]) -> bool:
        return any(is_total(c.text) or normalized(c.text) in self.totals
                   for c in row if not c.continued)

    def continued_by(self, grid: list[list[ooxml.GridCell]]) -> bool:
        """The next table goes on with these rows: it starts with the header again, or
        its first row has as many grid columns as the header and names no section."""
        if not grid:
            return False
        first = grid[0]
        if "level1" in _header_roles(first, self.names).values():
            return True
        if sum(c.span for c in first) != self.width:
            return False
        return not any(_section_of(c.text.split("\n")[0], self.layout) for c in first if c.text)

    def read(self, grid: list[list[ooxml.GridCell]], start: int) -> None:
        budget_label = BUDGET_ROW if self.layout.budget is not None else None
        for index in range(start, len(grid)):
            row = grid[index]
            if "level1" in _header_roles(row, self.names).values():
                self.repeated += 1  # the header again, after a page break
                continue
            if self.is_total(row):
                self.total = _total(row, self.roles)
                return
            cells = [c for c in row if not c.continued]
            if budget_label and cells and _flat(cells[0].text) == budget_label:
                self.budget_score = _total(row, self.roles)  # the 执行率 row a report adds
                continue
            record = self.record(row)
            if any(record.values()):
                self.rows.append(record)

    def record(self, row: list[ooxml.GridCell]) -> dict[str, str]:
        record: dict[str, str] = {}
        remark = ""
        position = 0
        for cell in row:
            role = self.roles.get(position)
            position += cell.span
            if not role or role == "index" or role in record:
                continue
            if cell.continued:
                record[role] = ""
                continue
            lines = [line for line in cell.lines if line.strip()]
            text = ooxml.joined(lines)
            if len(lines) > 1 and role.startswith("level"):
                self.joined += 1
            if role in ("weight", "score", "coefficient"):
                text, changed = _number(text)
                self.normalised += changed
                if role == "score":
                    text, remark = _score_remark(text)
            record[role] = text
        if remark:  # 4.5（扣0.5分）: the remark is the reason for the deduction
            note = record.get("note", "")
            record["note"] = note if remark in note else "；".join(x for x in (remark, note) if x)
            self.remarks += 1
        return record

    def finish(self, funds: Funds) -> None:
        out, rows = self.out, self.rows
        if self.normalised:
            out.repair(f"已把全角数字和“分”字转换为数字：{self.normalised} 处")
        if self.joined:
            out.repair(f"已把指标名称中分行的文字接成一行（汉字之间不加空格）：{self.joined} 处")
        if self.repeated:
            out.repair(f"跳过了重复的表头行（跨页重复）：{self.repeated} 行")
        if self.remarks:
            where = "“说明”列" if "note" in self.roles.values() else "说明（note）"
            out.repair(f"已把写在得分后括号里的扣分说明（如“4.5（扣0.5分）”）移到{where}："
                       f"{self.remarks} 处")
        printed = self.budget_score
        budget = Decimal(printed) if printed and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", printed) \
            else _budget_score(self.layout, funds)
        _check_total(rows, self.total, budget, out)


def _budget_score(layout: Layout, funds: Funds) -> Decimal:
    """The budget block's score from the funds read back, computed as the build does."""
    if layout.budget is None:
        return Decimal(0)
    return Budgeted(layout, funds, []).budget_score


def _total(row: list[ooxml.GridCell], roles: dict[int, str]) -> str | None:
    """The total row's score: the number in the 得分 column, else its last number."""
    position, numbers, score = 0, [], None
    for cell in row:
        value, _ = _number(cell.text)
        if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", value):
            numbers.append(value)
            if roles.get(position) == "score":
                score = value
        position += cell.span
    return score or (numbers[-1] if numbers else None)


def _check_total(rows: list[dict], total_text: str | None, budget_score: Decimal,
                 out: Imported) -> None:
    """The table's 合计 against its rows (and the 执行率 score a budget block adds)."""
    if total_text is None:
        return
    try:
        scores = budget_score + sum((Decimal(r.get("score") or "0") for r in rows), Decimal(0))
        total = Decimal(total_text)
    except InvalidOperation:
        return  # the check reports the cell that is not a number
    if scores != total:
        out.notes.warning("PD606", out.source, f"原表“合计”为 {total_text}，各项得分相加为 "
                          f"{decimal_text(scores)}：合计行没有导入，以各项得分为准")


def _to_markdown(doc: Any, groups: list[list]) -> list[str]:
    """Each group of body or cell elements as Markdown, through one pandoc run.

    The original document is kept for its styles and list numbering; its body is
    replaced by the groups, separated by marker paragraphs.
    """
    if not groups:
        return []
    binary = pandoc_binary()
    # A new w:document around a new body with only the groups: the original tree is
    # left alone, since detaching a large body (or emptying it child by child) costs
    # lxml time quadratic in its size.
    part = doc.part
    original = part._element
    root = original.makeelement(original.tag, original.attrib, nsmap=original.nsmap)
    for child in original:
        if child.tag != ooxml.qn("w:body"):
            root.append(copy.deepcopy(child))  # w:background and the like
    body = original.find(ooxml.qn("w:body"))
    work = etree.SubElement(root, body.tag, body.attrib)
    for number, elements in enumerate(groups):
        ooxml.append_text_paragraph(work, f"{_MARK}{number}")
        for element in elements:
            work.append(copy.deepcopy(element))
    sect = body.find(ooxml.qn("w:sectPr"))
    if sect is not None:
        work.append(copy.deepcopy(sect))
    part._element = root  # python-docx serialises the part from this element
    try:
        with tempfile.TemporaryDirectory(prefix="perfdoc-import-") as tmp:
            path = Path(tmp) / "cells.docx"
            doc.save(str(path))
            text = _pandoc(binary, path)
    finally:
        part._element = original
    parts = re.split(rf"^{_MARK}(\d+)\s*$", text, flags=re.M)
    found = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    return [_tidy(found.get(n, "")) for n in range(len(groups))]


def pandoc_binary() -> str:
    """pandoc: PERFDOC_PANDOC, else the one pypandoc-binary ships (perfdoc[import]), else
    the system's. Only import needs it, so perfdoc installs where no pypandoc-binary
    wheel exists (loongarch64: Debian's pandoc then serves)."""
    chosen = os.environ.get("PERFDOC_PANDOC", "").strip()
    if chosen:
        return chosen
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        found = shutil.which("pandoc")
    if found:
        return found
    raise ImportFailure("PD608", "perfdoc import 需要 pandoc：请运行 pip install \"perfdoc[import]\"，"
                        "或安装系统的 pandoc（如 apt install pandoc），或用 PERFDOC_PANDOC 指定其路径")


def _pandoc(binary: str, path: Path) -> str:
    """pandoc's GFM for the document, within a time and a heap limit. Footnotes are
    placed after the paragraph that cites them, so they stay in their section."""
    command = [binary, "+RTS", f"-M{PANDOC_MEMORY}", "-RTS", str(path), "--from=docx",
               "--to=gfm", "--wrap=none", "--reference-location=block"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=PANDOC_SECONDS,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ImportFailure("PD603", f"pandoc 在 {PANDOC_SECONDS} 秒内没有读完文档内容，"
                           "已停止") from None
    except OSError as exc:
        raise ImportFailure("PD601", f"无法运行 pandoc：{exc.strerror}") from None
    if b"Heap exhausted" in done.stderr:
        raise ImportFailure("PD603", f"pandoc 读取文档内容时超过 {PANDOC_MEMORY.upper()}B 的内存"
                           "上限，已停止")
    if done.returncode != 0:  # pandoc's own words are for developers: PERFDOC_DEBUG=1 shows them
        if os.environ.get("PERFDOC_DEBUG"):
            print(done.stderr.decode("utf-8", "replace"), file=sys.stderr)
        raise ImportFailure("PD601", f"pandoc 无法读取文档内容（退出码 {done.returncode}）："
                           "文件中可能有已损坏的部分；请在 Word 中打开后另存为 .docx 再导入")
    return done.stdout.decode("utf-8", "replace")


def _inline_footnotes(markdown: str) -> str:
    """Footnotes into the text they annotate, as （注：…）: perfdoc's Markdown has no
    footnotes, and a bare [^1] would print as it stands."""
    notes = {m.group(1): " ".join(m.group(2).split()) for m in _FOOTNOTE.finditer(markdown)}
    if not notes:
        return markdown
    markdown = _FOOTNOTE.sub("", markdown)
    return re.sub(r"\[\^([^\]]+)\]", lambda m: f"（注：{notes[m.group(1)]}）"
                  if m.group(1) in notes else m.group(0), markdown)


def _tidy(markdown: str) -> str:
    """pandoc's Markdown, as a person would write it here: a heading that carries typed
    numbering (一、（一）…) was a styled paragraph, and goes back to plain text."""
    def plain(line: str) -> str:
        match = _ATX.match(line)
        text = match.group(1) if match else line
        # 1. headings print bold (仿宋加粗): pandoc reads that back as **…**
        bold = re.match(r"\*\*(.+?)\*\*(.*)$", text)
        if bold and typed_heading(bold.group(1))[0]:
            text = bold.group(1) + bold.group(2)
        return text if typed_heading(text)[0] else line
    lines = [plain(line) for line in _inline_footnotes(markdown).strip().splitlines()]
    # A line break (Shift+Enter; pandoc writes "\" at the end of the line) next to a typed
    # heading is a paragraph break: "二、收支情况" is a paragraph of its own, not a line
    # of the one around it, and the report demotes it as one.
    def whole_heading(line: str) -> bool:
        level, split = typed_heading(line.strip())
        return level is not None and split == 0
    for i in range(len(lines) - 1):
        if lines[i].endswith("\\") and (typed_heading(lines[i + 1].strip())[0]
                                         or whole_heading(lines[i][:-1])):
            lines[i] = lines[i][:-1].rstrip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _promoted(markdown: str) -> str:
    """Each paragraph's typed number back to the level the writer typed (headings.promote);
    pandoc escapes a leading "1." as "1\\.", which is undone first."""
    paragraphs = markdown.split("\n\n")
    return "\n\n".join(promote(re.sub(r"^([0-9]+)\\\.", r"\1.", p)) for p in paragraphs)


class _Dumper(yaml.SafeDumper):
    """Amounts as the loader reads them back exactly: 4116, 250.774 (never a float)."""


def _decimal_scalar(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = decimal_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


class _Flow(dict):
    """A mapping written on one line: a source's amounts, {全年预算数: 4200, …}."""


_Dumper.add_representer(Decimal, _decimal_scalar)
_Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_mapping(
    "tag:yaml.org,2002:map", value, flow_style=True))


def _yaml(data: dict) -> str:
    """Frontmatter as people write it here: funds' sources one a line, each in flow style."""
    data = {k: ({s: _Flow(a) for s, a in v.items()} if k == "funds" else v)
            for k, v in data.items() if v is not None}
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)


def _csv_files(rows: list[dict], schema: CsvSchema) -> dict[str, str]:
    """One CSV per first-level group, as the sample keeps them (one for all when there
    are more than MAX_CSV_FILES groups, or when the first level is the only one); every
    column the layout's CSV has, under the header the layout names it."""
    levels = [f"level{i}" for i in range(1, len(schema.levels) + 1)
              if f"level{i}" in schema.required and i <= len(schema.levels)
              or any(f"level{i}" in r for r in rows)]
    roles = [*levels, *(r for r in ("target", "adjusted", "actual") if schema_header(schema, r)),
             *(text_role(h) for h in schema.texts),
             *(r for r in ("coefficient",) if schema.coefficient), "weight", "score", "note"]
    roles += ["owner"] if any(r.get("owner") for r in rows) else []
    paths = _paths(rows)
    groups: list[tuple[str, list[dict]]] = []
    for record, path in zip(rows, paths, strict=True):
        # a new group where the first-level name changes (written in every row, or merged)
        if not groups or (len(levels) > 1 and path[0] != groups[-1][0]):
            groups.append((path[0], []))
        groups[-1][1].append(record)
    if len(groups) > MAX_CSV_FILES or len(levels) < 2:  # a folder nobody reviews
        groups = [("指标", rows)]
    files = {}
    for number, (name, members) in enumerate(groups, start=1):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([schema_header(schema, r) or COLUMNS[r] for r in roles])
        for record in members:
            writer.writerow([record.get(r, "") for r in roles])
        safe = re.sub(r'[\\/:*?"<>|\s]+', "_", name) or "指标"
        files[f"indicators/{number:02d}-{safe}.csv"] = buffer.getvalue()
    return files


# ---------------------------------------------------------------- writing


def write_project(imported: Imported, target: Path, force: bool) -> list[Path]:
    """content/ and indicators/ (only indicators/ from sheets) into `target`, all or
    nothing."""
    folders = ("indicators",) if imported.tables_only else ("content", "indicators")
    existing = [d for d in folders if (target / d).exists()]
    if existing and not force:
        raise ImportFailure("PD605", f"{target} 中已有 {'、'.join(d + '/' for d in existing)}，"
                           "不会覆盖；确需覆盖请加 --force")
    if target.exists() and not target.is_dir():
        raise ImportFailure("PD605", f"{target} 不是目录")
    try:
        check_targets(target, [target / d for d in folders]
                      + [target / name for name in imported.files])
    except WriteError as exc:
        raise ImportFailure("PD605", str(exc)) from None
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".perfdoc-import-", dir=target) as tmp:
        stage = Path(tmp)
        for name, text in imported.files.items():
            path = stage / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for folder, pattern in (("content", "*.md"), ("indicators", "*.csv")):
            if folder not in folders:
                continue
            dest = target / folder
            dest.mkdir(exist_ok=True)
            for stale in dest.glob(pattern):  # --force: the old sources go; images stay
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
            for path in (stage / folder).iterdir():
                path.replace(dest / path.name)
    return [target / name for name in imported.files]
