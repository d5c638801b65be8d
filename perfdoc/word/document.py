"""A new Word document set up for Chinese official text: page, fonts and styles.

Every paragraph perfdoc writes has a role (body, heading1, cell, ...); a role is
a Word style plus the fonts its runs carry. Runs carry the fonts too, so text
pasted into another document keeps them.

A document is python-docx's package (page, styles, footers, images) and a body
written as OOXML text, which is spliced in when the package is zipped.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.styles.style import StyleFactory

from perfdoc import ooxml
from perfdoc.sources.layout import Fonts, Layout, Page


@dataclass(frozen=True)
class Role:
    style_id: str
    east_asia: str
    latin: str
    size_pt: float
    bold: bool = False


@dataclass(frozen=True)
class Sheet:
    """The roles of one document, and its type area."""

    roles: dict[str, Role]
    text_width: int  # twips

    def __getitem__(self, name: str) -> Role:
        return self.roles[name]


@dataclass
class WordDocument:
    """A document being written: python-docx's package and the body as text."""

    package: DocxDocument  # page, styles, footers, image parts
    sheet: Sheet
    body: list[str] = field(default_factory=list)  # blocks as OOXML text, in order

    def add(self, xml: str) -> None:
        self.body.append(xml)


CODE_FONT = "Courier New"
TABLE_LINE_SPACING = 1.15  # a little air between the lines of a cell

# GB/T 9704 heading levels: 一、黑体  （一）楷体  1. 仿宋加粗  （1）仿宋
_HEADINGS = (("heiti", False), ("kaiti", False), ("body", True), ("body", False))


def new_document(layout: Layout, *, body_pt: float, table_pt: float, title_pt: float,
                 line_pt: float | None = None) -> WordDocument:
    """A blank A4 document with the layout's margins, fonts and footers, and its roles.

    `line_pt` fixes the line spacing of running text (GB/T 9704: 22 lines a page);
    table text keeps single spacing. The set-up is made once per page, fonts and
    sizes and copied (0.6 ms, against 1.5 ms to reopen it and 6 ms to make it):
    a build writes up to fifty forms alike.
    """
    prepared, sheet = _prepared(layout.page, layout.fonts, body_pt, table_pt, title_pt, line_pt)
    return WordDocument(copy.deepcopy(prepared), sheet)


# The styles of python-docx's template a document starts from (with what they are
# based on and linked to); the other 160, mostly table styles, are never used.
_TEMPLATE_STYLES = frozenset({"Normal", "Heading1", "Heading2", "Heading3", "Heading4",
                              "Header", "Footer"})
# python-docx's template with only those styles and no optional parts: 8 KB, parsed in
# 1.5 ms where the whole template takes 21 ms and pruning it 5 ms more. It also keeps
# the output from changing with python-docx's template; test_imports checks it is still
# what write_template() makes.
TEMPLATE = Path(__file__).resolve().parent.parent / "assets" / "template.docx"
_TEMPLATE_DATE = datetime(2020, 1, 1, tzinfo=UTC)


def pruned_default() -> DocxDocument:
    """python-docx's default template, its optional parts and unused styles dropped."""
    doc = docx.Document()
    ooxml.drop_optional_parts(doc)
    ooxml.prune_styles(doc.styles.element, set(_TEMPLATE_STYLES))
    return doc


def write_template() -> None:
    """Write TEMPLATE anew (after an upgrade of python-docx changed its template)."""
    TEMPLATE.write_bytes(ooxml.docx_package(pruned_default(), "", _TEMPLATE_DATE))


@lru_cache(maxsize=1)
def _template() -> DocxDocument:
    """TEMPLATE, parsed once per process; each variant starts from a copy."""
    return docx.Document(str(TEMPLATE))


