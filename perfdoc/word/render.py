"""Markdown tokens -> python-docx blocks, in any container (document body or a cell).

Read it like markdown-it-py's RendererHTML: one small method per token type,
dispatched from `rules`. Block methods take (tokens, idx); inline methods take
(children, idx). What cannot be rendered faithfully is printed as its source
text and reported, never dropped.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree
from markdown_it.token import Token

from perfdoc import ooxml
from perfdoc.rules.diagnostics import Diagnostics
from perfdoc.sources import markdown
from perfdoc.sources.headings import demote, typed_heading
from perfdoc.sources.model import Section
from perfdoc.word.document import CODE_FONT, Role, Sheet

# Ordered-list markers follow the official hierarchy below 一、（一）: 1. then （1）.
_ORDERED = (lambda n: f"{n}.", lambda n: f"（{n}）",
            lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else f"{n})")
_BULLETS = ("•", "◦", "▪")


def _plain(inline: Token) -> str:
    """An inline token's text as printed (markup removed)."""
    if inline.type != "inline":
        return ""
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


@dataclass
class _Frame:
    """A container being written into, and its usable width."""

    container: object  # python-docx _Body or _Cell
    width: int  # twips
    pristine: object = None  # a new cell's empty w:p, reused first


@dataclass
class _List:
    ordered: bool
    number: int
    depth: int  # among the enclosing lists of the same kind


@dataclass
class _TableState:
    tbl: object
    proxy: Table
    widths: list[int]
    header: bool = False
    row: object = None
    col: int = 0


@dataclass
class _Marks:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    links: list[str] = field(default_factory=list)


