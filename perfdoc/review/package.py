"""A Word package opened for import within bounds, and made readable by python-docx.

Every bound is checked on the bytes before python-docx sees them: the file is a
regular file of at most MAX_FILE bytes; each zip entry is decompressed through a
counter (the sizes a zip declares can lie) within MAX_ENTRY, MAX_UNPACKED and
MAX_RATIO; no XML part declares a DTD (entity expansion) or nests beyond
MAX_DEPTH; the body holds at most MAX_ROWS table rows and MAX_PARAGRAPHS
paragraphs. Then what Word writes besides a plain .docx is made one: a template
or macro-enabled main part, ISO Strict names, a main part named otherwise,
relationships to parts that were lost.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from perfdoc import ooxml
from perfdoc.files import SourceError, read_regular

# Bounds far above any real form (the seed is one page of table; a 50-page report with
# photos is a few MB). README "可靠性" lists them.
MAX_FILE = 50 * 1024 * 1024  # the file itself
MAX_UNPACKED = 200 * 1024 * 1024  # all entries, as really decompressed
MAX_ENTRY = 100 * 1024 * 1024  # one entry (a picture)
MAX_XML = 20 * 1024 * 1024  # one XML part: a 50-page report's document.xml is ~2 MB
MAX_ENTRIES = 5000
MAX_RATIO = 200  # unpacked-to-compressed, per entry: zip bombs sit far above
MAX_ROWS = 20_000  # table rows in the body
MAX_PARAGRAPHS = 100_000
MAX_DEPTH = 100  # elements inside elements: Word writes some 15
MAX_NESTED_TABLES = 5  # tables inside table cells
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_TBL = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl"


class ImportFailure(Exception):
    """The file cannot be imported; `code` and the message are for the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.source: str | None = None  # the file, when several were read


@dataclass
class Opened:
    """What one file holds for import: a Word document, or an indicator table's sheets."""

    document: Any = None  # python-docx's Document
    grids: list | None = None  # [rows of ooxml.GridCell] per sheet
    repairs: list[str] = field(default_factory=list)  # what was put right to read it
    warnings: list[str] = field(default_factory=list)  # what could not be read (PD609)


def read_bounded(path: Path) -> bytes:
    try:
        return read_regular(path, MAX_FILE)
    except SourceError as exc:
        if exc.code == "PD006":
            raise ImportFailure("PD603", f"文件超过 {MAX_FILE // 1024 // 1024} MB 的上限，"
                               "不像是一份自评表") from None
        raise ImportFailure("PD601", str(exc)) from None


def unpacked(data: bytes) -> dict[str, bytes]:
    """A zip's entries, each within the bounds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ImportFailure("PD603", f"压缩包有 {len(infos)} 个文件，不像是 Word 文档")
            total = 0
            parts: dict[str, bytes] = {}
            for info in infos:
                if info.is_dir():
                    continue
                parts[info.filename] = _check_entry(z, info, MAX_UNPACKED - total)
                total += len(parts[info.filename])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise ImportFailure("PD601", "压缩包已损坏（不完整或被截断），无法读取；"
                           "请在 Word 中打开后重新“另存为”.docx") from None
    except NotImplementedError:
        raise ImportFailure("PD601", "压缩包使用了 Word 不会使用的压缩方式，无法读取") from None
    return parts


def repacked(parts: dict[str, bytes]) -> bytes:
    """The checked entries as a zip again, stored: readers that trust a zip's declared
    sizes (python-docx and openpyxl call read()) get only bytes already counted."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _check_entry(z: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> bytes:
    """Decompress one entry through a counter, a megabyte at a time; its bytes."""
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
        line, column = exc.position if exc.position else (0, 0)
        raise ImportFailure("PD601", f"{self.name} 不是有效的 XML（第 {line} 行第 {column} 列"
                           "附近已损坏）；请在 Word 中打开后重新“另存为”.docx")

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


def word_document(parts: dict[str, bytes], opened: Opened) -> Any:
    """python-docx's Document from a checked Word package; what had to be put right to
    open it is told in `opened`."""
    import docx

    if ooxml.is_strict(parts):
        ooxml.strict_to_transitional(parts)
        opened.repairs.append("已把 ISO/IEC 29500 Strict 格式的命名空间换成常规（Transitional）"
                              "格式后读取")
    main = ooxml.main_part(parts)
    if main is None:
        raise ImportFailure("PD601", "不是有效的 Word 文档：包中没有说明正文在哪里"
                           "（_rels/.rels 中缺少 officeDocument 关系），文件已损坏")
    if main not in parts:
        raise ImportFailure("PD601", f"Word 文档缺少正文部分 {main}，文件已损坏或不完整")
    kind = ooxml.content_type(parts, main)
    if kind in ooxml.WORD_VARIANTS:
        ooxml.set_content_type(parts, main, ooxml.WORD_MAIN)
        opened.repairs.append(f"文件是 {ooxml.WORD_VARIANTS[kind]}，按普通 Word 文档读取"
                              + ("（宏不会运行，也不导入）" if "macro" in kind else ""))
    elif kind != ooxml.WORD_MAIN:
        raise ImportFailure("PD601", f"不是 Word 文档：正文部分 {main} 的类型是"
                           f"“{kind or '未声明'}”")
    for name in ooxml.drop_missing_targets(parts):
        what = "图片" if name.rpartition("/")[0].endswith("media") else "部分"
        opened.warnings.append(f"文档引用的{what} {name} 不在文件中（已跳过），其余内容照常导入")
    try:
        document = docx.Document(io.BytesIO(repacked(parts)))
    except Exception:  # python-docx and lxml on a part that is not what it says
        raise ImportFailure("PD601", "Word 文档已损坏，无法读取（某个部分的内容与它的类型不符）；"
                           "请在 Word 中打开后重新“另存为”.docx") from None
    body = document.element.body
    if body is None:
        raise ImportFailure("PD601", "Word 文档的正文部分没有正文（缺少 w:body），文件已损坏")
    rows = sum(1 for _ in body.iter(ooxml.qn("w:tr")))
    paragraphs = sum(1 for _ in body.iter(ooxml.qn("w:p")))
    if rows > MAX_ROWS or paragraphs > MAX_PARAGRAPHS:
        raise ImportFailure("PD603", f"文档有 {rows} 个表格行、{paragraphs} 个段落，超过上限"
                           f"（{MAX_ROWS} 行、{MAX_PARAGRAPHS} 段），不像是一份自评表")
    moved = ooxml.accept_moves(body)
    if moved:
        opened.repairs.append(f"已接受修订中的移动：移走前的原文不再读入（{moved} 处）")
    return document
