"""Every raw OOXML tweak perfdoc makes, in one place.

python-docx covers paragraphs, runs and sections; what it has no API for lives
here: East Asian fonts, table grids and borders, merged cells, repeated header
rows, PAGE fields, odd/even footers and a reproducible zip. Element order inside
`*Pr` elements follows the schema, because Word (unlike LibreOffice) rejects
files that do not.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Children of pPr / tcPr / tblPr in schema order (the ones perfdoc writes).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl",
              "numPr", "pBdr", "shd", "tabs", "snapToGrid", "spacing", "ind", "jc",
              "outlineLvl", "rPr")
_TCPR_ORDER = ("tcW", "gridSpan", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
               "vAlign")

# CJK ideographs, kana, hangul, and full-width punctuation and forms.
_EAST_ASIAN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f"
                         r"\uff00-\uffef\u3000-\u303f\u201c\u201d\u2018\u2019\u2014\u2026]")


CELL_MARGIN = 85  # twips left and right inside every table cell (1.5 mm)
CELL_MARGINS = 2 * CELL_MARGIN
CELL_PADDING = 28  # twips above and below cell text (0.5 mm), so it clears the borders


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def has_east_asian(text: str) -> bool:
    return _EAST_ASIAN.search(text) is not None


def _ordered_child(parent, tag: str, order: tuple[str, ...]):
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


def set_fonts(rPr, latin: str, east_asia: str, hint_east_asia: bool = True) -> None:
    """Latin and East Asian fonts on an rPr (run or style).

    Theme attributes are removed: Word prefers them over explicit names, which is
    how a Chinese body ends up in Calibri/等线. The eastAsia hint makes Word treat
    ambiguous characters (“”、…、—) as Chinese, so they stay full-width.
    """
    fonts = rPr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(_W + attr, None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    if hint_east_asia:
        fonts.set(qn("w:hint"), "eastAsia")


def set_doc_defaults(styles_element, latin: str, east_asia: str, size_pt: float) -> None:
    """docDefaults: the fonts, size and language every style inherits."""
    rpr_default = styles_element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    if rpr_default is None:
        raise ValueError("template without docDefaults")
    fonts = rpr_default.find(_W + "rFonts")
    if fonts is None:
        fonts = etree.SubElement(rpr_default, _W + "rFonts")
        rpr_default.insert(0, fonts)
    fonts.attrib.clear()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
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


def first_line_chars(pPr, chars: int, size_pt: float) -> None:
    """First-line indent in characters (Word's 首行缩进 2 字符), with a twips fallback."""
    ind = _ordered_child(pPr, "ind", _PPR_ORDER)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * size_pt * 20)))


def left_indent_chars(pPr, chars: int, size_pt: float) -> None:
    ind = _ordered_child(pPr, "ind", _PPR_ORDER)
    ind.set(qn("w:leftChars"), str(chars * 100))
    ind.set(qn("w:left"), str(round(chars * size_pt * 20)))


def exact_line_spacing(pPr, pt: float) -> None:
    spacing = _ordered_child(pPr, "spacing", _PPR_ORDER)
    spacing.set(qn("w:line"), str(round(pt * 20)))
    spacing.set(qn("w:lineRule"), "exact")


def snap_to_grid_off(pPr) -> None:
    """Fixed line spacing must not be stretched to the document grid."""
    _ordered_child(pPr, "snapToGrid", _PPR_ORDER).set(qn("w:val"), "0")


# ---------------------------------------------------------------- tables


def new_table(container, widths: list[int]):
    """An empty bordered table with a fixed grid, appended to a body or cell element.

    Every column and the table itself have explicit widths, or LibreOffice lays the
    table out differently from Word.
    """
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    tbl = parse_xml(
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
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
        f'<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid></w:tbl>"
    )
    container._insert_tbl(tbl)
    return tbl


def add_row(tbl, header: bool = False):
    """A row; header rows repeat at the top of every page the table spans."""
    tr = etree.SubElement(tbl, _W + "tr")
    if header:
        trPr = etree.SubElement(tr, _W + "trPr")
        etree.SubElement(trPr, _W + "tblHeader")
    return tr


