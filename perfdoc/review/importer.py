"""`perfdoc import FORM.docx`: last year's Word file into content/ and indicators/.

python-docx reads the structure (title, 填报单位, the section rows, the indicator
block with its merges); pandoc turns each section's cells or paragraphs into
Markdown, keeping paragraphs, bold and lists. Everything is assembled in memory
and written only when the whole file was understood.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from perfdoc import ooxml
from perfdoc.diagnostics import Diagnostics
from perfdoc.files import SourceError, WriteError, check_targets, read_regular
from perfdoc.sources.headings import promote, typed_heading
from perfdoc.sources.layout import Layout, SectionSpec
from perfdoc.sources.model import decimal_text

# Bounds far above any real form (the seed is one page of table; a 50-page report with
# photos is a few MB). README "可靠性" lists them.
MAX_FILE = 50 * 1024 * 1024  # the .docx itself
MAX_UNPACKED = 200 * 1024 * 1024  # all entries, as really decompressed
MAX_ENTRY = 100 * 1024 * 1024  # one entry (a picture)
MAX_XML = 20 * 1024 * 1024  # one XML part: a 50-page report's document.xml is ~2 MB
MAX_ENTRIES = 5000
MAX_RATIO = 200  # unpacked-to-compressed, per entry: zip bombs sit far above
MAX_ROWS = 20_000  # table rows in the body
MAX_PARAGRAPHS = 100_000
MAX_CSV_FILES = 50  # first-level groups written one CSV each; beyond, one CSV for all
PANDOC_SECONDS = 60
PANDOC_MEMORY = "1g"  # pandoc's heap (+RTS -M)
MAX_DEPTH = 100  # elements inside elements: Word writes some 15
MAX_NESTED_TABLES = 5  # tables inside table cells
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_TBL = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl"
HEADERS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "分值": "weight",
           "权重": "weight", "得分": "score", "说明": "note", "责任处室": "owner"}
COLUMNS = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "weight": "分值",
           "score": "得分", "note": "说明", "owner": "责任处室"}
TOTALS = ("合计", "总计", "总分")
_MARK = "PERFDOCSECTIONMARK"
_ATX = re.compile(r"^#{1,6}\s+(.*)$")
# pandoc's footnote definitions: "[^1]: text", continued on lines indented four spaces.
_FOOTNOTE = re.compile(r"^\[\^([^\]]+)\]:[ \t]*(.*(?:\n(?:    |\t).*)*)\n?", re.M)


class ImportFailure(Exception):
    """The file cannot be imported; `code` and the message are for the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Imported:
    files: dict[str, str] = field(default_factory=dict)  # project path -> text
    notes: Diagnostics = field(default_factory=Diagnostics)  # what needs a look


# ---------------------------------------------------------------- the file itself


def open_docx(path: Path) -> Any:
    """python-docx's Document, from bytes whose every bound was checked first: the
    file is a regular file of at most MAX_FILE bytes; each zip entry is decompressed
    through a counter (the sizes a zip declares can lie), within MAX_ENTRY, MAX_UNPACKED
    and MAX_RATIO; no XML part declares a DTD (entity expansion); the body holds at
    most MAX_ROWS table rows and MAX_PARAGRAPHS paragraphs."""
    import docx

    data = _read_file(path)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailure("PD602", "文件已加密，或是旧版 .doc 格式：请在 Word 中去掉密码，"
                           "并“另存为”Word 文档（.docx）后再导入")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ImportFailure("PD603", f"压缩包有 {len(infos)} 个文件，不像是 Word 文档")
            if "word/document.xml" not in z.namelist():
                raise ImportFailure("PD601", "不是 Word 文档（.docx）：缺少 word/document.xml")
            total = 0
            parts: dict[str, bytes] = {}
            for info in infos:
                parts[info.filename] = _check_entry(z, info, MAX_UNPACKED - total)
                total += len(parts[info.filename])
        # python-docx reads each member with read(), which inflates a member's whole
        # stream in one call whatever its header declares (3 GB of zeros behind a
        # small declared size): it gets the checked bytes instead, repacked unzipped.
        document = docx.Document(io.BytesIO(_repacked(parts)))
    except ImportFailure:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise ImportFailure("PD601", f"不是有效的 Word 文档（.docx），或文件已损坏：{exc}") from None
    except Exception as exc:  # python-docx and lxml on a damaged package
        raise ImportFailure("PD601", f"Word 文档已损坏，无法读取：{type(exc).__name__}") from None
    body = document.element.body
    rows = sum(1 for _ in body.iter(ooxml.qn("w:tr")))
    paragraphs = sum(1 for _ in body.iter(ooxml.qn("w:p")))
    if rows > MAX_ROWS or paragraphs > MAX_PARAGRAPHS:
        raise ImportFailure("PD603", f"文档有 {rows} 个表格行、{paragraphs} 个段落，超过上限"
                           f"（{MAX_ROWS} 行、{MAX_PARAGRAPHS} 段），不像是一份自评表")
    return document


