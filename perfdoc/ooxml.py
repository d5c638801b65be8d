"""Every raw OOXML perfdoc writes, in one place.

python-docx holds a document's package: page set-up, styles, footers, images.
The body is written here as OOXML text (runs, paragraphs, tables with their
grids, borders, merges and repeated header rows) and spliced into the package
when it is zipped, reproducibly; so are East Asian fonts, PAGE fields and
odd/even footers, and the whole of scores.xlsx. Element order inside `*Pr`
elements follows the schema, because Word (unlike LibreOffice) rejects files
that do not.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.oxml.shape import CT_Inline
from lxml import etree

Element = etree._Element  # lxml's element type, for annotations

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A_VAL = _W + "val"

# Children of pPr in schema order (the ones perfdoc writes).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl",
              "numPr", "pBdr", "shd", "tabs", "snapToGrid", "spacing", "ind", "jc",
              "outlineLvl", "rPr")

# CJK ideographs, kana, hangul, and full-width punctuation and forms, as ranges
# compared directly (a character class this size costs 4 ms to compile).
_EAST_ASIAN = (("\u2e80", "\u9fff"), ("\uac00", "\ud7af"), ("\uf900", "\ufaff"),
               ("\ufe30", "\ufe4f"), ("\uff00", "\uffef"))
_EAST_ASIAN_QUOTES = frozenset("\u201c\u201d\u2018\u2019\u2014\u2026")


CELL_MARGIN = 85  # twips left and right inside every table cell (1.5 mm)
CELL_MARGINS = 2 * CELL_MARGIN
CELL_PADDING = 28  # twips above and below cell text (0.5 mm), so it clears the borders


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def is_east_asian(ch: str) -> bool:
    """Whether the character `ch` is East Asian; False for "" (no character)."""
    return ch in _EAST_ASIAN_QUOTES or any(lo <= ch <= hi for lo, hi in _EAST_ASIAN)


def _ordered_child(parent: Element, tag: str, order: tuple[str, ...]) -> Element:
    """The child `w:tag` of parent, created at its schema position when missing."""
    found = parent.find(_W + tag)
    if found is not None:
        return found
    child = etree.SubElement(parent, _W + tag)
    later = set(order[order.index(tag) + 1:])
    for sibling in parent:
        if sibling is child:
            break
        if etree.QName(sibling).localname in later:
            sibling.addprevious(child)
            break
    return child


# ---------------------------------------------------------------- fonts


def _font_values(latin: str, east_asia: str) -> tuple[tuple[str, str], ...]:
    """The w:rFonts attributes perfdoc writes everywhere (runs, styles, defaults)."""
    return (("ascii", latin), ("hAnsi", latin), ("cs", latin), ("eastAsia", east_asia),
            ("hint", "eastAsia"))


def _font_attrs(latin: str, east_asia: str) -> dict[str, str]:
    return {_W + name: value for name, value in _font_values(latin, east_asia)}


def set_fonts(rPr: Any, latin: str, east_asia: str) -> None:
    """Latin and East Asian fonts on an rPr (run or style).

    Theme attributes are removed: Word prefers them over explicit names, which is
    how a Chinese body ends up in Calibri/等线. The eastAsia hint makes Word treat
    ambiguous characters (“”、…、—) as Chinese, so they stay full-width.
    """
    fonts = rPr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(_W + attr, None)
    fonts.attrib.update(_font_attrs(latin, east_asia))


def set_doc_defaults(styles_element: Element, latin: str, east_asia: str, size_pt: float) -> None:
    """docDefaults: the fonts, size and language every style inherits."""
    rpr_default = styles_element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    if rpr_default is None:
        raise ValueError("template without docDefaults")
    fonts = rpr_default.find(_W + "rFonts")
    if fonts is None:
        fonts = etree.SubElement(rpr_default, _W + "rFonts")
        rpr_default.insert(0, fonts)
    fonts.attrib.clear()
    for name, value in _font_attrs(latin, east_asia).items():
        fonts.set(name, value)
    for tag in ("sz", "szCs"):
        el = rpr_default.find(_W + tag)
        if el is None:
            el = etree.SubElement(rpr_default, _W + tag)
        el.set(qn("w:val"), str(round(size_pt * 2)))
    lang = rpr_default.find(_W + "lang")
    if lang is None:
        lang = etree.SubElement(rpr_default, _W + "lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def first_line_chars(pPr: Element, chars: int, size_pt: float) -> None:
    """First-line indent in characters (Word's 首行缩进 2 字符), with a twips fallback."""
    ind = _ordered_child(pPr, "ind", _PPR_ORDER)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * size_pt * 20)))