class DocxRenderer:
    def __init__(self, sheet: Sheet, root: Path, diags: Diagnostics,
                 typed_headings: bool = False, demote_headings: bool = False):
        self.sheet = sheet
        self.root = root
        self.diags = diags
        # Official documents number headings by hand (一、（一）1.（1）): with this on,
        # a paragraph typed that way takes that heading level's fonts.
        self.typed_headings = typed_headings
        # Under a section heading of its own (the report), typed numbering and Markdown
        # headings print one level down: 一、 → （一）, keeping the number.
        self.demote_headings = demote_headings
        self.rules = {
            name: method for name, method in inspect.getmembers(self, inspect.ismethod)
            if not name.startswith(("render", "_"))
        }

    # ------------------------------------------------------------ entry points

    def render(self, section: Section, container, width: int | None = None) -> None:
        """Render a section's body at the end of `container`."""
        self._section = section
        self._frames = [self._frame(container, width or self.sheet.text_width)]
        self._para = None  # the w:p being written
        self._para_role: Role | None = None
        self._lead: tuple[Role, int] | None = None  # (heading role, characters left)
        self._renumber: tuple[str, str] | None = None  # typed number: (as written, printed)
        self._lists: list[_List] = []
        self._marker: str | None = None
        self._quote = 0
        self._table: _TableState | None = None
        self._marks = _Marks()
        self._line = section.body_line
        tokens = markdown.parse(section.body)
        for idx, token in enumerate(tokens):
            if token.map:
                self._line = section.body_line + token.map[0]
            if token.type == "inline":
                self.render_inline(token.children or [])
            else:
                self.rules.get(token.type, self._unknown)(tokens, idx)
        self._close_container(self._frames[0])

    def render_inline(self, children: list[Token]) -> None:
        for idx, child in enumerate(children):
            self.rules.get(child.type, self._unknown)(children, idx)

    # ------------------------------------------------------------ blocks

    def paragraph_open(self, tokens, idx):
        if self._table:
            self._open_paragraph("cell")
            return
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        typed = self.typed_headings and inline and not self._lists and not self._quote
        text = _plain(inline) if typed else ""
        level, lead = typed_heading(text) if typed else (None, 0)
        if level and self.demote_headings:
            level, old, new = demote(text)
            self._renumber = (old, new)
            lead += len(new) - len(old) if lead else 0
        if level and not lead:  # the whole paragraph is the heading
            self._open_paragraph(f"heading{level}")
        else:
            self._open_paragraph("body")
            if level:  # "（一）标题。正文……": the heading's words in its font, the rest body
                self._lead = (self.sheet[f"heading{level}"], lead)

    def paragraph_close(self, tokens, idx):
        self._para = None
        self._lead = None
        self._renumber = None

    def heading_open(self, tokens, idx):
        level = min(int(tokens[idx].tag[1]) + (1 if self.demote_headings else 0), 4)
        self._open_paragraph(f"heading{level}")

    def heading_close(self, tokens, idx):
        self._para = None

    def bullet_list_open(self, tokens, idx):
        self._lists.append(_List(False, 1, self._depth_of(False)))

    def ordered_list_open(self, tokens, idx):
        start = int(tokens[idx].attrGet("start") or 1)
        self._lists.append(_List(True, start, self._depth_of(True)))

    def _depth_of(self, ordered: bool) -> int:
        """Markers follow the nesting of lists of the same kind: 1. then （1）."""
        return sum(1 for lst in self._lists if lst.ordered == ordered)

    def bullet_list_close(self, tokens, idx):
        self._lists.pop()

    ordered_list_close = bullet_list_close

    def list_item_open(self, tokens, idx):
        current = self._lists[-1]
        depth = min(current.depth, 2)
        self._marker = (_ORDERED[depth](current.number) if current.ordered
                        else _BULLETS[depth] + " ")
        current.number += 1

    def list_item_close(self, tokens, idx):
        self._marker = None

    def blockquote_open(self, tokens, idx):
        self._quote += 1

    def blockquote_close(self, tokens, idx):
        self._quote -= 1

    def code_block(self, tokens, idx):
        for line in tokens[idx].content.rstrip("\n").split("\n"):
            self._open_paragraph("code")
            self._run(line)
        self._para = None

    fence = code_block

    def hr(self, tokens, idx):
        self._open_paragraph("cell")
        self._run("＊　＊　＊")
        ooxml.set_jc(self._para, "center")
        self._para = None

    def html_block(self, tokens, idx):
        content = tokens[idx].content
        if markdown.is_comment(content):
            return
        markdown.html_warning(self._section, content, self._line, self.diags)
        for line in content.rstrip("\n").split("\n"):
            self._open_paragraph("body")
            self._run(line)
        self._para = None

    # ------------------------------------------------------------ GFM tables

    def table_open(self, tokens, idx):
        cols = markdown.table_columns(tokens, idx)
        frame = self._frames[-1]
        container = frame.container
        if frame.pristine is None and len(container._element) and \
                container._element[-1].tag == ooxml.qn("w:tbl"):
            ooxml.new_paragraph(container._element)  # two adjacent tables would fuse
        frame.pristine = None
        each = frame.width // max(cols, 1)
        widths = [each] * cols
        tbl = ooxml.new_table(container._element, widths)
        self._table = _TableState(tbl, Table(tbl, container), widths)

    def table_close(self, tokens, idx):
        self._table = None

    def thead_open(self, tokens, idx):
        self._table.header = True

    def thead_close(self, tokens, idx):
        self._table.header = False

    def tbody_open(self, tokens, idx):
        pass

    tbody_close = tbody_open

    def tr_open(self, tokens, idx):
        self._table.row = ooxml.add_row(self._table.tbl, header=self._table.header)
        self._table.col = 0

    def tr_close(self, tokens, idx):
        pass

    def td_open(self, tokens, idx):
        table = self._table
        width = table.widths[min(table.col, len(table.widths) - 1)]
        tc = ooxml.add_cell(table.row, width, valign="center")
        table.col += 1
        self._frames.append(_Frame(_Cell(tc, table.proxy), width - ooxml.CELL_MARGINS))
        self._open_paragraph("cell_head" if table.header else "cell")
        align = re.search(r"text-align:(\w+)", tokens[idx].attrGet("style") or "")
        if align and align.group(1) in ("left", "center", "right"):
            ooxml.set_jc(self._para, align.group(1))

    th_open = td_open

    def td_close(self, tokens, idx):
        self._para = None
        self._close_container(self._frames.pop())

    th_close = td_close

    # ------------------------------------------------------------ inline

    def text(self, children, idx):
        self._run(children[idx].content)

    def softbreak(self, children, idx):
        # A line break in the source joins Chinese without a space, Latin with one.
        before = children[idx - 1].content[-1:] if idx > 0 else ""
        after = children[idx + 1].content[:1] if idx + 1 < len(children) else ""
        if not (ooxml.has_east_asian(before) or ooxml.has_east_asian(after)):
            self._run(" ")

    def hardbreak(self, children, idx):
        ooxml.add_break(self._ensure_paragraph())

    def strong_open(self, children, idx):
        self._marks.bold = True

    def strong_close(self, children, idx):
        self._marks.bold = False

    def em_open(self, children, idx):
        self._marks.italic = True

    def em_close(self, children, idx):
        self._marks.italic = False

    def s_open(self, children, idx):
        self._marks.strike = True

    def s_close(self, children, idx):
        self._marks.strike = False

    def code_inline(self, children, idx):
        self._ensure_paragraph()
        self._emit(children[idx].content, self._para_role, latin=CODE_FONT)

    def link_open(self, children, idx):
        self._marks.links.append(children[idx].attrGet("href") or "")

    def link_close(self, children, idx):
        # Paper has no links: the address is printed after the text, unless it is the text.
        href = self._marks.links.pop()
        start = next(i for i in range(idx, -1, -1) if children[i].type == "link_open")
        shown = "".join(c.content for c in children[start:idx])
        if href and href != shown and not href.startswith("mailto:" + shown):
            self._run(f"（{href}）")

    def image(self, children, idx):
        token = children[idx]
        path, why = markdown.resolve_image(token.attrGet("src") or "", self._section, self.root)
        if path is None:
            self.diags.error("PD208", self._section.path, why, line=self._line)
            self._run(f"［图片：{token.content or token.attrGet('src')}］")
            return
        p = self._ensure_paragraph()
        run = Run(etree.SubElement(p, ooxml.qn("w:r")),
                  Paragraph(p, self._frames[-1].container))
        try:
            shape = run.add_picture(str(path))
        except Exception:  # python-docx raises several types for unreadable images
            self.diags.error("PD208", self._section.path,
                             f"图片“{token.attrGet('src')}”无法读取（文件损坏或格式不支持）",
                             line=self._line)
            run.text = f"［图片：{token.content}］"
            return
        limit = self._frames[-1].width * 635  # twips -> EMU
        if shape.width > limit:
            shape.height = int(shape.height * limit / shape.width)
            shape.width = limit

    def html_inline(self, children, idx):
        content = children[idx].content
        if markdown.is_comment(content):
            return
        markdown.html_warning(self._section, content, self._line, self.diags)
        self._run(content)

    # ------------------------------------------------------------ helpers

    def _unknown(self, tokens, idx):
        token = tokens[idx]
        if token.type.endswith("_close"):
            return
        self.diags.warning("PD209", self._section.path,
                           f"不支持的 Markdown 结构“{token.type}”，已按原文输出", line=self._line)
        if token.content:
            self._run(token.content)

    def _frame(self, container, width: int) -> _Frame:
        element = container._element
        paragraphs = element.findall(ooxml.qn("w:p"))
        pristine = None
        if isinstance(container, _Cell) and len(paragraphs) == 1 and \
                len(element) == 2 and not len(paragraphs[0]):
            pristine = paragraphs[0]
        return _Frame(container, width, pristine)

    def _close_container(self, frame: _Frame) -> None:
        if isinstance(frame.container, _Cell):
            ooxml.end_cell(frame.container._element)

    def _open_paragraph(self, role_name: str):
        frame = self._frames[-1]
        role = self.sheet[role_name]
        if frame.pristine is not None:
            para, frame.pristine = frame.pristine, None
            para.get_or_add_pPr().get_or_add_pStyle().val = role.style_id
        else:
            para = ooxml.new_paragraph(frame.container._element, role.style_id)
        indent = 2 * (max(len(self._lists) - 1, 0) + self._quote)
        if indent and not self._table:
            ooxml.left_indent_chars(para.get_or_add_pPr(), indent, role.size_pt)
        self._para, self._para_role = para, role
        if self._marker:
            self._run(self._marker)
            self._marker = None  # later paragraphs of the item carry no marker
        return para

    def _ensure_paragraph(self):
        if self._para is not None:
            return self._para
        return self._open_paragraph("cell" if self._table else "body")

    def _run(self, text: str):
        self._ensure_paragraph()
        role = self._para_role
        if self._renumber:  # the paragraph's first text starts with its typed number
            old, new = self._renumber
            self._renumber = None
            if text.startswith(old):
                text = new + text[len(old):]
        if self._lead:  # the first characters belong to a typed heading
            lead_role, left = self._lead
            if len(text) < left:
                self._lead = (lead_role, left - len(text))
                return self._emit(text, lead_role)
            self._lead = None
            if len(text) == left:
                return self._emit(text, lead_role)
            self._emit(text[:left], lead_role)
            text = text[left:]
        return self._emit(text, role)

    def _emit(self, text: str, role: Role, latin: str | None = None):
        marks = self._marks
        return ooxml.add_run(self._para, text, latin or role.latin, role.east_asia,
                             bold=marks.bold or role.bold, italic=marks.italic,
                             strike=marks.strike)