def add_cell(tr, width: int, span: int = 1, vmerge: str | None = None,
             valign: str | None = None):
    """A cell with its width; `vmerge` is "restart" or "continue" for vertical merges."""
    tc = etree.SubElement(tr, _W + "tc")
    tcPr = etree.SubElement(tc, _W + "tcPr")
    tcW = etree.SubElement(tcPr, _W + "tcW")
    tcW.set(qn("w:w"), str(width))
    tcW.set(qn("w:type"), "dxa")
    if span > 1:
        etree.SubElement(tcPr, _W + "gridSpan").set(qn("w:val"), str(span))
    if vmerge is not None:
        etree.SubElement(tcPr, _W + "vMerge").set(qn("w:val"), vmerge)
    if valign is not None:
        etree.SubElement(tcPr, _W + "vAlign").set(qn("w:val"), valign)
    return tc


def add_paragraph(parent, style_id: str | None = None, jc: str | None = None):
    """A bare paragraph built directly: the fast path for table cells."""
    p = etree.SubElement(parent, _W + "p")
    if style_id or jc:
        pPr = etree.SubElement(p, _W + "pPr")
        if style_id:
            etree.SubElement(pPr, _W + "pStyle").set(qn("w:val"), style_id)
        if jc:
            etree.SubElement(pPr, _W + "jc").set(qn("w:val"), jc)
    return p


def add_run(p, text: str, latin: str, east_asia: str, bold: bool = False,
            size_pt: float | None = None):
    """A run with explicit Latin and East Asian fonts."""
    r = etree.SubElement(p, _W + "r")
    rPr = etree.SubElement(r, _W + "rPr")
    fonts = etree.SubElement(rPr, _W + "rFonts")
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")
    if bold:
        etree.SubElement(rPr, _W + "b")
    if size_pt is not None:
        for tag in ("sz", "szCs"):
            etree.SubElement(rPr, _W + tag).set(qn("w:val"), str(round(size_pt * 2)))
    t = etree.SubElement(r, _W + "t")
    t.text = text
    t.set(_SPACE, "preserve")
    return r


def end_cell(tc) -> None:
    """A cell must end in a paragraph (Word refuses a cell that ends in a table)."""
    last = tc[-1]
    if last.tag != _W + "p":
        etree.SubElement(tc, _W + "p")


def seam_paragraph(body_element):
    """The paragraph Word needs between two tables, shrunk to nothing.

    Two tables with nothing between them are merged into one by Word, and then the
    second one's header rows no longer repeat; a 1-twip paragraph keeps them apart
    while the borders meet on paper.
    """
    p = OxmlElement("w:p")
    pPr = etree.SubElement(p, _W + "pPr")
    spacing = etree.SubElement(pPr, _W + "spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "1")
    spacing.set(qn("w:lineRule"), "exact")
    rPr = etree.SubElement(pPr, _W + "rPr")
    etree.SubElement(rPr, _W + "sz").set(qn("w:val"), "2")
    body_element._insert_p(p)
    return p


# ---------------------------------------------------------------- page numbers


def page_number_footers(section, settings, font: str, size_pt: float,
                        indent_twips: int) -> None:
    """"— N —" footers in 4号 半角宋体: odd pages right, even pages left (GB/T 9704).

    Each number stands one character in from the edge of the type area.
    """
    settings.odd_and_even_pages_header_footer = True
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]._p
        for child in list(p):
            p.remove(child)
        pPr = etree.SubElement(p, _W + "pPr")
        _ordered_child(pPr, "ind", _PPR_ORDER).set(qn(f"w:{side}"), str(indent_twips))
        _ordered_child(pPr, "jc", _PPR_ORDER).set(qn("w:val"), side)
        add_run(p, "— ", font, font, size_pt=size_pt)
        field = etree.SubElement(p, _W + "fldSimple")
        field.set(qn("w:instr"), " PAGE ")
        add_run(field, "1", font, font, size_pt=size_pt)
        add_run(p, " —", font, font, size_pt=size_pt)


# ---------------------------------------------------------------- package


def normalize_zip(data: bytes, when: datetime) -> bytes:
    """The same package, reproducible: every entry and the document properties
    (docProps/core.xml created/modified) carry `when`; entry order is kept, since
    [Content_Types].xml must come first."""
    when = when.astimezone(timezone.utc)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _core_dates(body, stamp)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


_DCTERMS = "{http://purl.org/dc/terms/}"


def _core_dates(xml: bytes, stamp: str) -> bytes:
    root = etree.fromstring(xml)
    for tag in ("created", "modified"):
        el = root.find(_DCTERMS + tag)
        if el is not None:
            el.text = stamp
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
