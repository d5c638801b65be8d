"""WordprocessingML written by hand, the way Word, WPS and online templates write it:
never by perfdoc's writer. Each helper returns XML text; `document` puts a body into a
python-docx package (its styles and numbering parts) and saves it."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.oxml.parser import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (f'xmlns:w="{W}" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml"')


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*texts: str, breaks: bool = False, style: str | None = None,
      num: tuple[int, int] | None = None, extra: str = "") -> str:
    """A paragraph; several texts are separate runs, or lines (Shift+Enter) with `breaks`."""
    ppr = ""
    if style or num:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "")
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    sep = "<w:r><w:br/></w:r>" if breaks else ""
    return f"<w:p>{ppr}{extra}{sep.join(run(t) for t in texts)}</w:p>"


def sdt(inner: str) -> str:
    """A content control around `inner` (a run, a paragraph, a cell or a row)."""
    return ('<w:sdt><w:sdtPr><w:alias w:val="填写"/><w:showingPlcHdr w:val="0"/></w:sdtPr>'
            f"<w:sdtContent>{inner}</w:sdtContent></w:sdt>")


def tc(*paragraphs: str, span: int = 1, vmerge: str | None = None, hmerge: str | None = None,
       text: str | None = None) -> str:
    pr = ""
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if hmerge:
        pr += f'<w:hMerge w:val="{hmerge}"/>' if hmerge == "restart" else "<w:hMerge/>"
    if vmerge:
        pr += f'<w:vMerge w:val="{vmerge}"/>' if vmerge == "restart" else "<w:vMerge/>"
    body = "".join(paragraphs) if paragraphs else p(text or "")
    return f'<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/>{pr}</w:tcPr>{body}</w:tc>'


def tr(*cells: str, header: bool = False) -> str:
    pr = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr>{pr}{''.join(cells)}</w:tr>"


def tbl(rows: list[str], columns: int) -> str:
    grid = "".join('<w:gridCol w:w="1600"/>' for _ in range(columns))
    return (f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def text_box(text: str) -> str:
    """A text box as Word 2010+ stores it: DrawingML in mc:Choice, the same text again
    as VML in mc:Fallback."""
    inner = f"<w:txbxContent>{p(text)}</w:txbxContent>"
    return ("<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor "
            'distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
            'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" '
            'y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset>'
            '</wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0'
            '</wp:posOffset></wp:positionV><wp:extent cx="914400" cy="304800"/><wp:wrapNone/>'
            '<wp:docPr id="1" name="文本框 1"/><a:graphic><a:graphicData uri="http://schemas.'
            'microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>'
            f"{inner}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
            "</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape "
            f'style="width:72pt;height:24pt"><v:textbox>{inner}</v:textbox></v:shape>'
            "</w:pict></mc:Fallback></mc:AlternateContent></w:r>")


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def document(body: str, path: Path, numbering: str = "",
             styled: dict[str, int] | None = None) -> Path:
    """`body` (paragraphs and tables) as the body of a python-docx package; `numbering`
    (w:abstractNum and w:num elements) added to its numbering part; `styled`: style id ->
    numId, the numbering carried by the paragraph style (as Word's 标题 1 list does)."""
    doc = docx.Document()
    element = doc.element.body
    sect = element.find(f"{{{W}}}sectPr")
    for child in list(element):
        if child is not sect:
            element.remove(child)
    for child in parse_xml(f"<w:body {NS}>{body}</w:body>"):
        sect.addprevious(child)
    if numbering:
        part = doc.part.numbering_part.element
        # schema order: every w:abstractNum before every w:num
        nodes = list(parse_xml(f"<w:numbering {NS}>{numbering}</w:numbering>"))
        for node in nodes:
            if node.tag.endswith("}abstractNum"):
                first_num = part.find(f"{{{W}}}num")
                if first_num is not None:
                    first_num.addprevious(node)
                else:
                    part.append(node)
            else:
                part.append(node)
    for style_id, num_id in (styled or {}).items():
        style = doc.styles.element.find(f"{{{W}}}style[@{{{W}}}styleId='{style_id}']")
        ppr = style.find(f"{{{W}}}pPr")
        ppr.insert(0, parse_xml(f'<w:numPr {NS}><w:numId w:val="{num_id}"/></w:numPr>'))
    doc.save(str(path))
    return path


def chinese_numbering(num_id: int, restarts: int = 1) -> str:
    """A multi-level list as Chinese templates set it: 一、 / （一） / 1. / （1）; with
    `restarts`, that many w:num (num_id, num_id + 1, …) each starting again at 一."""
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."),
              ("decimal", "（%4）")]
    lvl = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                  f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
                  for i, (fmt, text) in enumerate(levels))
    return (f'<w:abstractNum w:abstractNumId="{num_id + 100}"><w:multiLevelType '
            f'w:val="multilevel"/>{lvl}</w:abstractNum>'
            + "".join(f'<w:num w:numId="{num_id + n}"><w:abstractNumId w:val="{num_id + 100}"/>'
                      + ('<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
                         if n else "") + "</w:num>" for n in range(restarts)))
