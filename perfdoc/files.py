"""The project's files as a boundary: what perfdoc reads and writes stays inside.

A report repository's CI runs perfdoc on every pull request, so a source file is
untrusted: it may be a symbolic link to /etc/passwd, a FIFO, or a gigabyte of
text. Every source is opened here, after its real path is checked to lie inside
the project and to be a regular file of a sane size; every output path is
checked the same way before anything is written.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

# The folders that hold a report's sources (what a build reads, what diff compares).
SOURCE_DIRS = ("content", "indicators", "projects")

# Far above any real source (the sample's largest file is 3 KB); README "可靠性" lists
# them, and how to raise one.
MAX_SOURCE_BYTES = 20 * 1024 * 1024  # any source file (a CSV, a layout)
MAX_MARKDOWN_BYTES = 2 * 1024 * 1024  # a section or project.md: some 700,000 characters
MAX_CSV_ROWS = 100_000  # indicator rows in one CSV
MAX_PROJECTS = 500  # project folders in projects/ (a department files tens; 500 build in ~6 s)
MAX_TABLE_COLUMNS = 64  # columns of a Markdown (GFM) table
# Markdown elements (blocks, table cells, inline runs and marks): a 2 MB body of one-letter
# lines or list items made 2-4 million of them and 3.7 GB of memory. The 100x benchmark's
# largest body has 17,700; the sample's sections a few hundred.
MAX_MARKDOWN_ELEMENTS = 50_000  # in one body
MAX_MARKDOWN_ELEMENTS_TOTAL = 250_000  # in all the bodies one check reads


# O_NONBLOCK (POSIX): opening a FIFO for reading must not wait for a writer. O_BINARY
# (Windows): without it the descriptor is in text mode, which turns CRLF into LF and
# ends the file at the first 0x1A byte. Each flag exists only where it means something.
READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
              | getattr(os, "O_CLOEXEC", 0))


class SourceError(Exception):
    """A source that must not be read; `code` is its diagnostic code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, with every symbolic link followed, lies within `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True


def read_source(root: Path, path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a source file that is a regular file inside `root`, at most `limit`."""
    if not inside(root, path):
        raise SourceError("PD005", "是指向项目目录之外的链接，不会读取")
    data = read_regular(path, limit)
    target = checked_out_link(path, data)
    if target:
        raise SourceError("PD005", link_as_text(target))
    return data


def link_as_text(target: str) -> str:
    return (f"内容只有一个路径“{target}”：这是 git 中的符号链接被检出成了普通文本文件（Windows 上"
            "git 默认 core.symlinks=false）。请把它改为普通文件后提交，或在 Windows 上启用符号链接后重新检出")


def checked_out_link(path: Path, data: bytes) -> str:
    """The target, when `data` is what Git for Windows writes for a symbolic link it
    cannot create: one short line, no newline, naming a path that exists beside it."""
    if not 0 < len(data) <= 260 or b"\n" in data or b"\0" in data:
        return ""
    try:
        target = data.decode("utf-8")
        return target if target.strip() == target and (path.parent / target).exists() else ""
    except (UnicodeDecodeError, OSError, ValueError):
        return ""


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a regular file; a device, FIFO or folder is refused at once."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError as exc:
        raise SourceError("PD005", f"无法打开：{exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SourceError("PD005", "不是普通文件（可能是目录、设备或管道），不会读取")
    with os.fdopen(fd, "rb") as fh:
        if info.st_size > limit:
            raise SourceError("PD006", f"文件大小 {info.st_size // 1024} KB，超过上限 "
                              f"{limit // 1024} KB")
        data = fh.read(limit + 1)  # the file may grow between fstat and read
    if len(data) > limit:
        raise SourceError("PD006", f"文件超过上限 {limit // 1024} KB")
    return data


class WriteError(Exception):
    """An output that cannot be written; the message names the path, in Chinese."""


def writable_dir(root: Path, out_dir: Path) -> None:
    """Refuse an output folder that leads out of the project, or is not a folder."""
    if out_dir.is_symlink() or not inside(root, out_dir):
        raise WriteError(f"{out_dir} 是指向项目目录之外的链接，不会写入")
    if out_dir.exists() and not out_dir.is_dir():
        raise WriteError(f"{out_dir} 已存在但不是目录，无法写入生成的文件")


def check_targets(root: Path, paths: Iterable[Path]) -> None:
    """Before writing anything: every target must be (or become) a regular file inside
    `root`; a symbolic link on the way out of it stops the whole command."""
    for path in paths:
        if path.is_symlink() or not inside(root, path):
            raise WriteError(f"{path} 是指向项目目录之外的链接（或位于这样的目录中），"
                             "不会写入任何文件")
        if path.exists() and not (path.is_file() or path.is_dir()):
            raise WriteError(f"{path} 已存在但不是普通文件，不会写入任何文件")


def _file_mode() -> int:
    """The mode a newly created file gets from the umask (mkstemp's 0600 is too tight)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_all(out_dir: Path, payloads: dict[str, bytes]) -> None:
    """Every file to a temporary name first; only when all are complete are they
    renamed into place, so a full disk leaves the previous set untouched. The previous
    files are moved aside first, all of them, before any new one goes in: a file that
    Word or WPS holds open cannot be moved on Windows, and then nothing is replaced."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建目录 {out_dir}：{exc.strerror}") from None
    mode = _file_mode()
    for name in payloads:
        _sweep_leftovers(out_dir / name)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in payloads.items():
            dest = out_dir / name
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp",
                                           dir=dest.parent)
            except OSError as exc:
                raise WriteError(f"无法写入 {dest}：{exc.strerror}") from None
            staged.append((name, Path(tmp)))
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.chmod(tmp, mode)
            except OSError as exc:
                raise WriteError(f"无法写入 {dest}：{exc.strerror}") from None
        _swap(out_dir, staged)
    finally:
        for _, staged_path in staged:
            staged_path.unlink(missing_ok=True)


def _sweep_leftovers(dest: Path) -> None:
    """Remove the temporary and set-aside copies of `dest` that a killed build left
    (Windows ends a process without running any cleanup, and there a leading dot does
    not hide a file). One written in the last minute may be another build's: kept."""
    now = time.time()
    with contextlib.suppress(OSError):
        for pattern in (f".{glob.escape(dest.name)}.*.tmp", f".{glob.escape(dest.name)}.*.old"):
            for left in dest.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    if left.is_file() and not left.is_symlink() \
                            and now - left.stat().st_mtime > 60:
                        left.unlink()


def _swap(out_dir: Path, staged: list[tuple[str, Path]]) -> None:
    """Move the old files aside, the new ones in, then drop the old; any failure puts
    every old file back where it was."""
    aside: list[tuple[Path, Path]] = []  # (target, where the old file waits)
    placed: list[Path] = []
    try:
        for name, _ in staged:
            target = out_dir / name
            if target.exists():
                backup = target.with_name(f".{target.name}.{os.getpid()}.old")
                try:
                    os.replace(target, backup)
                except OSError as exc:
                    raise WriteError(f"无法替换 {target}：{exc.strerror}。这个文件可能正在被 Word、"
                                     "WPS 或其他程序打开，请关闭后重新生成；没有替换任何文件") from None
                aside.append((target, backup))
        for name, staged_path in staged:
            try:
                os.replace(staged_path, out_dir / name)
            except OSError as exc:
                raise WriteError(f"无法写入 {out_dir / name}：{exc.strerror}；没有替换任何文件") from None
            placed.append(out_dir / name)
    except WriteError:
        for path in placed:
            with contextlib.suppress(OSError):
                path.unlink()
        for target, backup in aside:
            with contextlib.suppress(OSError):
                os.replace(backup, target)
        raise
    for _, backup in aside:
        with contextlib.suppress(OSError):  # a leftover .old is hidden and harmless
            backup.unlink()
