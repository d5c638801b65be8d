"""Rules over a project's self-evaluation: money, targets, scores and words.

The row rules shared with the department form (得分 ≤ 分值, a deduction needs its
reason, template leftovers) are the same functions; what is new here reads the
budget block and the targets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

from perfdoc.diagnostics import Diagnostics
from perfdoc.rules.budget import budget_rules
from perfdoc.rules.text_rules import body_lines, indicator_cells, leftovers
from perfdoc.sources import markdown
from perfdoc.sources.layout import PROJECT_CSV
from perfdoc.sources.model import Facts, Project, decimal_text
from perfdoc.sources.targets import misses, parse_actual, parse_target, proportional_score
from perfdoc.sources.templating import render_bodies
from perfdoc.sources.variables import project_variables

INDICATORS = "indicators.csv"


def render_project(project: Project, facts: Facts | None, diags: Diagnostics) -> Project:
    """The project with its parts' template expressions filled in."""
    parts = render_bodies(project.parts, lambda: project_variables(project, facts), diags)
    return project if parts is project.parts else dataclasses.replace(project, parts=parts)


def check_projects(root: Path, projects: list[Project], diags: Diagnostics) -> None:
    """The rules only projects have (check.score_rules covers their rows too)."""
    for project in projects:
        _total(project, diags)
        budget_rules(project, diags)
        _targets(project, diags)
        _lengths(project, diags)
        leftovers(_texts(project), diags)
        for part in project.parts.values():
            markdown.lint(part, root, diags)


def _total(project: Project, diags: Diagnostics) -> None:
    if not project.indicators_complete or not project.indicators:
        return
    total, expected = project.total_weight, project.layout.total
    if total != expected:
        diags.error("PD310", f"{project.folder}/{INDICATORS}",
                    f"分值合计为 {decimal_text(total)}（指标 {decimal_text(project.indicator_weight)}"
                    f" + 预算执行率 {decimal_text(project.budget_weight)}），应为 "
                    f"{decimal_text(expected)}", field="分值")


def _targets(project: Project, diags: Diagnostics) -> None:
    note = PROJECT_CSV.note
    for ind in project.indicators:
        where = ind.path
        if not ind.target:
            diags.error("PD708", where, "年度指标值未填写", line=ind.line, field="年度指标值")
            continue
        if not ind.actual:
            diags.error("PD708", where, "实际完成值未填写", line=ind.line, field="实际完成值")
            continue
        target = parse_target(ind.target)
        if target.op is None:  # qualitative: 达成, 有效提升 — the writer's judgement
            continue
        actual = parse_actual(ind.actual, target)
        if actual is None:
            unit = f"（单位 {target.unit}）" if target.unit else ""
            diags.error("PD708", where, f"年度指标值“{ind.target}”是数值，实际完成值“{ind.actual}”"
                        f"应写成数字{unit}，如“{decimal_text(target.number)}{target.unit}”",
                        line=ind.line, field="实际完成值")
            continue
        if misses(target, actual) and not ind.note and not ind.deducted:  # else PD312 says it
            diags.error("PD706", where, f"实际完成值 {ind.actual} 未达到年度指标值 {ind.target}，"
                        f"须在{note}中写明原因", line=ind.line, field=note)
        allowed = proportional_score(target, actual, ind.weight)
        if ind.score > allowed:
            diags.warning("PD707", where, f"按完成比例应不超过 {decimal_text(allowed)} 分，"
                          f"填写 {decimal_text(ind.score)} 分（{ind.actual} / {ind.target}）",
                          line=ind.line, field="得分")


def _lengths(project: Project, diags: Diagnostics) -> None:
    for part in project.layout.parts:
        section = project.parts.get(part.key)
        if part.limit is None or section is None:
            continue
        markdown.too_long(section, part.key, part.limit, diags)


def _texts(project: Project) -> Iterator[tuple[str, int | None, str | None, str]]:
    for key in ("name", "code", "department", "implementer", "execution_reason"):
        value = getattr(project, key)
        if value:
            yield project.path, project.lines.get(key), key, value
    for section in project.parts.values():
        yield from body_lines(section)
    yield from indicator_cells(project.indicators, project.layout.csv_schema)
