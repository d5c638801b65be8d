"""A new Word document set up for Chinese official text: page, fonts and styles.

Every paragraph perfdoc writes has a role (body, heading1, cell, ...); a role is
a Word style plus the fonts its runs carry. Runs carry the fonts too, so text
pasted into another document keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.styles.style import StyleFactory

from perfdoc import ooxml
from perfdoc.sources.layout import Layout


@dataclass(frozen=True)
class Role:
    style_id: str
    east_asia: str
    latin: str
    size_pt: float
    bold: bool = False


@dataclass
class Sheet:
    """The roles of one document, and its type area."""

    roles: dict[str, Role]
    text_width: int  # twips

    def __getitem__(self, name: str) -> Role:
        return self.roles[name]


CODE_FONT = "Courier New"
TABLE_LINE_SPACING = 1.15  # a little air between the lines of a cell

# GB/T 9704 heading levels: 一、黑体  （一）楷体  1. 仿宋加粗  （1）仿宋
_HEADINGS = (("heiti", False), ("kaiti", False), ("body", True), ("body", False))


def new_document(layout: Layout, *, body_pt: float, table_pt: float, title_pt: float,
                 line_pt: float | None = None):
    """A blank A4 document with the layout's margins, fonts and footers, and its roles.

    `line_pt` fixes the line spacing of running text (GB/T 9704: 22 lines a page);
    table text keeps single spacing.
    """
    doc = docx.Document()
    ooxml.drop_optional_parts(doc)
    ooxml.complete_settings(doc.settings.element)
    page, fonts = layout.page, layout.fonts
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    section.top_margin, section.bottom_margin = Mm(page.top_mm), Mm(page.bottom_mm)
    section.left_margin, section.right_margin = Mm(page.left_mm), Mm(page.right_mm)
    section.footer_distance = Mm(page.footer_mm)
    section.header_distance = Mm(15)

    ooxml.set_doc_defaults(doc.styles.element, fonts.latin, fonts.body, body_pt)
    font_of = {"body": fonts.body, "heiti": fonts.heiti, "kaiti": fonts.kaiti}
    roles: dict[str, Role] = {}

    def paragraph_style(role: str, style, east_asia: str, size_pt: float, *,
                        bold: bool = False, indent: int = 0, align=None,
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

    def custom(name: str):
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
    ooxml.prune_styles(doc.styles.element,
                       {role.style_id for role in roles.values()} | {"Header", "Footer"})
    width = ooxml.twips(page.text_width_mm)
    return doc, Sheet(roles, width)


def add_text(parent, role: Role, text: str = "", size_pt: float | None = None):
    """A paragraph of `role` with one run of `text`, at the end of a body or cell element."""
    p = ooxml.new_paragraph(parent, role.style_id)
    if text:
        ooxml.add_run(p, text, role.latin, role.east_asia, bold=role.bold, size_pt=size_pt)
    return p


def add_title(body, sheet: Sheet, text: str):
    """A centred title; a newline in `text` breaks the line (梯形 titles)."""
    role = sheet["title"]
    p = ooxml.new_paragraph(body._element, role.style_id)
    for i, line in enumerate(text.split("\n")):
        if i:
            ooxml.add_break(p)
        ooxml.add_run(p, line, role.latin, role.east_asia)
    return p