@lru_cache(maxsize=8)
def _prepared(page: Page, fonts: Fonts, body_pt: float, table_pt: float, title_pt: float,
              line_pt: float | None) -> tuple[DocxDocument, Sheet]:
    doc = copy.deepcopy(_template())
    ooxml.complete_settings(doc.settings.element)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    section.top_margin, section.bottom_margin = Mm(page.top_mm), Mm(page.bottom_mm)
    section.left_margin, section.right_margin = Mm(page.left_mm), Mm(page.right_mm)
    section.footer_distance = Mm(page.footer_mm)
    section.header_distance = Mm(15)

    ooxml.set_doc_defaults(doc.styles.element, fonts.latin, fonts.body, body_pt)
    font_of = {"body": fonts.body, "heiti": fonts.heiti, "kaiti": fonts.kaiti}
    roles: dict[str, Role] = {}

    def paragraph_style(role: str, style: Any, east_asia: str, size_pt: float, *,
                        bold: bool = False, indent: int = 0, align: Any = None,
                        latin: str = fonts.latin, fixed: float | None = None,
                        multiple: float = 1.0) -> None:
        rPr = style.element.get_or_add_rPr()
        for child in list(rPr):  # drop the template's theme fonts, colours and italics
            rPr.remove(child)
        ooxml.set_fonts(rPr, latin, east_asia)
        style.font.size = Pt(size_pt)
        style.font.bold = bold
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        pPr = style.element.get_or_add_pPr()
        if fixed:
            ooxml.exact_line_spacing(pPr, fixed)
            ooxml.snap_to_grid_off(pPr)
        else:
            fmt.line_spacing = multiple
        # Explicit even when 0: custom styles are based on Normal, which indents.
        ooxml.first_line_chars(pPr, indent, size_pt)
        if align is not None:
            fmt.alignment = align
        roles[role] = Role(style.style_id, east_asia, latin, size_pt, bold)

    def custom(name: str) -> Any:
        # Straight to the XML: styles.add_style() scans every style by name first.
        element = doc.styles.element.add_style_of_type(name, WD_STYLE_TYPE.PARAGRAPH, False)
        element.basedOn_val = "Normal"
        return StyleFactory(element)

    styles = doc.styles
    paragraph_style("body", styles["Normal"], fonts.body, body_pt, indent=2,
                    align=WD_ALIGN_PARAGRAPH.JUSTIFY, fixed=line_pt)
    for level, (font, bold) in enumerate(_HEADINGS, start=1):
        paragraph_style(f"heading{level}", styles[f"Heading {level}"], font_of[font],
                        body_pt, bold=bold, indent=2, fixed=line_pt)
    paragraph_style("title", custom("PD Title"), fonts.title, title_pt,
                    align=WD_ALIGN_PARAGRAPH.CENTER, fixed=line_pt)
    paragraph_style("label", custom("PD Label"), fonts.heiti, body_pt,
                    align=WD_ALIGN_PARAGRAPH.LEFT, fixed=line_pt)
    paragraph_style("code", custom("PD Code"), fonts.body, body_pt, latin=CODE_FONT,
                    fixed=line_pt)
    # Short cell text reads better ragged: justified CJK spreads out in narrow columns.
    paragraph_style("cell", custom("PD Cell"), fonts.body, table_pt,
                    align=WD_ALIGN_PARAGRAPH.LEFT, multiple=TABLE_LINE_SPACING)
    paragraph_style("cell_head", custom("PD Cell Head"), fonts.heiti, table_pt,
                    align=WD_ALIGN_PARAGRAPH.CENTER, multiple=TABLE_LINE_SPACING)

    ooxml.page_number_footers(section, doc.settings, fonts.page_number, 14,
                              ooxml.twips(14 * 25.4 / 72))
    return doc, Sheet(roles, ooxml.twips(page.text_width_mm))


def text_paragraph(role: Role, text: str = "", size_pt: float | None = None,
                   **props: Any) -> str:
    """A paragraph of `role` with one run of `text`; `props` as ooxml.paragraph_xml."""
    run = ooxml.run_xml(text, role.latin, role.east_asia, bold=role.bold,
                        size_pt=size_pt) if text else ""
    return ooxml.paragraph_xml(run, role.style_id, **props)


def title_paragraph(sheet: Sheet, text: str, **props: Any) -> str:
    """A centred title; a newline in `text` breaks the line (梯形 titles)."""
    role = sheet["title"]
    runs = ooxml.BREAK_RUN.join(ooxml.run_xml(line, role.latin, role.east_asia)
                                for line in text.split("\n"))
    return ooxml.paragraph_xml(runs, role.style_id, **props)
