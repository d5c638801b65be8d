"""Markdown tokens -> Word blocks as OOXML text, for a document body or a cell.

Read it like markdown-it-py's RendererHTML: one small method per token type,
dispatched from `rules`. Block methods take (tokens, idx); inline methods take
(children, idx). What cannot be rendered faithfully is printed as its source
text and reported, never dropped.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.sources import markdown
from perfdoc.sources.headings import demote, typed_heading
from perfdoc.sources.model import Section
from perfdoc.word.document import CODE_FONT, Role, WordDocument

# Ordered-list markers follow the official hierarchy below 一、（一）: 1. then （1）.
_ORDERED = (lambda n: f"{n}.", lambda n: f"（{n}）",
            lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else f"{n})")
_BULLETS = ("•", "◦", "▪")


def _attr(token: Token, name: str) -> str:
    """A token attribute as text (markdown-it types them str | int | float)."""
    value = token.attrGet(name)
    return "" if value is None else str(value)


def _plain(inline: Token | None) -> str:
    """An inline token's text as printed (markup removed)."""
    if inline is None or inline.type != "inline":
        return ""
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


@dataclass
class _Frame:
    """A container being written: its blocks so far, and its usable width."""

    width: int  # twips
    blocks: list = field(default_factory=list)  # str (tables) and ooxml.Paragraph
    after_table: bool = False  # the last block written is a table


@dataclass
class _List:
    ordered: bool
    number: int
    depth: int  # among the enclosing lists of the same kind


@dataclass
class _TableState:
    widths: list[int]
    rows: list[ooxml.Row] = field(default_factory=list)
    header: bool = False
    cell_width: int = 0


@dataclass
class _Marks:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    links: list[str] = field(default_factory=list)


