"""What a file really is, whatever its name says, and how it is read for import.

A .docx (also a template, macro-enabled or Strict one) is read as it is; an .xlsx
or a CSV is an indicator table; a .doc, .wps, .rtf, .odt or a Word 2003 XML or
web-page file, and an .xls or .ods, are converted by LibreOffice headless to .docx
or .xlsx first, and the summary says so. An encrypted file is refused as encrypted.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from perfdoc import ooxml
from perfdoc.review import sheet
from perfdoc.review.package import ImportFailure, Opened, read_bounded, unpacked, word_document

CONVERT_SECONDS = 45  # LibreOffice starts in 1-3 s; within the run's 60 s (PD008)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF = {"application/vnd.oasis.opendocument.text": ("odt", "docx", "OpenDocument 文本（.odt）"),
        "application/vnd.oasis.opendocument.text-template": ("ott", "docx",
                                                             "OpenDocument 文本模板（.ott）"),
        "application/vnd.oasis.opendocument.spreadsheet": ("ods", "xlsx",
                                                           "OpenDocument 表格（.ods）")}
# A file named so but holding plain text is damaged or renamed, not a CSV.
_OFFICE_SUFFIXES = (".docx", ".docm", ".dotx", ".dotm", ".doc", ".dot", ".wps", ".rtf", ".odt",
                    ".xlsx", ".xlsm", ".xls", ".et", ".ods")
_FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
_PASSWORD = ("设置了打开密码（已加密）：请在 Word、WPS 或 Excel 中打开它，去掉密码"
             "（“文件 → 信息 → 保护文档 → 用密码进行加密”，清空密码）后另存，再导入")


def open_file(path: Path) -> Opened:
    """The file's Word document or sheets, read by what its bytes are."""
    return _opened(read_bounded(path), path.suffix.lower(), converted=None)


def _opened(data: bytes, suffix: str, converted: str | None) -> Opened:
    opened = Opened()
    if converted:
        opened.repairs.append(converted)
    head = data[:4096].lstrip()
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        parts = unpacked(data)
        mimetype = parts.get("mimetype", b"").decode("ascii", "replace").strip()
        if mimetype in _ODF and converted is None:
            ext, to, label = _ODF[mimetype]
            return _convert(data, ext, to, label)
        main = ooxml.main_part(parts)
        kind = ooxml.content_type(parts, main) if main else None
        if kind in ooxml.SHEET_MAIN:
            opened.grids = sheet.workbook(parts, opened)
        elif "[Content_Types].xml" in parts:
            opened.document = word_document(parts, opened)
        else:
            raise ImportFailure("PD601", "是一个压缩包（.zip），但不是 Word 文档或 Excel 工作簿；"
                               "请解压后导入其中的 .docx")
    elif data.startswith(_OLE2):
        if converted is not None:
            raise ImportFailure("PD601", "转换后的文件仍不是 .docx，无法导入")
        return _compound(data, suffix)
    elif head.startswith(b"{\\rtf"):
        return _convert(data, "rtf", "docx", "RTF 文档（.rtf）")
    elif head.startswith(b"%PDF"):
        raise ImportFailure("PD601", "这是 PDF 文件：PDF 中没有表格的结构，无法导入；请找到生成它的"
                           " Word 文件（.docx 或 .doc），或在 WPS/Word 中把 PDF 转为 Word 后核对再导入")
    elif b"<w:wordDocument" in head or b"Word.Document" in head[:300]:
        return _convert(data, "xml", "docx", "Word 2003 XML 文档")
    elif head[:300].lower().startswith((b"<html", b"<!doctype html", b"mime-version")) \
            or b"urn:schemas-microsoft-com:office:word" in head:
        return _convert(data, "htm", "docx", "网页格式的 Word 文件（扩展名是 "
                        f"{suffix or '无'}，内容是 HTML）")
    elif suffix in _OFFICE_SUFFIXES:
        raise ImportFailure("PD601", f"不是有效的 Word 文档或 Excel 工作簿：扩展名是 {suffix}，"
                           "内容却是纯文本或无法识别的数据（文件可能被改过扩展名或已损坏）")
    else:
        opened.grids = sheet.text_table(data, opened)
    return opened