def exact_line_spacing(pPr: Element, pt: float) -> None:
    spacing = _ordered_child(pPr, "spacing", _PPR_ORDER)
    spacing.set(qn("w:line"), str(round(pt * 20)))
    spacing.set(qn("w:lineRule"), "exact")


def snap_to_grid_off(pPr: Element) -> None:
    """Fixed line spacing must not be stretched to the document grid."""
    _ordered_child(pPr, "snapToGrid", _PPR_ORDER).set(qn("w:val"), "0")


# ---------------------------------------------------------------- body text
# A document's body is written as OOXML text and spliced into document.xml when
# the package is zipped: building tens of thousands of runs node by node through
# python-docx's element classes, then serialising them, cost more than pandoc's
# whole conversion. Text is escaped here and nowhere else.


def _escape(text: str) -> str:
    """Character data. A carriage return is kept as a reference: a parser would read
    a raw one as a line feed."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attr(value: str) -> str:
    """A quoted attribute value."""
    return '"' + _escape(value).replace('"', "&quot;").replace("\n", "&#10;") \
        .replace("\t", "&#9;") + '"'


@lru_cache(maxsize=256)
def _rpr_xml(latin: str, east_asia: str, bold: bool, italic: bool, strike: bool,
             size_pt: float | None) -> str:
    """A run's properties, in schema order; made once per combination."""
    fonts = " ".join(f"w:{name}={_attr(value)}" for name, value in _font_values(latin, east_asia))
    props = f"<w:rFonts {fonts}/>"
    props += ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") \
        + ("<w:strike/>" if strike else "")
    if size_pt is not None:
        half_points = round(size_pt * 2)
        props += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    return f"<w:rPr>{props}</w:rPr>"


def run_xml(text: str, latin: str, east_asia: str, bold: bool = False,
            size_pt: float | None = None, italic: bool = False, strike: bool = False) -> str:
    """A run with explicit Latin and East Asian fonts (the eastAsia hint keeps “”…—
    full-width)."""
    return (f"<w:r>{_rpr_xml(latin, east_asia, bold, italic, strike, size_pt)}"
            f'<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>')


BREAK_RUN = "<w:r><w:br/></w:r>"


def _page_field(runs: str) -> str:
    """A PAGE field around runs showing its last value."""
    return f'<w:fldSimple w:instr=" PAGE ">{runs}</w:fldSimple>'


def picture_run(part: Any, path: Path, max_width: int, shape_id: int) -> str:
    """An inline picture as a run: at its own size, or scaled down to `max_width`
    twips. The image is added to `part` (once per file)."""
    rid, image = part.get_or_add_image(str(path))
    cx, cy = image.scaled_dimensions(None, None)
    limit = max_width * 635  # twips -> EMU
    if cx > limit:
        cx, cy = limit, int(cy * limit / cx)
    inline = CT_Inline.new_pic_inline(shape_id, rid, image.filename, cx, cy)
    return f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing></w:r>"


def indent_left(chars: int, size_pt: float) -> str:
    """w:ind attributes: a left indent in characters, with a twips fallback."""
    return f'w:leftChars="{chars * 100}" w:left="{round(chars * size_pt * 20)}"'


def indent_right(chars: float, size_pt: float) -> str:
    """w:ind attributes: a right indent in characters, the first-line indent cancelled
    (signature lines)."""
    return (f'w:rightChars="{round(chars * 100)}" w:right="{round(chars * size_pt * 20)}" '
            'w:firstLineChars="0" w:firstLine="0"')


def paragraph_xml(runs: str = "", style_id: str | None = None, *, jc: str | None = None,
                  keep_next: bool = False, page_break: bool = False,
                  after_pt: float | None = None, ind: str = "") -> str:
    """A paragraph; `ind` holds w:ind attributes (indent_left, indent_right)."""
    props = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
    if keep_next:
        props += "<w:keepNext/>"
    if page_break:
        props += "<w:pageBreakBefore/>"
    if after_pt is not None:
        props += f'<w:spacing w:after="{round(after_pt * 20)}"/>'
    if ind:
        props += f"<w:ind {ind}/>"
    if jc:
        props += f'<w:jc w:val="{jc}"/>'
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>" if props else f"<w:p>{runs}</w:p>"


class Paragraph:
    """A paragraph being written: runs appended as text, its XML made when its
    container is done."""

    __slots__ = ("ind", "jc", "runs", "style_id")

    def __init__(self, style_id: str | None = None):
        self.style_id = style_id
        self.jc: str | None = None
        self.ind = ""
        self.runs: list[str] = []

    def xml(self) -> str:
        return paragraph_xml("".join(self.runs), self.style_id, jc=self.jc, ind=self.ind)