def _read_file(path: Path) -> bytes:
    try:
        return read_regular(path, MAX_FILE)
    except SourceError as exc:
        if exc.code == "PD006":
            raise ImportFailure("PD603", f"文件超过 {MAX_FILE // 1024 // 1024} MB 的上限，"
                               "不像是一份自评表") from None
        raise ImportFailure("PD601", str(exc)) from None


def _repacked(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _check_entry(z: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> bytes:
    """Decompress one entry through a counter, a megabyte at a time (the sizes a zip
    declares can lie); returns its bytes."""
    xml = info.filename.endswith((".xml", ".rels"))
    limit = min(MAX_XML if xml else MAX_ENTRY, room)
    shape = _XmlShape(info.filename) if xml else None
    size, tail = 0, b""
    chunks = []
    with z.open(info) as fh:
        while chunk := fh.read(1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit or (size > 1 << 20 and size > MAX_RATIO * max(info.compress_size, 1)):
                raise ImportFailure("PD603", f"压缩包中的 {info.filename} 解开后异常巨大"
                                   "（可能是“压缩炸弹”），已拒绝读取")
            if xml and _DOCTYPE.search(tail + chunk):  # the tail: a match across chunks
                raise ImportFailure("PD603", f"{info.filename} 含有 DTD（<!DOCTYPE>，可用来做"
                                   "实体展开攻击），Word 文档不会有，已拒绝读取")
            tail = chunk[-8:]
            if shape:
                shape.feed(chunk)
    if shape:
        shape.close()  # a syntax error counts only once the size is known to be sane
    return b"".join(chunks)


class _XmlShape:
    """Element and table nesting of an XML part, read as it streams in (lxml's pull
    parser with entities, DTDs and the network off): deep nesting is what makes
    readers, pandoc among them, slow beyond reason."""

    def __init__(self, name: str):
        self.name, self.depth, self.tables = name, 0, 0
        self.error: etree.XMLSyntaxError | None = None
        self.parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False,
                                          no_network=True, load_dtd=False, huge_tree=False)

    def close(self) -> None:
        exc = self.error
        if exc is None:
            return
        if "depth" in str(exc).lower() or "limit" in str(exc).lower():  # libxml2's own
            raise ImportFailure("PD603", f"{self.name} 中的元素嵌套过深或文字过长，已拒绝读取")
        raise ImportFailure("PD601", f"{self.name} 不是有效的 XML：{exc}")

    def feed(self, chunk: bytes) -> None:
        if self.error is not None:
            return
        try:
            self.parser.feed(chunk)
            events = self.parser.read_events()
            for event, element in events:  # start and end events: elements
                assert isinstance(element, etree._Element)
                step = 1 if event == "start" else -1
                self.depth += step
                if element.tag == _TBL:
                    self.tables += step
                if event == "end":
                    element.clear()  # nothing is kept: memory stays flat
                if self.depth > MAX_DEPTH or self.tables > MAX_NESTED_TABLES:
                    raise ImportFailure("PD603", f"{self.name} 中的元素嵌套过深（表格套表格 "
                                       f"{self.tables} 层，元素 {self.depth} 层），已拒绝读取")
        except etree.XMLSyntaxError as exc:
            self.error = exc


# ---------------------------------------------------------------- structure


def _pattern(template: str) -> re.Pattern:
    """A title pattern from the layout ("{year}年…") as a regex with named groups."""
    out = re.escape(template.replace("\n", ""))
    out = out.replace(r"\{year\}", r"(?P<year>\d{4})").replace(r"\{unit\}", r"(?P<unit>.+?)")
    return re.compile(out)


def _section_of(text: str, layout: Layout) -> tuple[SectionSpec, str] | None:
    """(spec, hint) when `text` is a section's title row, else None."""
    flat = re.sub(r"\s+", "", text)
    for spec in layout.sections:
        if flat.startswith(spec.title):
            return spec, flat[len(spec.title):]
    return None


def read_form(doc: Any, layout: Layout) -> Imported:
    """A 自评表 or a 评价报告, recognised by what the layout says they contain."""
    body = doc.element.body
    blocks = list(ooxml.body_blocks(body))
    out = Imported()
    paragraphs = [text.strip() for kind, text, _ in blocks if text and text.strip()]
    tables = [el for kind, _, el in blocks if kind == "tbl"]
    facts = _facts(paragraphs, layout)

    # The form: section rows inside the tables. The report: section titles as paragraphs.
    grid = [row for tbl in tables for row in ooxml.read_table(tbl)]
    sections = _form_sections(grid, layout)
    from_report = not sections
    if from_report:
        sections = _report_sections(blocks, layout)
    indicators = _indicator_rows(grid, out.notes)
    if not sections and not indicators:
        raise ImportFailure("PD604", "没有找到自评表的结构：既没有“一、部门概况”等部分，"
                           "也没有“一级指标 … 得分”表头的指标表")
    if not indicators:
        raise ImportFailure("PD604", "没有找到指标表（表头应含“一级指标”和“得分”）")

    markdown = _to_markdown(doc, [elements for _, _, elements in sections])
    if from_report and layout.the_report.demote_headings:  # the report printed them one down
        markdown = [_promoted(text) for text in markdown]
    for number, ((spec, hint, _), text) in enumerate(zip(sections, markdown, strict=True), start=1):
        meta = {"section": spec.key, "title": spec.title}
        if hint or spec.hint:  # a report prints no hints: the layout's stand in
            meta["hint"] = hint or spec.hint
        out.files[f"content/{number:02d}-{spec.key}.md"] = (
            "---\n" + _yaml(meta) + "---\n" + (text.strip() or "无") + "\n")
    out.files["content/report.md"] = (
        "---\n# 由 perfdoc import 从 Word 文件生成；金额等没有出现在表中的信息请补充。\n"
        + _yaml(facts) + "---\n")
    out.files.update(_csv_files(indicators))
    return out


def _facts(paragraphs: list[str], layout: Layout) -> dict:
    """Year, unit and title from the paragraphs above the table, read with the
    layout's own title patterns and 填报单位 label."""
    head = "".join(paragraphs[:3])
    found: dict = {}
    form_title = _pattern(layout.form.title).search(head)
    report_title = _pattern(layout.the_report.title).search(head)
    for match in (form_title, report_title):
        if match:
            found = {k: v for k, v in match.groupdict().items() if v}
            break
    label = re.escape(layout.form.unit_label.rstrip("：:"))
    for text in paragraphs[:5]:
        unit = re.match(rf"{label}[：:]\s*(.+)", text)
        if unit:
            found["unit"] = unit.group(1).strip()
    year = re.search(r"(20\d\d)年", head)
    if "year" not in found and year:
        found["year"] = year.group(1)
    return {"year": int(found["year"]) if "year" in found else None,
            "unit": found.get("unit"),
            "title": form_title.group(0) if form_title else None,  # the form's own title
            "layout": layout.name}


def _form_sections(grid: list[list[ooxml.GridCell]], layout: Layout) -> list:
    """[(spec, hint, [content elements])] from title rows followed by content rows."""
    sections = []
    for i, row in enumerate(grid):
        cells = [c for c in row if not c.continued]
        if len(cells) != 1:
            continue
        found = _section_of(cells[0].text, layout)
        if found and i + 1 < len(grid):
            content = [c for c in grid[i + 1] if not c.continued]
            elements = [child for c in content[:1] for child in c.element
                        if child.tag != ooxml.qn("w:tcPr")]
            sections.append((found[0], found[1], elements))
    return sections


def _report_sections(blocks: list, layout: Layout) -> list:
    """Sections of a 评价报告: the paragraphs between one section title and the next."""
    sections: list[tuple[SectionSpec, str, list]] = []
    current: tuple[SectionSpec, str, list] | None = None
    for kind, text, element in blocks:
        flat = re.sub(r"\s+", "", text or "")
        found = next((s for s in layout.sections if kind == "p" and flat == s.title), None)
        if found:
            current = (found, "", [])
            sections.append(current)
        elif kind == "p" and (flat.startswith(layout.the_report.attachment_label + "：")
                              or flat == layout.the_report.attachment_label):
            current = None
        elif current is not None:
            current[2].append(element)
    return sections


def _indicator_rows(grid: list[list[ooxml.GridCell]], notes: Diagnostics) -> list[dict]:
    """Indicator rows as {field: text}; "" in a level means the cell above (merged)."""
    start = next((i for i, row in enumerate(grid)
                  if {"一级指标", "得分"} <= {re.sub(r"\s+", "", c.text) for c in row}), None)
    if start is None:
        return []
    fields: dict[int, str] = {}
    position = 0
    for cell in grid[start]:
        name = re.sub(r"\s+", "", cell.text)
        if name in HEADERS:
            fields[position] = HEADERS[name]
        position += cell.span
    rows, total_text = [], None
    for row in grid[start + 1:]:
        first = re.sub(r"\s+", "", row[0].text) if row else ""
        if first in TOTALS:
            numbers = [c.text for c in row[1:] if re.fullmatch(r"[0-9.]+", c.text.strip())]
            total_text = numbers[-1] if numbers else None
            break
        record, position = {}, 0
        for cell in row:
            field = fields.get(position)
            if field:
                record[field] = "" if cell.continued else cell.text.replace("\n", " ").strip()
            position += cell.span
        if any(record.values()):
            rows.append(record)
    if rows and "weight" not in fields.values():
        for record in rows:
            record["weight"] = record.get("score", "")
        notes.warning("PD607", "indicators", "表中没有“分值”列：分值暂按得分填写，请核对")
    _check_total(rows, total_text, notes)
    return rows


def _check_total(rows: list[dict], total_text: str | None, notes: Diagnostics) -> None:
    if total_text is None:
        return
    try:
        scores = sum((Decimal(r.get("score") or "0") for r in rows), Decimal(0))
        total = Decimal(total_text)
    except InvalidOperation:
        return  # the check reports the cell that is not a number
    if scores != total:
        notes.warning("PD606", "indicators", f"原表“合计”为 {total_text}，各项得分相加为 "
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
    if done.returncode != 0:
        why = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]  # one line
        raise ImportFailure("PD601", f"pandoc 无法读取文档内容：{why or done.returncode}")
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
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _promoted(markdown: str) -> str:
    """Each paragraph's typed number back to the level the writer typed (headings.promote);
    pandoc escapes a leading "1." as "1\\.", which is undone first."""
    paragraphs = markdown.split("\n\n")
    return "\n\n".join(promote(re.sub(r"^([0-9]+)\\\.", r"\1.", p)) for p in paragraphs)


def _yaml(data: dict) -> str:
    return yaml.safe_dump({k: v for k, v in data.items() if v is not None},
                          allow_unicode=True, sort_keys=False, width=1000)


def _csv_files(rows: list[dict]) -> dict[str, str]:
    """One CSV per first-level group, as the sample keeps them (one for all when there
    are more than MAX_CSV_FILES groups)."""
    levels = [f for f in ("level1", "level2", "level3") if any(f in r for r in rows)]
    fields = levels + ["weight", "score", "note"] + (["owner"] if any("owner" in r for r in rows)
                                                     else [])
    groups: list[tuple[str, list[dict]]] = []
    for record in rows:
        if record.get("level1") or not groups:
            groups.append((record.get("level1", ""), []))
        groups[-1][1].append(record)
    if len(groups) > MAX_CSV_FILES:  # a file per group would be a folder nobody reviews
        groups = [("指标", rows)]
    files = {}
    for number, (name, members) in enumerate(groups, start=1):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([COLUMNS[f] for f in fields])
        for record in members:
            writer.writerow([record.get(f, "") for f in fields])
        safe = re.sub(r'[\\/:*?"<>|\s]+', "_", name) or "指标"
        files[f"indicators/{number:02d}-{safe}.csv"] = buffer.getvalue()
    return files


# ---------------------------------------------------------------- writing


def write_project(imported: Imported, target: Path, force: bool) -> list[Path]:
    """content/ and indicators/ into `target`, all or nothing."""
    existing = [d for d in ("content", "indicators") if (target / d).exists()]
    if existing and not force:
        raise ImportFailure("PD605", f"{target} 中已有 {'、'.join(d + '/' for d in existing)}，"
                           "不会覆盖；确需覆盖请加 --force")
    if target.exists() and not target.is_dir():
        raise ImportFailure("PD605", f"{target} 不是目录")
    try:
        check_targets(target, [target / "content", target / "indicators"]
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
            dest = target / folder
            dest.mkdir(exist_ok=True)
            for stale in dest.glob(pattern):  # --force: the old sources go; images stay
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
            for path in (stage / folder).iterdir():
                path.replace(dest / path.name)
    return [target / name for name in imported.files]