def _compound(data: bytes, suffix: str) -> Opened:
    """An OLE2 compound file: Word 97-2003 (.doc, WPS's .wps), Excel 97-2003 (.xls,
    .et), or an encrypted Office 2007+ file, told apart by its streams."""
    import olefile  # type: ignore[import-untyped]  # no stubs (types-olefile types names as bytes)

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
            if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
                raise ImportFailure("PD602", "文件" + _PASSWORD)
            if "WordDocument" in streams:
                flags = int.from_bytes(ole.openstream("WordDocument").read(12)[10:12], "little")
                if flags & 0x0100:  # FIB fEncrypted
                    raise ImportFailure("PD602", "这份 Word 97–2003 文档" + _PASSWORD)
                label = "WPS 文字文档（.wps）" if suffix == ".wps" else "Word 97–2003 文档（.doc）"
                return _convert(data, "doc", "docx", label)
            if "Workbook" in streams or "Book" in streams:
                if _xls_password(ole.openstream("Workbook" if "Workbook" in streams
                                                else "Book").read(1 << 16)):
                    raise ImportFailure("PD602", "这份 Excel 97–2003 工作簿" + _PASSWORD)
                label = "WPS 表格（.et）" if suffix == ".et" else "Excel 97–2003 工作簿（.xls）"
                return _convert(data, "xls", "xlsx", label)
    except ImportFailure:
        raise
    except Exception:  # olefile on a damaged compound file
        raise ImportFailure("PD601", "文件是 Office 97–2003 格式，但已损坏，无法读取") from None
    raise ImportFailure("PD601", "文件是 Office 97–2003 格式，但既不是 Word 文档也不是 Excel "
                       "工作簿（可能是 PowerPoint 或其他程序的文件）")


def _xls_password(stream: bytes) -> bool:
    """Whether a BIFF workbook stream has a FILEPASS record before its first sheet."""
    at = 0
    for _ in range(200):
        if at + 4 > len(stream):
            return False
        kind = int.from_bytes(stream[at:at + 2], "little")
        size = int.from_bytes(stream[at + 2:at + 4], "little")
        if kind == 0x002F:  # FILEPASS
            return True
        if kind == 0x0085:  # BOUNDSHEET: the globals are past where FILEPASS would be
            return False
        at += 4 + size
    return False


def _spaced(label: str) -> str:
    """A label between Chinese words: a space only beside its Latin ends (Word …）)."""
    return (" " if label[:1].isascii() else "") + label + (" " if label[-1:].isascii() else "")


def _convert(data: bytes, ext: str, to: str, label: str) -> Opened:
    """`data` converted to `to` by LibreOffice headless, then read as that."""
    from perfdoc.word.pdf import soffice

    binary = soffice()
    if binary is None:
        raise ImportFailure("PD611", f"文件是 {label}，需要用 LibreOffice 转换为 .{to} 才能导入，"
                           "但没有找到 LibreOffice（soffice）：请安装 LibreOffice（Debian/Ubuntu："
                           "sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui；"
                           f"Windows 从 libreoffice.org 下载），或在 Word/WPS 中把它另存为 .{to}")
    with tempfile.TemporaryDirectory(prefix="perfdoc-convert-") as tmp:
        work = Path(tmp)
        source = work / f"in.{ext}"
        source.write_bytes(data)
        command = [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                   "--norestore", "--convert-to", _FILTERS[to], "--outdir", str(work / "out")]
        if ext == "htm":
            command += ["--infilter=HTML (StarWriter)"]
        try:
            subprocess.run([*command, str(source)], capture_output=True,
                           timeout=CONVERT_SECONDS, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ImportFailure("PD611", f"LibreOffice 在 {CONVERT_SECONDS} 秒内没有把{_spaced(label)}"
                               f"转换完：请在 Word/WPS 中把它另存为 .{to} 后再导入") from None
        except OSError as exc:
            raise ImportFailure("PD611", f"无法运行 LibreOffice（{binary}）：{exc.strerror}") from None
        result = work / "out" / f"in.{to}"
        if not result.is_file():
            raise ImportFailure("PD611", f"LibreOffice 未能打开这份{_spaced(label)}：它可能已损坏、"
                               f"设置了密码，或不是它的扩展名所说的格式；请在 Word/WPS 中打开"
                               f"并另存为 .{to}")
        converted = result.read_bytes()
    return _opened(converted, f".{to}", f"已用 LibreOffice（{binary}）把{_spaced(label)}转换为 .{to} "
                   "后导入：转换可能改变个别格式，请核对")