def blocks_xml(blocks: list) -> str:
    """Blocks as text: strings (tables, finished paragraphs) and Paragraphs."""
    return "".join(b if isinstance(b, str) else b.xml() for b in blocks)


# Two tables with nothing between them are merged into one by Word, and then the
# second one's header rows no longer repeat; a 1-twip paragraph keeps them apart
# while the borders meet on paper.
SEAM_PARAGRAPH = ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="1" '
                  'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')


# ---------------------------------------------------------------- tables


def _tbl_open(widths: list[int]) -> str:
    """A bordered table's opening and fixed grid.

    Every column and the table itself have explicit widths, or LibreOffice lays the
    table out differently from Word.
    """
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    return (
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/>'
        f"<w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/>"
        f"<w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders>"
        f'<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="{CELL_PADDING}" w:type="dxa"/>'
        f'<w:left w:w="{CELL_MARGIN}" w:type="dxa"/>'
        f'<w:bottom w:w="{CELL_PADDING}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/>'
        f"</w:tblCellMar>"
        # The hex form agrees with the flags: noHBand 0x0200 + noVBand 0x0400.
        f'<w:tblLook w:val="0600" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    )


def _table_xml(widths: list[int], rows: str) -> str:
    """A bordered table; `rows` are w:tr elements as text."""
    return f"{_tbl_open(widths)}{rows}</w:tbl>"


def _row_open(header: bool = False, keep: bool = False) -> str:
    """A w:tr's opening: header rows repeat on every page, kept rows never split."""
    props = ("<w:cantSplit/>" if keep else "") + ("<w:tblHeader/>" if header else "")
    return f"<w:tr><w:trPr>{props}</w:trPr>" if props else "<w:tr>"


def _cell_xml(width: int, content: str, span: int = 1, vmerge: str | None = None,
             valign: str | None = "center") -> str:
    """A cell `width` twips wide holding `content` (blocks as text). It is made to end
    in a paragraph: Word refuses a cell that does not."""
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge:
        props += f'<w:vMerge w:val="{vmerge}"/>'
    if valign:
        props += f'<w:vAlign w:val="{valign}"/>'
    if not content.endswith("</w:p>"):
        content += "<w:p></w:p>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


# Cells and rows are NamedTuples: a long indicator table makes tens of thousands,
# and a frozen dataclass costs several times as much to create.
class Cell(NamedTuple):
    """One table cell as data; `role` is a document.Role (style and fonts). `blocks`,
    when given, is the cell's content as text (rendered Markdown) instead of `text`."""

    width: int  # twips
    text: str
    role: Any  # word.document.Role (latin, east_asia, bold, style_id); None with blocks
    jc: str | None = None
    span: int = 1
    vmerge: str | None = None  # "restart" | "continue"
    blocks: str | None = None
    valign: str | None = "center"  # None: text from the top (long running text)


class Row(NamedTuple):
    cells: list[Cell]
    header: bool = False  # repeated at the top of every page
    keep: bool = False  # never split across two pages (w:cantSplit)
    keep_next: bool = False  # on the same page as the row below (w:keepNext)


def table(widths: list[int], rows: list[Row]) -> str:
    """A whole bordered table from rows of cells, as text."""
    out = []
    for row in rows:
        out.append(_row_open(row.header, row.keep))
        for c in row.cells:
            if c.blocks is not None:
                content = c.blocks
            else:
                role = c.role
                run = run_xml(c.text, role.latin, role.east_asia, bold=role.bold) if c.text else ""
                content = paragraph_xml(run, role.style_id, jc=c.jc, keep_next=row.keep_next)
            out.append(_cell_xml(c.width, content, c.span, c.vmerge, c.valign))
        out.append("</w:tr>")
    return _table_xml(widths, "".join(out))


# ---------------------------------------------------------------- page numbers


def page_number_footers(section: Any, settings: Any, font: str, size_pt: float,
                        indent_twips: int) -> None:
    """"— N —" footers in 4号 半角宋体: odd pages right, even pages left (GB/T 9704).

    Each number stands one character in from the edge of the type area.
    """
    settings.odd_and_even_pages_header_footer = True
    runs = (run_xml("— ", font, font, size_pt=size_pt)
            + _page_field(run_xml("1", font, font, size_pt=size_pt))
            + run_xml(" —", font, font, size_pt=size_pt))
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        ftr = footer._element
        for child in list(ftr):
            ftr.remove(child)
        xml = paragraph_xml(runs, ind=f'w:{side}="{indent_twips}"', jc=side)
        ftr.append(parse_xml(f"<w:p {nsdecls('w')}>{xml[len('<w:p>'):]}"))


# ---------------------------------------------------------------- package


# Parts of python-docx's template that a report does not need: the template's own
# thumbnail (shown by file managers as a preview of some other document), a second
# copy of the styles for Word 2010, web settings, a custom XML item and numbering.
_OPTIONAL_PARTS = ("thumbnail", "stylesWithEffects", "webSettings", "customXml",
                   # Lists are printed as text markers, never Word numbering; the
                   # template's numbering points at list styles that prune_styles drops.
                   "numbering")


def complete_settings(settings_element: Element) -> None:
    """python-docx's template writes <w:zoom w:val="bestFit"/> without the w:percent
    the schema requires: give it 100."""
    zoom = settings_element.find(_W + "zoom")
    if zoom is not None and zoom.get(_W + "percent") is None:
        zoom.set(_W + "percent", "100")


def drop_optional_parts(doc: Any) -> None:
    for owner in (doc.part.package, doc.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in _OPTIONAL_PARTS:
                owner.rels.pop(rid)


def prune_styles(styles_element: Element, keep: set[str]) -> None:
    """Drop the template's unused styles (169 of them, 350 KB, mostly table styles).

    Kept: `keep`, the defaults, and whatever those are based on or linked to.
    """
    styles = {el.get(_W + "styleId"): el for el in styles_element.findall(_W + "style")}
    wanted = set(keep) | {sid for sid, el in styles.items() if el.get(_W + "default") == "1"}
    todo = list(wanted)
    while todo:
        el = styles.get(todo.pop())
        if el is None:
            continue
        for tag in ("basedOn", "next", "link"):
            ref = el.find(_W + tag)
            if ref is not None and ref.get(_A_VAL) not in wanted:
                wanted.add(ref.get(_A_VAL))
                todo.append(ref.get(_A_VAL))
    for sid, el in styles.items():
        if sid not in wanted:
            styles_element.remove(el)


def docx_package(doc: Any, body: str, when: datetime) -> bytes:
    """The document's package with `body` (blocks as text) as its body, zipped once
    and reproducibly: every entry carries `when`, parts keep python-docx's order,
    [Content_Types].xml comes first."""
    package = doc.part.package
    parts = list(package.iter_parts())
    types = "".join(f'<Override PartName="{part.partname}" ContentType="{part.content_type}"/>'
                    for part in parts)
    entries = [
        ("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f"{types}</Types>").encode()),
        ("_rels/.rels", package.rels.xml),
    ]
    for part in parts:
        blob = part.blob
        if part is doc.part:  # the body goes before the section's properties
            if len(doc.element.body) != 1:
                raise ValueError("the document's body must hold only its sectPr")
            end = blob.rfind(b"<w:sectPr")
            blob = blob[:end] + body.encode() + blob[end:]
        entries.append((part.partname.membername, blob))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    return _zip(entries, when)


def _zip(entries: list[tuple[str, bytes]], when: datetime) -> bytes:
    stamp = when.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buffer.getvalue()


# ---------------------------------------------------------------- SpreadsheetML
# scores.xlsx is written directly: one sheet, shared strings, a handful of cell styles.
# (openpyxl reads it in the tests; importing it for writing alone cost more than a
# whole small build.)

# cellXfs 1..6, in this order: scores print as 94.04, amounts in 万元 keep up to four
# decimals (89.974), rates as 99.97%.
XLSX_STYLES = ("head", "center", "left", "number", "percent", "amount")

_SS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_THEME = Path(__file__).parent / "assets" / "theme1.xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    name = ""
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


@dataclass(frozen=True)
class Formula:
    """A formula perfdoc computes itself (合计, 等级). Only these become <f> cells:
    source text is always a string cell, whatever its first character, so a 说明
    written as =HYPERLINK(…) or =cmd|… reaches the finance office as inert text."""

    text: str  # without the leading "="


def xlsx_package(sheet: str, rows: list[list[tuple[object, str]]], merges: list[str],
                 widths: list[float], fonts: tuple[str, str], size_pt: float,
                 title: str, creator: str, when: datetime) -> bytes:
    """A workbook of one sheet. `rows` holds (value, style) per cell: a str, a number
    (int or Decimal), a Formula, or None; style is one of XLSX_STYLES."""
    out = []
    strings: dict[str, int] = {}
    for r, cells in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, (value, style) in enumerate(cells, start=1):
            ref, s = f"{column_letter(c)}{r}", XLSX_STYLES.index(style) + 1
            if value is None or value == "":
                out.append(f'<c r="{ref}" s="{s}"/>')
            elif isinstance(value, Formula):
                out.append(f'<c r="{ref}" s="{s}"><f>{_escape(value.text)}</f></c>')
            elif isinstance(value, str):  # shared strings, as Excel itself writes them
                index = strings.setdefault(value, len(strings))
                out.append(f'<c r="{ref}" s="{s}" t="s"><v>{index}</v></c>')
            else:
                out.append(f'<c r="{ref}" s="{s}"><v>{value}</v></c>')
        out.append("</row>")
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    merged = (f'<mergeCells count="{len(merges)}">'
              + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
              if merges else "")
    sheet_xml = (
        f'<worksheet xmlns="{_SS}" xmlns:r="{_REL}">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData>{"".join(out)}</sheetData>{merged}</worksheet>')
    body, head = (_attr(f) for f in fonts)
    size = f'<sz val="{size_pt:g}"/>'
    border = "<left style=\"thin\"/><right style=\"thin\"/><top style=\"thin\"/>" \
             "<bottom style=\"thin\"/><diagonal/>"
    xf = ('<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="1" xfId="0" '
          'applyFont="1" applyBorder="1" applyAlignment="1"{num}><alignment '
          'horizontal="{h}" vertical="center" wrapText="1"/></xf>')
    styles_xml = (
        f'<styleSheet xmlns="{_SS}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="0.00##"/></numFmts>'
        f'<fonts count="2"><font>{size}<name val={body}/></font>'
        f'<font><b/>{size}<name val={head}/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        f'<border>{border}</border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/>'
        + xf.format(fmt=0, font=1, num="", h="center")
        + xf.format(fmt=0, font=0, num="", h="center")
        + xf.format(fmt=0, font=0, num="", h="left")
        # General, not "0.##": Excel prints 100 under "0.##" as "100."
        + xf.format(fmt=0, font=0, num="", h="center")
        + xf.format(fmt=10, font=0, num=' applyNumberFormat="1"', h="center")  # 0.00%
        + xf.format(fmt=164, font=0, num=' applyNumberFormat="1"', h="center")
        + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
        'builtinId="0"/></cellStyles></styleSheet>')
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # No xml:space on <t>: SpreadsheetML's schema does not allow it, and every text
    # perfdoc writes is trimmed.
    shared = (f'<sst xmlns="{_SS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f"<si><t>{_escape(text)}</t></si>" for text in strings) + "</sst>")
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.theme+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxml'
            'formats-package.core-properties+xml"/></Types>'),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
            'officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>'),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_escape(title)}</dc:title><dc:creator>{_escape(creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_SS}" xmlns:r="{_REL}"><sheets><sheet name={_attr(sheet)} '
            'sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029" fullCalcOnLoad="1"/>'
            "</workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
            'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{_REL}/styles" Target="styles.xml"/><Relationship Id="rId3" '
            f'Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" '
            f'Type="{_REL}/theme" Target="theme/theme1.xml"/></Relationships>'),
        "xl/styles.xml": styles_xml,
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/sharedStrings.xml": shared,
    }
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    entries = [(name, (declaration + xml).encode()) for name, xml in parts.items()]
    # Office's own theme (python-docx's, MIT): Excel expects a workbook to have one.
    entries.append(("xl/theme/theme1.xml", _THEME.read_bytes()))
    return _zip(entries, when)


