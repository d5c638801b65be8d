"""`perfdoc init DIR`: a new report repository that builds, with CI for pull requests."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from urllib.parse import urlparse

from perfdoc.files import SourceError, WriteError, check_targets, read_source
from perfdoc.sources.layout import (
    DEFAULT_LAYOUT,
    DEFAULT_PROJECT_LAYOUT,
    PROJECT_CSV,
    Layout,
    LayoutError,
    load_layout,
)
from perfdoc.sources.project_load import INDICATORS_FILE, PROJECT_FILE, PROJECTS_DIR

SCAFFOLD = Path(__file__).parent / "scaffold"

# scaffold file -> path in the new repository (dot files are not shipped as such)
RENAMES = {
    "gitignore": ".gitignore",
    "github-workflow.yml": ".github/workflows/perfdoc.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
}
FILLED = {"README.md", "content/report.md", "requirements-perfdoc.txt"}  # {year} {unit} …


class InitError(Exception):
    """The target cannot take a new report; the message is for the user."""


def _refuse_existing(target: Path, force: bool) -> None:
    existing = [name for name in ("content", "indicators") if (target / name).exists()]
    if existing and not force:
        raise InitError(f"{target} 中已有 {'、'.join(existing)}/，不会覆盖；确需覆盖请加 --force")


def _read(root: Path, path: Path) -> bytes:
    """A file of last year's project; links out of it are refused, never followed."""
    try:
        return read_source(root, path)
    except SourceError as exc:
        raise InitError(f"{path}: error[{exc.code}]: {exc}") from None


def _check_targets(target: Path, paths: Iterable[Path]) -> None:
    try:
        check_targets(target, paths)
    except WriteError as exc:
        raise InitError(str(exc)) from None


def _cleared_csv(root: Path, path: Path, columns: tuple[str, ...]) -> str:
    """An indicator CSV with the named columns emptied: names and weights stay."""
    rows = list(csv.reader(io.StringIO(_read(root, path).decode("utf-8-sig"))))
    header = rows[0] if rows else []
    empty = {header.index(c) for c in columns if c in header}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        writer.writerow(["" if i in empty else v for i, v in enumerate(row)])
    return out.getvalue()


