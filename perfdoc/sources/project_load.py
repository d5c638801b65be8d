"""Read projects/<NN-name>/{project.md,indicators.csv} into Project objects.

As for the department sources, nothing raises: every problem is a diagnostic
naming the file (or the folder), line and field, and one run reports them all.
"""

from __future__ import annotations

import os
from pathlib import Path

from perfdoc.diagnostics import Diagnostics
from perfdoc.files import MAX_MARKDOWN_BYTES, MAX_PROJECTS, inside
from perfdoc.sources import markdown
from perfdoc.sources.layout import (
    DEFAULT_PROJECT_LAYOUT,
    PROJECT_CSV,
    Layout,
    LayoutError,
    load_layout,
)
from perfdoc.sources.load import (
    Frontmatter,
    load_indicator_files,
    read_funds,
    read_signatures,
    read_text,
    rel,
    split_frontmatter,
    text_field,
)
from perfdoc.sources.model import Facts, Project, Section

PROJECTS_DIR = "projects"
PROJECT_FILE = "project.md"
INDICATORS_FILE = "indicators.csv"


def project_folders(root: Path, diags: Diagnostics) -> list[Path]:
    """The project folders in name order; none when the repository has no projects/."""
    top = root / PROJECTS_DIR
    if not os.path.lexists(top):
        return []
    if not inside(root, top) or not top.is_dir():
        diags.error("PD005", PROJECTS_DIR, "projects 应是项目目录中的文件夹，"
                    "不能是指向项目之外的链接或普通文件")
        return []
    folders = []
    for path in sorted(top.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_symlink() or not path.is_dir():
            diags.error("PD701", rel(root, path), "projects/ 下每个项目应是一个文件夹"
                        "（内含 project.md 和 indicators.csv），不能是文件或链接")
            continue
        folders.append(path)
    if len(folders) > MAX_PROJECTS:
        diags.error("PD006", PROJECTS_DIR, f"projects/ 下有 {len(folders)} 个项目，超过上限 "
                    f"{MAX_PROJECTS}；真实的报告远少于此，请检查是否误放了文件夹")
        return []
    return folders


def load_projects(root: Path, facts: Facts | None, diags: Diagnostics) -> list[Project]:
    projects = []
    names: dict[str, str] = {}
    for folder in project_folders(root, diags):
        project = load_project_folder(root, folder, facts, diags)
        if project is None:
            continue
        if project.name in names:
            diags.error("PD703", project.path, f"项目名称“{project.name}”与 {names[project.name]} "
                        "重复", line=project.lines.get("name"), field="name")
        names.setdefault(project.name, project.path)
        projects.append(project)
    return projects


def load_project_folder(root: Path, folder: Path, facts: Facts | None,
                        diags: Diagnostics) -> Project | None:
    where_folder = rel(root, folder)
    missing = [n for n in (PROJECT_FILE, INDICATORS_FILE) if not os.path.lexists(folder / n)]
    if missing:
        diags.error("PD701", where_folder, f"项目目录缺少 {'、'.join(missing)}")
        return None
    path = folder / PROJECT_FILE
    where = rel(root, path)
    text = read_text(path, root, diags, "PD201", MAX_MARKDOWN_BYTES)
    fm = split_frontmatter(text, where, diags) if text is not None else None
    table = load_indicator_files(root, [folder / INDICATORS_FILE], PROJECT_CSV, diags)
    if fm is None:
        return None

    def field(key: str, required: bool) -> str | None:
        return text_field(fm, key, where, diags, required, code="PD702")

    name = field("name", True)
    code = field("code", False) or ""
    department = field("department", True)
    implementer = field("implementer", False) or (facts.unit if facts else None)
    if implementer is None and facts is not None:  # broken facts are reported already
        diags.error("PD702", where, "frontmatter 缺少 implementer（实施单位），"
                    "content/report.md 中也没有 unit 可作默认值", line=1, field="implementer")
    layout_name = field("layout", False) or DEFAULT_PROJECT_LAYOUT
    try:
        layout = load_layout(layout_name, root, folder=folder, kind="project")
    except LayoutError as exc:
        diags.error("PD003", where, str(exc), line=fm.lines.get("layout"), field="layout")
        return None
    reason = field("execution_reason", False) or ""
    funds = read_funds(fm, layout, where, diags, "PD702", "项目资金")
    signatures = read_signatures(fm, where, diags, "PD702")
    parts = _parts(fm, layout, where, diags)
    if name is None or department is None or implementer is None or funds is None \
            or signatures is None or parts is None:
        return None
    return Project(
        folder=where_folder, layout=layout, year=facts.year if facts else 0, name=name,
        code=code, department=department, implementer=implementer, funds=funds,
        execution_reason=reason, signatures=signatures, parts=parts,
        indicators=table.indicators, indicators_complete=table.complete, lines=fm.lines)


def _parts(fm: Frontmatter, layout: Layout, where: str,
           diags: Diagnostics) -> dict[str, Section] | None:
    """The body's `## 名称` parts, each a Section the renderer and the text rules read
    (None: a body too complex to parse)."""
    known = {p.key: p for p in layout.parts}
    try:
        tokens = markdown.outline(fm.body)
    except markdown.TooComplex as error:
        markdown.too_complex(where, fm.body_line, error, diags)
        return None
    heads = [(t.map[0] if t.map else 0, tokens[i + 1].content.strip()) for i, t in enumerate(tokens)
             if t.type == "heading_open" and t.tag == "h2" and t.level == 0]
    lines = fm.body.split("\n")
    parts: dict[str, Section] = {}
    for n, (start, key) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        at = fm.body_line + start
        if key not in known:
            diags.error("PD710", where, f"“## {key}”不是版式 {layout.name} 中的部分，应为："
                        + "、".join(known), line=at)
            continue
        if key in parts:
            diags.error("PD710", where, f"“## {key}”写了两次（第一次在第 "
                        f"{parts[key].body_line - 1} 行）", line=at)
            continue
        body = "\n".join(lines[start + 1:end])
        if not body.strip():
            diags.error("PD207", where, f"“{key}”的正文为空；没有内容请明确写“无”", line=at)
        parts[key] = Section(key, key, "", body, where, at + 1)
    stray = "\n".join(lines[:heads[0][0]] if heads else lines)
    if markdown.blank_comments(stray).strip():
        diags.warning("PD710", where, "“## 部分”标题之前的文字不会出现在表中；"
                      "请放到相应的部分下，给同事的备注可写成 <!-- 备注 -->", line=fm.body_line)
    for part in layout.parts:
        if part.key not in parts:
            diags.error("PD710", where, f"缺少“## {part.key}”部分（版式 {layout.name}）",
                        line=fm.body_line)
    return parts