# ---------------------------------------------------------------- reading Word files
#
# Read back by perfdoc import, from files written by Word, WPS, LibreOffice and others:
# content controls (w:sdt) wrap paragraphs, cells and rows; a text box's text is stored
# twice (DrawingML in mc:Choice, VML in mc:Fallback); old tables merge with w:hMerge.

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_BOX = _W + "txbxContent"


def unwrapped(parent: Element, tag: str) -> Iterator[Element]:
    """The children of `parent` with tag `tag`, looking through content controls."""
    for child in parent:
        if child.tag == _W + tag:
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from unwrapped(content, tag)


def body_children(parent: Element | None) -> Iterator[Element]:
    """Paragraphs and tables of a body or a cell in order, content controls opened
    (none for a sheet's cell)."""
    if parent is None:
        return
    for child in parent:
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from body_children(content)


def paragraph_text(p: Element) -> str:
    """A paragraph's text as it reads: w:t, a line break (w:br, w:cr) as a newline, a
    tab as a space; a text box anchored in it is not its text (see text_boxes)."""
    out: list[str] = []
    boxed = next(p.iter(_TEXT_BOX, _MC_FALLBACK), None) is not None  # rare: look up only then
    for el in p.iter(_W + "t", _W + "br", _W + "cr", _W + "tab", _TEXT_BOX, _MC_FALLBACK):
        if el.tag in (_TEXT_BOX, _MC_FALLBACK):
            continue
        if boxed and any(a.tag in (_TEXT_BOX, _MC_FALLBACK) for a in el.iterancestors()):
            continue
        if el.tag == _W + "t":
            out.append(el.text or "")
        elif el.tag == _W + "tab":
            out.append(" ")
        elif el.get(_W + "type") in (None, "textWrapping"):  # not a page or column break
            out.append("\n")
    return "".join(out)