def _roll_project(last: Path, folder: Path, dest: Path, files: dict) -> None:
    """A project for the new year: names, targets, weights and budgets kept; what was
    achieved and spent emptied (实际完成值, 得分, 偏差原因, the executed amounts and the
    reason for a low 执行率), so check lists each as still to fill."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() or path.is_symlink():
            files[dest / path.relative_to(folder)] = _read(last, path)
    md = folder / PROJECT_FILE
    if md.is_file():
        text = _read(last, md).decode("utf-8-sig")
        layout = _layout_of(text, last, folder, "project")
        files[dest / PROJECT_FILE] = _cleared_funds(text, layout)
    if (folder / INDICATORS_FILE).is_file():
        files[dest / INDICATORS_FILE] = _cleared_csv(
            last, folder / INDICATORS_FILE, ("实际完成值", "得分", PROJECT_CSV.note))


def _results(layout: Layout | None) -> tuple[str, ...]:
    """The indicator columns a new year starts empty: what was achieved and scored."""
    schema = (layout or load_layout(DEFAULT_LAYOUT)).csv_schema
    return tuple(c for c in (schema.score, schema.note, schema.actual, schema.coefficient)
                 if c is not None)


def _layout_of(text: str, root: Path, folder: Path, kind: str) -> Layout | None:
    """The layout a project.md or report.md names (None when it cannot be read: check
    will say why)."""
    found = re.search(r"^layout:\s*([^\s#]+)", text, flags=re.M)
    default = DEFAULT_PROJECT_LAYOUT if kind == "project" else DEFAULT_LAYOUT
    try:
        return load_layout(found.group(1).strip("\"'") if found else default, root,
                           folder=folder, kind=kind)
    except LayoutError:
        return None


def _cleared_funds(text: str, layout: Layout | None) -> str:
    """The executed amounts of the layout's budget block emptied ("全年执行数: 89.974" ->
    "全年执行数: ", YAML null: PD702 or PD102 until filled), and execution_reason."""
    if layout is None or layout.budget is None:
        return text
    spent = layout.budget.spent
    text = re.sub(rf"({re.escape(spent)}\s*:\s*)[^,}}\n#]*", r"\g<1>", text)
    return re.sub(r"^execution_reason:.*$", 'execution_reason: ""', text, count=1, flags=re.M)


VENDOR = "vendor"  # where init puts the wheel it was installed from


def install_spec() -> tuple[str, Path | None]:
    """The pip requirement a new repository's CI installs: this very perfdoc, pinned,
    and the wheel file to copy into the repository when that is the only way to reach it.

    PERFDOC_SPEC when set; else where this perfdoc was installed from (pip's
    direct_url.json): a git URL at its commit; a wheel on a web server by its URL; a wheel
    file on this machine, copied to vendor/ (CI cannot reach this machine's disk); the git
    checkout it runs from (its origin, else the folder) at HEAD; installed from an index,
    that version from the index.
    """
    spec = os.environ.get("PERFDOC_SPEC", "").strip()
    if spec:
        return spec, None
    try:
        dist = metadata.distribution("perfdoc")
        origin = json.loads(dist.read_text("direct_url.json") or "{}")
        version = dist.version
    except (metadata.PackageNotFoundError, ValueError):
        origin, version = {}, ""
    url = str(origin.get("url", ""))
    vcs = origin.get("vcs_info", {})
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"perfdoc @ git+{url}@{vcs['commit_id']}", None
    if "archive_info" in origin:
        if url.startswith(("https://", "http://")):
            return f"perfdoc @ {url}", None
        wheel = _local_file(url)
        if wheel is not None and wheel.suffix == ".whl":
            return f"./{VENDOR}/{wheel.name}", wheel
    checkout = Path(__file__).resolve().parents[2]
    top = _git(checkout, "rev-parse", "--show-toplevel")
    head = _git(checkout, "rev-parse", "HEAD")
    if head and top and Path(top).resolve() == checkout:  # not a venv inside some repository
        remote = _git(checkout, "config", "--get", "remote.origin.url")
        url = remote if remote and "://" in remote else checkout.as_uri()
        return f"perfdoc @ git+{url}@{head}", None
    if version and not origin:
        return f"perfdoc=={version}", None
    return f"perfdoc @ {checkout.as_uri()}", None


def _local_file(url: str) -> Path | None:
    if not url.startswith("file:"):
        return None
    from urllib.request import url2pathname

    path = Path(url2pathname(urlparse(url).path))
    return path if path.is_file() else None


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=folder,
                              capture_output=True, encoding="utf-8", errors="replace",
                              timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def init(target: Path, year: int, unit: str, force: bool = False) -> list[Path]:
    _refuse_existing(target, force)
    sources = [s for s in sorted(SCAFFOLD.rglob("*"))
               if s.is_file() and "__pycache__" not in s.parts]
    _check_targets(target, [target / RENAMES.get(r, r) for r in
                            (s.relative_to(SCAFFOLD).as_posix() for s in sources)])
    spec, wheel = install_spec()
    written = []
    if wheel is not None:
        _check_targets(target, [target / VENDOR / wheel.name])
        (target / VENDOR).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheel, target / VENDOR / wheel.name)
        written.append(target / VENDOR / wheel.name)
    for source in sources:
        rel = source.relative_to(SCAFFOLD).as_posix()
        dest = target / RENAMES.get(rel, rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if rel in FILLED:
            # In YAML the unit is a quoted string (JSON's quoting is valid YAML).
            shown = json.dumps(unit, ensure_ascii=False) if rel.endswith(".md") and \
                rel.startswith("content/") else unit
            text = source.read_text(encoding="utf-8")
            dest.write_text(text.replace("{year}", str(year)).replace("{unit}", shown)
                            .replace("{perfdoc_spec}", spec), encoding="utf-8")
        else:
            shutil.copyfile(source, dest)
        written.append(dest)
    return written


def init_from(last: Path, target: Path, year: int, force: bool = False) -> list[Path]:
    """Next year's report from last year's: sections kept, the year moved forward,
    indicators and weights kept, scores and 说明 emptied (check lists what to fill);
    each project rolled forward the same way."""
    if not (last / "content" / "report.md").is_file():
        raise InitError(f"{last} 不是 perfdoc 报告项目（缺少 content/report.md）")
    _refuse_existing(target, force)
    files: dict[Path, str | bytes] = {}
    facts = _read(last, last / "content" / "report.md").decode("utf-8-sig")
    old = re.search(r"^year:\s*(\d{4})", facts, flags=re.M)
    if not old:
        raise InitError(f"{last}/content/report.md 中没有 year")
    # Only the frontmatter's year facts move: year, and the year inside the title.
    facts = re.sub(r"^year:\s*\d{4}", f"year: {year}", facts, count=1, flags=re.M)
    facts = re.sub(r"^(title:.*?)" + old.group(1), rf"\g<1>{year}", facts, count=1,
                   flags=re.M)
    facts = facts.replace("---\n", "---\n# 由上一年度复制：金额、人数等仍是上一年度的数字，请更新。\n", 1)
    layout = _layout_of(facts, last, last, "department")
    files[target / "content" / "report.md"] = _cleared_funds(facts, layout)
    for path in sorted((last / "content").rglob("*")):  # sections, and images in subfolders
        rel = path.relative_to(last)
        if (path.is_file() or path.is_symlink()) and rel.as_posix() != "content/report.md":
            files[target / rel] = _read(last, path)
    for path in sorted((last / "indicators").glob("*.csv")):
        files[target / "indicators" / path.name] = _cleared_csv(last, path, _results(layout))
    for folder in sorted((last / PROJECTS_DIR).glob("*/")):
        _roll_project(last, folder, target / PROJECTS_DIR / folder.name, files)
    for name in ("Makefile", ".gitignore"):
        if (last / name).is_file() and not (target / name).exists():
            files[target / name] = _read(last, last / name)
    _check_targets(target, files)
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return list(files)
