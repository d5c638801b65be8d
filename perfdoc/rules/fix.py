"""`perfdoc fix`: apply the mechanical writing fixes to the Markdown sources in place.

Only the body of each file is touched, and in it only the spans a rule names
(writing.fixed). Everything else stays byte for byte: the frontmatter, the line
endings (CRLF stays CRLF), a BOM, the encoding. Links out of the project are never
followed, and each file is replaced whole (temporary file, then rename).
"""

from __future__ import annotations

import codecs
import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from perfdoc.diagnostics import printable
from perfdoc.files import MAX_MARKDOWN_BYTES, SourceError, check_targets, read_source
from perfdoc.rules.writing import fixed
from perfdoc.sources.load import FACTS_FILE
from perfdoc.sources.project_load import PROJECT_FILE, PROJECTS_DIR


@dataclass
class Change:
    path: Path
    old: bytes
    new: bytes
    encoding: str

    def diff(self, root: Path) -> str:
        name = printable(self.path.relative_to(root).as_posix())  # one header line
        old = self.old.decode(self.encoding).splitlines(keepends=True)
        new = self.new.decode(self.encoding).splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))


def markdown_sources(root: Path) -> list[Path]:
    """The files whose bodies are prose: content/*.md (not report.md) and project.md."""
    paths = [p for p in sorted((root / "content").glob("*.md")) if p.name != FACTS_FILE]
    return paths + sorted((root / PROJECTS_DIR).glob(f"*/{PROJECT_FILE}"))


def fix_bytes(data: bytes) -> tuple[bytes, str] | None:
    """The file with its body fixed, and its encoding; None when it cannot be read."""
    bom = data.startswith(codecs.BOM_UTF8)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data[3 if bom else 0:].decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    lines = text.splitlines(keepends=True)
    body_from = _body_start(lines)
    head, body_lines = lines[:body_from], lines[body_from:]
    contents = [line.rstrip("\r\n") for line in body_lines]
    ends = [line[len(content):] for line, content in zip(body_lines, contents, strict=True)]
    new_contents = fixed("\n".join(contents)).split("\n")
    assert len(new_contents) == len(contents)  # fixes never add or remove a line
    new_text = "".join(head) + "".join(c + e for c, e in zip(new_contents, ends, strict=True))
    return (codecs.BOM_UTF8 if bom else b"") + new_text.encode(encoding), encoding


def _body_start(lines: list[str]) -> int:
    """The index of the first body line: after the frontmatter's closing ---."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n") == "---":
            return index + 1
    return len(lines)  # no closing ---: all frontmatter, nothing to fix


def plan(root: Path) -> tuple[list[Change], list[str]]:
    """What fix would change, and the files it could not read (with why)."""
    changes, skipped = [], []
    for path in markdown_sources(root):
        where = path.relative_to(root).as_posix()
        try:
            data = read_source(root, path, MAX_MARKDOWN_BYTES)
        except SourceError as exc:
            skipped.append(f"{where}: {exc}")
            continue
        result = fix_bytes(data)
        if result is None:
            skipped.append(f"{where}: 既不是 UTF-8 也不是 GB18030 编码，未处理")
        elif result[0] != data:
            changes.append(Change(path, data, result[0], result[1]))
    return changes, skipped


def apply(root: Path, changes: list[Change]) -> None:
    """Each changed file replaced whole, keeping its mode; nothing through a link."""
    check_targets(root, [c.path for c in changes])
    for change in changes:
        mode = change.path.stat().st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=f".{change.path.name}.", dir=change.path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(change.new)
            os.chmod(tmp, mode)
            os.replace(tmp, change.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