def text_boxes(p: Element) -> list[str]:
    """The paragraphs of the text boxes anchored in `p`, each once (the VML copy in
    mc:Fallback is skipped)."""
    found = []
    for box in p.iter(_TEXT_BOX):
        if any(a.tag in (_MC_FALLBACK, _TEXT_BOX) for a in box.iterancestors()):
            continue
        found += [paragraph_text(inner) for inner in box.iter(_W + "p")]
    return [text for text in found if text.strip()]


def joined(lines: list[str]) -> str:
    """Lines of one cell or field as one, as the renderer joins a source's wrapped line:
    no space where either side is Chinese, one space between two Latin words."""
    out = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if out and not (is_east_asian(out[-1]) or is_east_asian(line[0])):
            out += " "
        out += line
    return out


@dataclass(frozen=True)
class GridCell:
    """A cell as read back from a w:tbl: its element, text and merge state."""

    element: Element | None  # the w:tc (None: a cell of a sheet)
    text: str  # paragraphs joined with newlines
    span: int
    continued: bool  # vMerge="continue": the cell above stands for it
    lines: tuple[str, ...] = ()  # its paragraphs' text (line breaks split too)


def read_table(tbl: Element) -> list[list[GridCell]]:
    """Rows of cells as Word lays them out, merges made explicit: a cell whose
    w:hMerge continues the one before widens it."""
    rows = []
    for tr in unwrapped(tbl, "tr"):  # not iter(): rows of tables nested in cells stay out
        cells: list[GridCell] = []
        for tc in unwrapped(tr, "tc"):
            tcPr = tc.find(_W + "tcPr")
            span, continued = 1, False
            if tcPr is not None:
                grid_span = tcPr.find(_W + "gridSpan")
                spans = grid_span.get(_A_VAL, "") if grid_span is not None else ""
                if spans.isdigit():  # bounded: a hostile w:val="999…" spans nothing absurd
                    span = max(1, min(int(spans[:3]) if len(spans) <= 3 else 64, 64))
                vmerge = tcPr.find(_W + "vMerge")
                continued = vmerge is not None and vmerge.get(_A_VAL, "continue") == "continue"
                hmerge = tcPr.find(_W + "hMerge")
                if hmerge is not None and hmerge.get(_A_VAL, "continue") == "continue" and cells:
                    last = cells[-1]
                    cells[-1] = GridCell(last.element, last.text, last.span + span,
                                         last.continued, last.lines)
                    continue
            lines = tuple(line for p in unwrapped(tc, "p")
                          for line in paragraph_text(p).split("\n"))
            text = "\n".join(lines)
            cells.append(GridCell(tc, text.strip(), span, continued, lines))
        rows.append(cells)
    return rows


