"""What Word and others write besides a plain .docx, made from a corpus form: the
package's parts rewritten as a template, a macro-enabled file, ISO Strict, a main part
of another name, a picture lost, a tracked move; and a finance office's indicator
table as .xlsx and as Excel's GBK CSV."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from import_corpus.forms import Truth, form, indicator_table, num
from import_corpus.wordml import p, tbl, tc, tr

Parts = dict[str, bytes]
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def rewritten(source: Path, path: Path, change: Callable[[Parts], None]) -> Path:
    with zipfile.ZipFile(source) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _content_type(value: str) -> Callable[[Parts], None]:
    def change(parts: Parts) -> None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            MAIN.encode(), value.encode())
    return change


def template(parts: Parts) -> None:
    _content_type("application/vnd.openxmlformats-officedocument.wordprocessingml"
                  ".template.main+xml")(parts)


def macro_enabled(parts: Parts) -> None:
    """A .docm: its content type, and a VBA project next to the body."""
    _content_type("application/vnd.ms-word.document.macroEnabled.main+xml")(parts)
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        "</Types>")).encode()
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
        'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')).encode()


def macro_template(parts: Parts) -> None:
    _content_type("application/vnd.ms-word.template.macroEnabledTemplate.main+xml")(parts)


STRICT = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main":
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/drawingml/2006/main":
        "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
}


def strict(parts: Parts) -> None:
    """ISO/IEC 29500 Strict, as Word's "Strict Open XML Document" saves: its namespaces
    and relationship types, conformance="strict" on the body's root."""
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            for transitional, strict_name in STRICT.items():
                data = data.replace(transitional.encode(), strict_name.encode())
            parts[name] = data
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:document ", b'<w:document w:conformance="strict" ', 1)


def main_part_renamed(parts: Parts) -> None:
    """The body as word/main.xml: only the package relationship says where it is."""
    parts["word/main.xml"] = parts.pop("word/document.xml")
    parts["word/_rels/main.xml.rels"] = parts.pop("word/_rels/document.xml.rels")
    for name in ("[Content_Types].xml", "_rels/.rels"):
        parts[name] = parts[name].replace(b"word/document.xml", b"word/main.xml")


def picture_lost(parts: Parts) -> None:
    """A picture the body shows, whose part is not in the package (a mail gateway or a
    careless zip tool dropped it)."""
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdLost" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/image" Target="media/image1.png"/></Relationships>')).encode()
    picture = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:extent cx="952500" cy="952500"/>'
        '<wp:docPr id="1" name="图片 1"/><a:graphic xmlns:a="http://schemas.openxmlformats.org'
        '/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="1" name="image1.png"/>'
        '<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships" r:embed="rIdLost"/>'
        '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" '
        'y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
        '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    body = parts["word/document.xml"].decode()
    parts["word/document.xml"] = body.replace("<w:body>", "<w:body>" + picture, 1).encode()


MOVED = "这一句在修订中被移到了别处"


def moved_text(t: Truth, path: Path) -> Path:
    """A tracked move inside a section: the sentence stays in w:moveFrom where it was
    and appears again in w:moveTo where it went; it is in the text once."""
    first_key, first_title, first_hint, paragraphs = t.sections[0]
    moved = (f'<w:p><w:moveFrom w:id="1" w:author="审核人" w:date="2021-03-01T00:00:00Z">'
             f"<w:r><w:t>{MOVED}</w:t></w:r></w:moveFrom></w:p>")
    arrived = (f'<w:p><w:moveTo w:id="2" w:author="审核人" w:date="2021-03-01T00:00:00Z">'
               f"<w:r><w:t>{MOVED}</w:t></w:r></w:moveTo></w:p>")
    rows = []
    for key, title, hint, texts in t.sections:
        rows.append(tr(tc(p(title + hint), span=5)))
        cells = [p(x) for x in texts]
        if key == first_key:
            cells = [moved, *cells, arrived]
        rows.append(tr(tc(*cells, span=5)))
    return form(t, path, sections=rows)


