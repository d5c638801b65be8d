"""PDF from the built documents: LibreOffice headless, one run for all of them.

The PDF is what is printed, stamped (盖章) and uploaded. LibreOffice stamps the time
of the conversion into it (/CreationDate, /ID, /DocChecksum); those are rewritten
in place, with strings of the same length so the cross-reference offsets stay right:
the date becomes the build's source date, the IDs a digest of the rest of the file.
What remains is LibreOffice's own output, stable for one LibreOffice version and
its fonts (the /Producer names that version).
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

SOFFICE_SECONDS = 300

INSTALL_HINT = ("未找到 LibreOffice（soffice），无法生成 PDF；Word 文件已照常生成。"
                "请安装 LibreOffice：Debian/Ubuntu 运行 sudo apt-get install "
                "libreoffice-writer-nogui，Windows、macOS 从 libreoffice.org 下载安装，"
                "然后重新运行 perfdoc build --pdf（或 make pdf）；装在别处时用环境变量 "
                "PERFDOC_SOFFICE 指明 soffice 的路径")


class PdfError(Exception):
    """No PDF could be made; the message is for the user."""


# Where LibreOffice's installers put soffice when it is not on PATH (the Windows
# installer never adds it): under %ProgramFiles%, /opt, /Applications.
PROGRAM_FILES = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")
INSTALL_FOLDERS = ("/opt/libreoffice*/program", "/Applications/LibreOffice.app/Contents/MacOS")


def soffice() -> str | None:
    """LibreOffice's binary: PERFDOC_SOFFICE, then PATH, then the usual install folders."""
    named = os.environ.get("PERFDOC_SOFFICE", "").strip()
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    folders = [f"{os.environ[v]}/LibreOffice/program" for v in PROGRAM_FILES if os.environ.get(v)]
    for pattern in (*folders, *INSTALL_FOLDERS):
        for candidate in sorted(glob.glob(pattern)):
            for name in ("soffice.exe", "soffice"):
                if (Path(candidate) / name).is_file():
                    return str(Path(candidate) / name)
    return None


def convert(documents: list[Path], when: datetime) -> dict[Path, bytes]:
    """Each .docx as PDF bytes (keyed by the .docx path), dated `when`: one LibreOffice
    run for all (its start-up is most of the time), on copies named 0.docx, 1.docx …
    so that two folders' files of the same name cannot meet."""
    binary = soffice()
    if binary is None:
        raise PdfError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="perfdoc-pdf-") as tmp:
        work = Path(tmp)
        copies = []
        for number, path in enumerate(documents):
            copies.append(work / f"{number}.docx")
            shutil.copyfile(path, copies[-1])
        try:
            done = subprocess.run(
                [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                 "--norestore", "--convert-to", "pdf", "--outdir", str(work / "pdf"),
                 *map(str, copies)],
                capture_output=True, timeout=SOFFICE_SECONDS, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 在 {SOFFICE_SECONDS} 秒内没有完成 PDF 转换") from None
        out = {}
        for path, copy in zip(documents, copies, strict=True):
            pdf = work / "pdf" / f"{copy.stem}.pdf"
            if done.returncode != 0 or not pdf.is_file():
                why = " ".join(done.stderr.decode("utf-8", "replace").split())[:300]
                raise PdfError(f"LibreOffice 未能把 {path.name} 转换为 PDF：{why}")
            out[path] = stamped(pdf.read_bytes(), when)
    return out


_DATE = re.compile(rb"/(?:CreationDate|ModDate)\(D:(\d{14})")
_IDS = re.compile(rb"/ID \[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]|/DocChecksum /([0-9A-Fa-f]+)")


def stamped(data: bytes, when: datetime) -> bytes:
    """The PDF with its dates set to `when` and its IDs derived from its content."""
    digits = when.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode()
    out = bytearray(data)
    for m in _DATE.finditer(data):
        out[m.start(1):m.end(1)] = digits
    spans = [m.span(g) for m in _IDS.finditer(data) for g in (1, 2, 3) if m.group(g)]
    for start, end in spans:
        out[start:end] = b"0" * (end - start)
    digest = hashlib.md5(bytes(out)).hexdigest().upper().encode() * 2
    for start, end in spans:
        out[start:end] = digest[:end - start]
    return bytes(out)