_CN_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """一 … 十, 十一, 二十一, 一百零五: how 一、 and （一） count."""
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if value == 10 and digit == 1 and not out else _CN_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += letters * count
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "chineseCounting": _chinese_number,
    "chineseCountingThousand": _chinese_number,
    "chineseLegalSimplified": _chinese_number,
    "japaneseCounting": _chinese_number,
    "taiwaneseCounting": _chinese_number,
    "taiwaneseCountingThousand": _chinese_number,
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(d)] for d in str(n)),
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "ideographZodiac": lambda n: "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12],
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedParen": lambda n: chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})",
    "upperLetter": _letters,
    "lowerLetter": lambda n: _letters(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
}
_FORMATS["decimalFullWidth2"] = _FORMATS["decimalFullWidth"]


def _val(parent: Element | None, tag: str) -> str | None:
    found = parent.find(_W + tag) if parent is not None else None
    return found.get(_A_VAL) if found is not None else None


def _int(text: str | None, default: int) -> int:
    return int(text) if text is not None and text.lstrip("-").isdigit() and len(text) < 6 \
        else default


def _label(text: str, levels: dict, count: list[int], starts: list[int]) -> str:
    """lvlText ("%1、", "（%2）", "%1.%2") with each %N as level N shows its count."""
    def shown(match: re.Match) -> str:
        at = int(match.group(1)) - 1
        fmt = _val(levels.get(str(at)), "numFmt") or "decimal"
        return _FORMATS.get(fmt, str)(count[at] or starts[at])
    return re.sub(r"%([1-9])", shown, text)


