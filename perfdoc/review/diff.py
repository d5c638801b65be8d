"""`perfdoc diff`: what changed between two versions of a report, for a reviewer.

Scores, weights, totals and wording — not XML. Text changes are shown character by
character, since Chinese has no spaces to diff words by. The output is Markdown
for a pull request or a CI job summary (<del>/<ins> render there).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from perfdoc.sources.model import Project, Report, Section, decimal_text, percent_text


@dataclass(frozen=True)
class Side:
    label: str  # "main", "工作区", a commit
    report: Report


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "\\|").replace("\n", " ")


def char_diff(old: str, new: str) -> str:
    """old → new with deletions in <del> and insertions in <ins>, character by character."""
    out = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_cell(old[a1:a2]))
            continue
        if a2 > a1:
            out.append(f"<del>{_cell(old[a1:a2])}</del>")
        if b2 > b1:
            out.append(f"<ins>{_cell(new[b1:b2])}</ins>")
    return "".join(out)


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def diff_reports(a: Side, b: Side) -> str:
    old, new = a.report, b.report
    lines = [f"### perfdoc：{a.label} → {b.label}", ""]

    total_changed = (old.total_score, old.grade) != (new.total_score, new.grade)
    lines += ["| | 修改前 | 修改后 |", "|---|---|---|"]
    figures = [("总得分", decimal_text(old.total_score), decimal_text(new.total_score)),
               ("等级", old.grade, new.grade),
               ("总分值", decimal_text(old.total_weight), decimal_text(new.total_weight)),
               ("指标数", str(len(old.indicators)), str(len(new.indicators)))]
    if old.layout.budget or new.layout.budget:  # a department form with a budget block
        figures += [("预算执行率", percent_text(old.execution_rate, "—"),
                     percent_text(new.execution_rate, "—")),
                    ("预算数（万元）", decimal_text(old.budget.wan),
                     decimal_text(new.budget.wan)),
                    ("执行数（万元）", decimal_text(old.spent.wan), decimal_text(new.spent.wan))]
    for label, x, y in figures:
        mark = " **（变化）**" if x != y else ""
        lines.append(f"| {label} | {x} | {y}{mark} |")
    lines.append("")

    body = (_indicator_changes(old, new) + _section_changes(old.sections, new.sections)
            + _project_changes(old.projects, new.projects))
    if not body and not total_changed:
        lines.append("没有实质变化（分值、得分、说明和正文都相同）。")
    return "\n".join(lines + body).rstrip() + "\n"


def _project_changes(old: list[Project], new: list[Project]) -> list[str]:
    """Per project folder: figures that moved, then its rows and parts as for the report."""
    a = {p.folder: p for p in old}
    b = {p.folder: p for p in new}
    out: list[str] = []
    for folder in dict.fromkeys([*a, *b]):
        x, y = a.get(folder), b.get(folder)
        if x is None or y is None:
            p = y if x is None else x
            assert p is not None  # on one side or the other
            state = "新增项目" if x is None else "删除的项目"
            out += [f"#### {state}：{_cell(p.title)}（{folder}，总分 {decimal_text(p.total_score)}，"
                    f"执行率 {percent_text(p.execution_rate, '—')}）", ""]
            continue
        figures = [(label, f(x), f(y)) for label, f in (
            ("总分", lambda p: decimal_text(p.total_score)), ("等级", lambda p: p.grade),
            ("执行率", lambda p: percent_text(p.execution_rate, "—")),
            ("预算数（万元）", lambda p: decimal_text(p.budget.wan)),
            ("执行数（万元）", lambda p: decimal_text(p.spent.wan)))]
        body = _indicator_changes(x, y, level="#####") + \
            _section_changes(x.parts, y.parts, level="#####")
        changed = [(label, u, v) for label, u, v in figures if u != v]
        if not changed and not body:
            continue
        out += [f"#### 项目：{_cell(y.title)}（{folder}）", ""]
        if changed:
            out += ["| | 修改前 | 修改后 |", "|---|---|---|"]
            out += [f"| {label} | {u} | **{v}** |" for label, u, v in changed]
            out.append("")
        out += body
    return out


def _indicator_changes(old: Report | Project, new: Report | Project,
                       level: str = "####") -> list[str]:
    """Rows added, removed, moved or rescored between two indicator lists' owners
    (a Report or a Project)."""
    a = {i.levels: i for i in old.indicators}
    b = {i.levels: i for i in new.indicators}
    out: list[str] = []

    scored = [(k, a[k], b[k]) for k in b if k in a
              and (a[k].weight, a[k].score) != (b[k].weight, b[k].score)]
    if scored:
        out += [f"{level} 分值和得分", "", "| 指标 | 分值 | 得分 |", "|---|---|---|"]
        for _, x, y in scored:
            def change(old_v: Decimal, new_v: Decimal) -> str:
                o, n = decimal_text(old_v), decimal_text(new_v)
                return o if o == n else f"{o} → **{n}**"
            out.append(f"| {_cell(y.label)} | {change(x.weight, y.weight)} | "
                       f"{change(x.score, y.score)} |")
        out.append("")

    added = [b[k] for k in b if k not in a]
    removed = [a[k] for k in a if k not in b]
    for title, items in (("新增指标", added), ("删除的指标", removed)):
        if items:
            out += [f"{level} {title}", ""]
            out += [f"- {_cell(i.label)}（分值 {decimal_text(i.weight)}，得分 "
                    f"{decimal_text(i.score)}，{i.path} 第 {i.line} 行）" for i in items]
            out.append("")

    # Moved: in another file, or out of order (not on the longest common ordering).
    common_a = [k for k in a if k in b]
    common_b = [k for k in b if k in a]
    in_order = set()
    for block in SequenceMatcher(None, common_a, common_b, autojunk=False).get_matching_blocks():
        in_order.update(common_a[block.a:block.a + block.size])
    moved = [k for k in common_b if k not in in_order or a[k].path != b[k].path]
    if moved:
        out += [f"{level} 移动的指标", ""]
        for k in moved:
            where = (f"{a[k].path} → {b[k].path}" if a[k].path != b[k].path
                     else f"{b[k].path} 中顺序调整（第 {a[k].line} 行 → 第 {b[k].line} 行）")
            out.append(f"- {_cell(b[k].label)}：{where}")
        out.append("")

    notes = [(a[k], b[k]) for k in b if k in a and a[k].note != b[k].note]
    if notes:
        out += [f"{level} 说明", ""]
        out += [f"- {_cell(y.label)}：{char_diff(x.note, y.note) or '（空）'}" for x, y in notes]
        out.append("")
    return out


def _section_changes(old: dict[str, Section], new: dict[str, Section],
                     level: str = "####") -> list[str]:
    out: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        x, y = old.get(key), new.get(key)
        if x is None or y is None:
            section = y if x is None else x
            assert section is not None  # on one side or the other
            state = "新增" if x is None else "删除"
            out += [f"{level} {state}部分：{_cell(section.title)}（{section.path}）", ""]
            continue
        if (x.title, x.hint, x.body) == (y.title, y.hint, y.body):
            continue
        out += [f"{level} {_cell(y.title)}（{y.path}）", ""]
        if (x.title, x.hint) != (y.title, y.hint):
            out.append(f"- 标题：{char_diff(x.title + x.hint, y.title + y.hint)}")
        pa, pb = _paragraphs(x.body), _paragraphs(y.body)
        for op, a1, a2, b1, b2 in SequenceMatcher(None, pa, pb, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            olds, news = pa[a1:a2], pb[b1:b2]
            for i in range(max(len(olds), len(news))):
                o = olds[i] if i < len(olds) else ""
                n = news[i] if i < len(news) else ""
                out.append(f"- {char_diff(o, n)}")
        out.append("")
    return out