class DocxRenderer:
    """Renders sections for one document (its styles, and its package for images)."""

    def __init__(self, document: WordDocument, root: Path, diags: Diagnostics,
                 typed_headings: bool = False, demote_headings: bool = False):
        self.sheet = document.sheet
        self.part = document.package.part  # where images go
        self._shape_id: int | None = None  # drawing ids: the body is text until zipped
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

    def render(self, section: Section, width: int | None = None) -> str:
        """A section's body as blocks, for a container `width` twips wide (the type
        area by default)."""
        self._section = section
        self._frames = [_Frame(width or self.sheet.text_width)]
        self._para: ooxml.Paragraph | None = None  # the paragraph being written
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
        return ooxml.blocks_xml(self._frames[0].blocks)

    def render_inline(self, children: Sequence[Token]) -> None:
        for idx, child in enumerate(children):
            self.rules.get(child.type, self._unknown)(children, idx)

    # ------------------------------------------------------------ blocks

    def paragraph_open(self, tokens: Sequence[Token], idx: int) -> None:
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

    def paragraph_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._para = None
        self._lead = None
        self._renumber = None

    def heading_open(self, tokens: Sequence[Token], idx: int) -> None:
        level = min(int(tokens[idx].tag[1]) + (1 if self.demote_headings else 0), 4)
        self._open_paragraph(f"heading{level}")

    def heading_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._para = None

    def bullet_list_open(self, tokens: Sequence[Token], idx: int) -> None:
        self._lists.append(_List(False, 1, self._depth_of(False)))

    def ordered_list_open(self, tokens: Sequence[Token], idx: int) -> None:
        start = int(tokens[idx].attrGet("start") or 1)
        self._lists.append(_List(True, start, self._depth_of(True)))

    def _depth_of(self, ordered: bool) -> int:
        """Markers follow the nesting of lists of the same kind: 1. then （1）."""
        return sum(1 for lst in self._lists if lst.ordered == ordered)

    def bullet_list_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._lists.pop()

    ordered_list_close = bullet_list_close

    def list_item_open(self, tokens: Sequence[Token], idx: int) -> None:
        current = self._lists[-1]
        depth = min(current.depth, 2)
        self._marker = (_ORDERED[depth](current.number) if current.ordered
                        else _BULLETS[depth] + " ")
        current.number += 1

    def list_item_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._marker = None

    def blockquote_open(self, tokens: Sequence[Token], idx: int) -> None:
        self._quote += 1

    def blockquote_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._quote -= 1

    def code_block(self, tokens: Sequence[Token], idx: int) -> None:
        for line in tokens[idx].content.rstrip("\n").split("\n"):
            self._open_paragraph("code")
            self._run(line)
        self._para = None

    fence = code_block

    def hr(self, tokens: Sequence[Token], idx: int) -> None:
        self._open_paragraph("cell").jc = "center"
        self._run("＊　＊　＊")
        self._para = None

    def html_block(self, tokens: Sequence[Token], idx: int) -> None:
        content = tokens[idx].content
        if markdown.is_comment(content):
            return
        markdown.html_warning(self._section, content, self._line, self.diags)
        for line in content.rstrip("\n").split("\n"):
            self._open_paragraph("body")
            self._run(line)
        self._para = None

    # ------------------------------------------------------------ GFM tables

    def table_open(self, tokens: Sequence[Token], idx: int) -> None:
        cols = markdown.table_columns(tokens, idx)
        frame = self._frames[-1]
        if frame.after_table:
            frame.blocks.append(ooxml.paragraph_xml(""))  # two adjacent tables would fuse
        each = frame.width // max(cols, 1)
        self._table = _TableState([each] * cols)

    def table_close(self, tokens: Sequence[Token], idx: int) -> None:
        frame = self._frames[-1]
        frame.blocks.append(ooxml.table(self._open_table.widths, self._open_table.rows))
        frame.after_table = True
        self._table = None

    def thead_open(self, tokens: Sequence[Token], idx: int) -> None:
        self._open_table.header = True

    def thead_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._open_table.header = False

    def tbody_open(self, tokens: Sequence[Token], idx: int) -> None:
        pass

    tbody_close = tbody_open

    def tr_open(self, tokens: Sequence[Token], idx: int) -> None:
        self._open_table.rows.append(ooxml.Row([], header=self._open_table.header))

    def tr_close(self, tokens: Sequence[Token], idx: int) -> None:
        pass

    def td_open(self, tokens: Sequence[Token], idx: int) -> None:
        table = self._open_table
        table.cell_width = table.widths[min(len(table.rows[-1].cells), len(table.widths) - 1)]
        self._frames.append(_Frame(table.cell_width - ooxml.CELL_MARGINS))
        para = self._open_paragraph("cell_head" if table.header else "cell")
        align = re.search(r"text-align:(\w+)", _attr(tokens[idx], "style"))
        if align and align.group(1) in ("left", "center", "right"):
            para.jc = align.group(1)

    th_open = td_open

    def td_close(self, tokens: Sequence[Token], idx: int) -> None:
        self._para = None
        frame = self._frames.pop()
        table = self._open_table
        table.rows[-1].cells.append(ooxml.Cell(table.cell_width, "", None,
                                               blocks=ooxml.blocks_xml(frame.blocks)))

    th_close = td_close

    # ------------------------------------------------------------ inline

    def text(self, children: Sequence[Token], idx: int) -> None:
        self._run(children[idx].content)

    def softbreak(self, children: Sequence[Token], idx: int) -> None:
        # A line break in the source joins Chinese without a space, Latin with one.
        before = children[idx - 1].content[-1:] if idx > 0 else ""
        after = children[idx + 1].content[:1] if idx + 1 < len(children) else ""
        if not (ooxml.is_east_asian(before) or ooxml.is_east_asian(after)):
            self._run(" ")

    def hardbreak(self, children: Sequence[Token], idx: int) -> None:
        self._ensure_paragraph().runs.append(ooxml.BREAK_RUN)

    def strong_open(self, children: Sequence[Token], idx: int) -> None:
        self._marks.bold = True

    def strong_close(self, children: Sequence[Token], idx: int) -> None:
        self._marks.bold = False

    def em_open(self, children: Sequence[Token], idx: int) -> None:
        self._marks.italic = True

    def em_close(self, children: Sequence[Token], idx: int) -> None:
        self._marks.italic = False

    def s_open(self, children: Sequence[Token], idx: int) -> None:
        self._marks.strike = True

    def s_close(self, children: Sequence[Token], idx: int) -> None:
        self._marks.strike = False

    def code_inline(self, children: Sequence[Token], idx: int) -> None:
        self._ensure_paragraph()
        self._emit(children[idx].content, self._role, latin=CODE_FONT)

    def link_open(self, children: Sequence[Token], idx: int) -> None:
        self._marks.links.append(_attr(children[idx], "href"))

    def link_close(self, children: Sequence[Token], idx: int) -> None:
        # Paper has no links: the address is printed after the text, unless it is the text.
        href = self._marks.links.pop()
        start = next(i for i in range(idx, -1, -1) if children[i].type == "link_open")
        shown = "".join(c.content for c in children[start:idx])
        if href and href != shown and not href.startswith("mailto:" + shown):
            self._run(f"（{href}）")

    def image(self, children: Sequence[Token], idx: int) -> None:
        token = children[idx]
        path, why = markdown.resolve_image(_attr(token, "src"), self._section, self.root)
        if path is None:
            self.diags.error("PD208", self._section.path, why, line=self._line)
            self._run(f"［图片：{token.content or token.attrGet('src')}］")
            return
        para = self._ensure_paragraph()
        if self._shape_id is None:
            self._shape_id = self.part.next_id
        try:
            run = ooxml.picture_run(self.part, path, self._frames[-1].width, self._shape_id)
        except Exception:  # python-docx raises several types for unreadable images
            self.diags.error("PD208", self._section.path,
                             f"图片“{token.attrGet('src')}”无法读取（文件损坏或格式不支持）",
                             line=self._line)
            self._emit(f"［图片：{token.content}］", self._role)
            return
        self._shape_id += 1
        para.runs.append(run)

    def html_inline(self, children: Sequence[Token], idx: int) -> None:
        content = children[idx].content
        if markdown.is_comment(content):
            return
        markdown.html_warning(self._section, content, self._line, self.diags)
        self._run(content)

    # ------------------------------------------------------------ helpers

    def _unknown(self, tokens: Sequence[Token], idx: int) -> None:
        token = tokens[idx]
        if token.type.endswith("_close"):
            return
        self.diags.warning("PD209", self._section.path,
                           f"不支持的 Markdown 结构“{token.type}”，已按原文输出", line=self._line)
        if token.content:
            self._run(token.content)

    def _open_paragraph(self, role_name: str) -> ooxml.Paragraph:
        frame = self._frames[-1]
        role = self.sheet[role_name]
        para = ooxml.Paragraph(role.style_id)
        frame.blocks.append(para)
        frame.after_table = False
        indent = 2 * (max(len(self._lists) - 1, 0) + self._quote)
        if indent and not self._table:
            para.ind = ooxml.indent_left(indent, role.size_pt)
        self._para, self._para_role = para, role
        if self._marker:
            self._run(self._marker)
            self._marker = None  # later paragraphs of the item carry no marker
        return para

    def _ensure_paragraph(self) -> ooxml.Paragraph:
        if self._para is not None:
            return self._para
        return self._open_paragraph("cell" if self._table else "body")

    @property
    def _role(self) -> Role:
        """The role of the paragraph being written (one is opened if none is)."""
        self._ensure_paragraph()
        assert self._para_role is not None  # set with every paragraph
        return self._para_role

    @property
    def _open_table(self) -> _TableState:
        assert self._table is not None  # markdown-it nests table tokens in table_open
        return self._table

    def _run(self, text: str) -> None:
        role = self._role
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

    def _emit(self, text: str, role: Role, latin: str | None = None) -> None:
        marks = self._marks
        self._ensure_paragraph().runs.append(ooxml.run_xml(text, latin or role.latin, role.east_asia,
                                             bold=marks.bold or role.bold,
                                             italic=marks.italic, strike=marks.strike))