def typed_numbering(body: Element, numbering: Element | None, styles: Element | None) -> int:
    """Word's automatic numbering (w:numPr, on the paragraph or through its style) turned
    into the text it displays (一、 （一） 1. （1） …): the label goes in front of the
    paragraph's text and the paragraph stops being numbered, so everything after reads
    what the writer saw. Bullets stay lists. Returns how many paragraphs changed."""
    if numbering is None:
        return 0
    abstract = {a.get(_W + "abstractNumId"): a for a in numbering.findall(_W + "abstractNum")}
    nums: dict[str, tuple[Element, Element]] = {}
    for num in numbering.findall(_W + "num"):
        target = abstract.get(_val(num, "abstractNumId") or "")
        if target is not None:
            nums[num.get(_W + "numId") or ""] = (target, num)
    style_num: dict[str, tuple[str | None, str | None]] = {}
    based_on: dict[str, str] = {}
    for style in styles.findall(_W + "style") if styles is not None else ():
        sid = style.get(_W + "styleId") or ""
        ppr = style.find(_W + "pPr")
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        if numpr is not None:
            style_num[sid] = (_val(numpr, "numId"), _val(numpr, "ilvl"))
        parent = _val(style, "basedOn")
        if parent:
            based_on[sid] = parent

    def from_style(sid: str | None) -> tuple[str | None, str | None, str | None]:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            if sid in style_num:
                return (*style_num[sid], sid)
            sid = based_on.get(sid)
        return None, None, None

    # Per w:num, read once: its levels and their start values (lvlOverride applied).
    # The counts belong to the abstract list, which several w:num may continue.
    lists: dict[str, tuple[dict[str | None, Element], list[int], list[int]]] = {}
    counters: dict[int, list[int]] = {}
    changed = 0
    for p in body.iter(_W + "p"):
        ppr = p.find(_W + "pPr")
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        num_id, ilvl = (_val(numpr, "numId"), _val(numpr, "ilvl")) if numpr is not None \
            else (None, None)
        styled_ilvl, linked = None, None
        if num_id is None:
            num_id, styled_ilvl, linked = from_style(_val(ppr, "pStyle"))
        if not num_id or num_id == "0" or num_id not in nums:  # 0: numbering switched off
            continue
        if num_id not in lists:
            target, num = nums[num_id]
            levels = {lvl.get(_W + "ilvl"): lvl for lvl in target.findall(_W + "lvl")}
            starts = [_int(_val(levels.get(str(i)), "start"), 1) for i in range(10)]
            count = counters.setdefault(id(target), [0] * 10)
            for override in num.findall(_W + "lvlOverride"):
                at = _int(override.get(_W + "ilvl"), -1)
                begin = _val(override, "startOverride")
                if 0 <= at < 10 and begin is not None:
                    starts[at], count[at] = _int(begin, 1), 0
            lists[num_id] = levels, starts, count
        levels, starts, count = lists[num_id]
        if ilvl is None and styled_ilvl is None and linked:
            ilvl = next((k for k, lvl in levels.items() if _val(lvl, "pStyle") == linked), None)
        level = _int(ilvl if ilvl is not None else styled_ilvl, 0)
        lvl = levels.get(str(level))
        if lvl is None or not 0 <= level < 10:
            continue
        count[level] = count[level] + 1 if count[level] else starts[level]
        count[level + 1:] = [0] * (9 - level)
        if (_val(lvl, "numFmt") or "decimal") in ("bullet", "none"):
            continue
        label = _label(_val(lvl, "lvlText") or "", levels, count, starts)
        if ppr is None:
            ppr = etree.Element(_W + "pPr")
            p.insert(0, ppr)
        if numpr is not None:
            ppr.remove(numpr)
        ppr.insert(1 if ppr.find(_W + "pStyle") is not None else 0,
                   parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="0"/></w:numPr>'))
        ppr.addnext(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">'
                              f"{_escape(label)}</w:t></w:r>"))
        changed += 1
    return changed


def paragraph_style(p: Element) -> str | None:
    """The style id a paragraph names (w:pPr/w:pStyle), None for the default."""
    return _val(p.find(_W + "pPr"), "pStyle")


def append_text_paragraph(parent: Element, text: str) -> None:
    """A plain paragraph of `text` at the end of an element (the importer's markers)."""
    parent.append(parse_xml(f"<w:p {nsdecls('w')}><w:r><w:t xml:space=\"preserve\">"
                            f"{_escape(text)}</w:t></w:r></w:p>"))


def body_blocks(body: Element) -> Iterator[tuple[str, str | None, Element]]:
    """The body's paragraphs and tables in order, content controls opened:
    ("p", text, element) / ("tbl", None, element)."""
    for child in body_children(body):
        if child.tag == _W + "p":
            yield "p", paragraph_text(child), child
        else:
            yield "tbl", None, child


