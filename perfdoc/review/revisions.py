"""A project's sources at a git revision, read through git (no checkout, no remote needed)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from perfdoc.files import SOURCE_DIRS


class RevisionError(Exception):
    """A revision that cannot be read; the message is for the user."""


# Paths as they are (no octal quoting of 中文), and decoded as the file system names them:
# git prints a path's bytes as stored, which are the file system's (UTF-8 on Windows and
# most Linux, GBK under a GBK locale), so os.fsdecode, not the console's code page.
GIT = ("git", "-c", "core.quotePath=false")


def git(root: Path, *args: str, binary: bool = False) -> Any:
    try:
        done = subprocess.run([*GIT, *args], cwd=root, capture_output=True, timeout=60)
    except OSError:
        raise RevisionError("找不到 git 命令，请先安装 git") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace")
        raise RevisionError(err.strip().splitlines()[-1] if err.strip() else "git 出错")
    return done.stdout if binary else os.fsdecode(done.stdout)


def repo_prefix(root: Path) -> str:
    """The project folder's path inside its repository ("" at the top)."""
    try:
        return git(root, "rev-parse", "--show-prefix").strip()
    except RevisionError:
        raise RevisionError(f"{root} 不在 git 仓库中") from None


def default_base(root: Path) -> str:
    """The merge-base of HEAD with the default branch (origin's HEAD, main or master)."""
    repo_prefix(root)  # outside a repository, say so (not "no commits yet")
    candidates = []
    with contextlib.suppress(RevisionError):  # no origin: the local names below
        candidates.append(git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD").strip())
    candidates += ["origin/main", "origin/master", "main", "master"]
    for branch in candidates:
        try:
            return git(root, "merge-base", "HEAD", branch).strip()
        except RevisionError:
            continue
    try:
        return git(root, "rev-parse", "HEAD").strip()
    except RevisionError:
        raise RevisionError("仓库还没有任何提交") from None


@contextmanager
def checkout(root: Path, revision: str) -> Iterator[Path]:
    """The project's content/ and indicators/ at `revision`, in a temporary folder."""
    prefix = repo_prefix(root)
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    try:
        commit = git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    except RevisionError:
        raise RevisionError(f"未知的 git 版本“{revision}”") from None
    # From the top of the repository, so paths mean the same in every subcommand.
    paths = [f"{prefix}{name}" for name in SOURCE_DIRS]
    # -z: names NUL-separated and unquoted, so a Chinese-named folder is found.
    listed = [p for p in git(top, "ls-tree", "-z", "--name-only", commit, "--", *paths)
              .split("\0") if p]
    if f"{prefix}content" not in listed:
        raise RevisionError(f"版本“{revision}”中没有 perfdoc 源文件（{prefix}content/）")
    data = git(top, "archive", "--format=tar", commit, "--", *listed, binary=True)
    with tempfile.TemporaryDirectory(prefix="perfdoc-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar:
                _extract(tar, member, tmp, revision)
        yield Path(tmp) / prefix


# Names Windows cannot create: a device name as the stem, a reserved character, or a
# trailing dot or space. An old revision may hold one (committed on Linux).
ON_WINDOWS = os.name == "nt"
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                    *(f"LPT{i}" for i in range(10))}


def windows_unsafe(name: str) -> bool:
    for part in name.split("/"):
        if part.split(".")[0].upper().rstrip(" ") in _WINDOWS_DEVICES \
                or any(c in part for c in '<>:"|?*\\') or part.endswith((".", " ")) \
                or any(ord(c) < 32 for c in part):
            return True
    return False


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, tmp: str, revision: str) -> None:
    """One member, or a RevisionError naming it, never an OSError: a name this system
    cannot create is refused with the reason. A link inside the tree is kept (tarfile
    copies its target where the system cannot make links, as on Windows)."""
    if ON_WINDOWS and windows_unsafe(member.name):
        raise RevisionError(f"版本“{revision}”中的文件名 {member.name} 在 Windows 上无法创建"
                            "（CON、NUL 等设备名，含 : * ? 等字符，或以点、空格结尾），请改名后提交")
    try:
        tar.extract(member, tmp, filter="data")
    except tarfile.FilterError:
        raise RevisionError(f"版本“{revision}”中有不安全的文件，无法读取：{member.name}") from None
    except OSError as exc:
        raise RevisionError(f"版本“{revision}”中的 {member.name} 无法在本机创建："
                            f"{exc.strerror}") from None