PROJECT_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                  "偏差原因分析及改进措施")


def project_table_first(t: Truth, path: Path) -> Path:
    """A project's indicator table (年度指标值, 实际完成值) printed before the
    department's: its header names the same first columns."""
    project = tbl([tr(*(tc(p(h)) for h in PROJECT_HEADER), header=True),
                   tr(*(tc(p(x)) for x in ("产出指标", "数量指标", "培训人次", "≥500人次",
                                           "620人次", "10", "10", "")))], len(PROJECT_HEADER))
    return form(t, path, indicators=project + p("") + indicator_table(t))


def empty_section(t: Truth, path: Path) -> Path:
    """A real form's blank section: its title row, and an empty cell under it."""
    rows = []
    for number, (_, title, hint, texts) in enumerate(t.sections):
        rows.append(tr(tc(p(title + hint), span=5)))
        rows.append(tr(tc(*([p("")] if number == 1 else [p(x) for x in texts]), span=5)))
    return form(t, path, sections=rows)


# ---------------------------------------------------------------- a finance office's sheet

SHEET_HEADER = ("序号", "一级指标", "二级指标", "分值", "得分", "说明")


def finance_rows(t: Truth) -> list[tuple[str, str, str, Decimal, Decimal, str]]:
    """(序号, 一级, 二级, 分值, 得分, 说明) with the first level only where it starts."""
    rows, previous = [], None
    for n, (levels, weight, score, note) in enumerate(t.indicators, start=1):
        rows.append((str(n), levels[0] if levels[0] != previous else "", levels[1], weight,
                     score, note))
        previous = levels[0]
    return rows


def finance_workbook(t: Truth, path: Path) -> Path:
    """As finance offices send it: a title row and a 填报单位 row over the header, 序号,
    the 一级指标 cells merged down, scores as numbers shown 0.00 (one of them with a
    float's rounding error, one typed as text with its reason in brackets), a 合计 row
    of SUM formulas."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "自评表"
    ws.append([f"{t.year}年度部门整体支出绩效自评表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.append([f"填报单位：{t.unit}"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)
    ws.append(list(SHEET_HEADER))
    start = 4
    rows = finance_rows(t)
    for r, (index, level1, level2, weight, score, note) in enumerate(rows, start=4):
        value: object = float(score)
        if r == 4 and note:
            value, note = f"{num(score)}（{note}）", ""  # 5（完成）: the reason in the cell
        elif r == 5:
            value = float(score) - 3e-15  # 4.999999999999997, shown 5.00
        ws.append([int(index), level1, level2, int(weight) if weight == int(weight)
                   else float(weight), value, note])
        ws.cell(r, 5).number_format = "0.00"
        if level1:
            if r - 1 > start:
                ws.merge_cells(start_row=start, start_column=2, end_row=r - 1, end_column=2)
            start = r
    last = 3 + len(rows)
    if last > start:
        ws.merge_cells(start_row=start, start_column=2, end_row=last, end_column=2)
    ws.append(["合计", "", "", f"=SUM(D4:D{last})", f"=SUM(E4:E{last})", ""])
    ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=3)
    book.save(path)
    return path


def excel_csv(t: Truth, path: Path) -> Path:
    """What Excel's 另存为 CSV writes on a Chinese Windows: GBK, CRLF, a merged cell's
    text in its first cell only, formulas as their values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{t.year}年度部门整体支出绩效自评表", "", "", "", "", ""])
    writer.writerow([f"填报单位：{t.unit}", "", "", "", "", ""])
    writer.writerow(SHEET_HEADER)
    rows = finance_rows(t)
    for index, level1, level2, weight, score, note in rows:
        writer.writerow([index, level1, level2, num(weight), f"{score:.2f}", note])
    weights = sum((r[3] for r in rows), Decimal(0))
    scores = sum((r[4] for r in rows), Decimal(0))
    writer.writerow(["合计", "", "", num(weights), f"{scores:.2f}", ""])
    path.write_bytes(out.getvalue().encode("gbk"))
    return path