# ---------------------------------------------------------------- reading a package
# A package as the importer receives it: {part name: bytes}, every bound already
# checked. These make what Word and others write into what python-docx opens.

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"  # the end of the main part's relationship type
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Main parts python-docx refuses only for their content type: the body is the same.
WORD_VARIANTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml":
        "Word 模板（.dotx）",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "启用宏的 Word 文档（.docm）",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml":
        "启用宏的 Word 模板（.dotm）",
}
SHEET_MAIN = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
              "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml")
# ISO/IEC 29500 Strict names its namespaces differently; the elements are the same.
STRICT_NAMESPACES = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main":
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/officeDocument/relationships":
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/math":
        "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://purl.oclc.org/ooxml/officeDocument/sharedTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/customProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://purl.oclc.org/ooxml/drawingml/main":
        "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing":
        "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://purl.oclc.org/ooxml/drawingml/picture":
        "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://purl.oclc.org/ooxml/drawingml/chart":
        "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "http://purl.oclc.org/ooxml/spreadsheetml/main":
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _xml(data: bytes) -> Element | None:
    try:
        return etree.fromstring(data, _SAFE)
    except etree.XMLSyntaxError:
        return None


def _serialized(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _target(source: str, target: str) -> str:
    """A relationship's target as a part name (no leading slash), from the part that
    holds the relationship."""
    if target.startswith("/"):
        path = target[1:]
    else:
        folder = source.rpartition("/")[0]
        path = f"{folder}/{target}" if folder else target
    out: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


def is_strict(parts: dict[str, bytes]) -> bool:
    return b"http://purl.oclc.org/ooxml/" in parts.get("_rels/.rels", b"")


def strict_to_transitional(parts: dict[str, bytes]) -> None:
    """Strict namespaces and relationship types renamed to their Transitional names, in
    every XML part (the names are URIs: a byte-for-byte replacement cannot hit text)."""
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")) and b"purl.oclc.org/ooxml/" in data:
            for strict, transitional in STRICT_NAMESPACES.items():
                data = data.replace(strict.encode(), transitional.encode())
            parts[name] = data


def main_part(parts: dict[str, bytes]) -> str | None:
    """The main part's name, from the package relationship (word/document.xml is only
    Word's habit)."""
    root = _xml(parts.get("_rels/.rels", b""))
    if root is None:
        return None
    for rel in root.iter(_RELS + "Relationship"):
        if rel.get("Type", "").endswith(_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            return _target("", rel.get("Target", ""))
    return None


def content_type(parts: dict[str, bytes], part: str) -> str | None:
    """A part's content type from [Content_Types].xml: its Override, else its extension's
    Default."""
    root = _xml(parts.get("[Content_Types].xml", b""))
    if root is None:
        return None
    for override in root.iter(_CT + "Override"):
        if override.get("PartName", "").lstrip("/").lower() == part.lower():
            return override.get("ContentType")
    extension = part.rpartition(".")[2].lower()
    for default in root.iter(_CT + "Default"):
        if default.get("Extension", "").lower() == extension:
            return default.get("ContentType")
    return None


def set_content_type(parts: dict[str, bytes], part: str, value: str) -> None:
    """`part` declared with content type `value` (an Override, replacing any)."""
    root = _xml(parts["[Content_Types].xml"])
    assert root is not None, "checked by content_type"
    for override in list(root.iter(_CT + "Override")):
        if override.get("PartName", "").lstrip("/").lower() == part.lower():
            root.remove(override)
    etree.SubElement(root, _CT + "Override", PartName="/" + part, ContentType=value)
    parts["[Content_Types].xml"] = _serialized(root)


def drop_missing_targets(parts: dict[str, bytes]) -> list[str]:
    """Relationships to parts the package does not hold (a picture lost on the way)
    removed, so the rest can be read; the missing parts' names."""
    missing = []
    for name in [n for n in parts if n.endswith(".rels")]:
        root = _xml(parts[name])
        if root is None:
            continue
        folder = name.rpartition("_rels/")[0]
        source = folder + name.rpartition("/")[2][:-len(".rels")]
        gone = [rel for rel in root.iter(_RELS + "Relationship")
                if rel.get("TargetMode") != "External"
                and _target(source, rel.get("Target", "")) not in parts]
        for rel in gone:
            missing.append(_target(source, rel.get("Target", "")))
            root.remove(rel)
        if gone:
            parts[name] = _serialized(root)
    return missing


def accept_moves(body: Element) -> int:
    """Tracked moves accepted: the text a w:moveFrom holds is where it was moved from
    (its copy is in w:moveTo), so it is removed; a run inside w:del is w:delText and
    is not read anyway. The number removed."""
    moved = [el for el in body.iter(_W + "moveFrom") if len(el)]  # not the rPr marks
    for el in moved:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    return len(moved)
