"""Rules over a whole form, the department's and each project's: the problems no single
file shows on its own. One set of rules; what differs is only what the data has
(a budget block, target and actual columns, fixed group weights)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from perfdoc.diagnostics import Diagnostics
from perfdoc.rules import writing
from perfdoc.rules.budget import budget_rules
from perfdoc.rules.text_rules import body_lines, check_text, indicator_cells, leftovers
from perfdoc.sources import markdown
from perfdoc.sources.load import load_project
from perfdoc.sources.model import (
    LOW_EXECUTION,
    Facts,
    Form,
    Indicator,
    Project,
    Report,
    decimal_text,
    percent_text,
)
from perfdoc.sources.project_load import INDICATORS_FILE, load_projects
from perfdoc.sources.targets import misses, parse_actual, parse_target, proportional_score
from perfdoc.sources.templating import render_bodies, render_sections
from perfdoc.sources.variables import project_variables


def check_project(root: Path) -> tuple[Report | None, Diagnostics]:
    """Load and check; the report is None when it is too broken to build."""
    with markdown.budget():  # every body read shares one budget of Markdown elements
        return _check(root)


def _check(root: Path) -> tuple[Report | None, Diagnostics]:
    diags = Diagnostics()
    report = load_project(root, diags)
    facts = report.facts if report is not None else None
    loaded = load_projects(root, facts, diags)
    # The writing rules read the bodies as typed, before templates are filled in.
    bodies = [*(report.sections.values() if report else ()),
              *(part for p in loaded for part in p.parts.values())]
    for body in bodies:
        writing.check_section(body, facts.year if facts else None, diags)
    projects = [render_project(p, facts, diags) for p in loaded]
    for project in projects:
        score_rules(project.indicators, project.layout.csv_schema.note, diags)
    check_projects(root, projects, diags)
    if report is not None:
        report.projects = projects
        report = render_sections(report, diags)
        check_report(report, diags)
    diags.settle(facts.lint if facts else {}, writing.exemptions_of(bodies),
                 lambda path, line, code: diags.warning(
                     "PD419", path, f"上一行的豁免注释 allow {code} 没有豁免任何问题，请删除",
                     line=line - 1))
    diags.summarize_dropped()
    return report, diags


def check_report(report: Report, diags: Diagnostics) -> None:
    score_rules(report.indicators, report.layout.csv_schema.note, diags)
    _total(report, diags)
    _fixed_weights(report, diags)
    _deductions(report, diags)
    _execution(report, diags)
    budget_rules(report, diags)
    target_rules(report, diags)
    check_text(report, diags)
    limits = {spec.key: spec.limit for spec in report.layout.sections}
    for section in report.sections.values():
        markdown.lint(section, report.root, diags)
        markdown.too_long(section, section.title, limits.get(section.key), diags)


def score_rules(indicators: list[Indicator], note: str, diags: Diagnostics) -> None:
    """Per row: 得分 ≤ 分值, and a deduction states its reason in the `note` column."""
    for ind in indicators:
        if ind.score > ind.weight:
            diags.error("PD309", ind.path, f"得分 {ind.score} 大于分值 {ind.weight}",
                        line=ind.line, field="得分")
        elif ind.deducted and not ind.note:
            diags.error("PD312", ind.path, f"“{ind.levels[-1]}”扣了 {ind.weight - ind.score} 分，"
                        f"须在{note}中写明扣分原因", line=ind.line, field=note)


def _total(report: Report, diags: Diagnostics) -> None:
    if not report.indicators_complete or not report.indicators:
        return  # a sum over rows that did not parse would only add noise
    total = report.total_weight
    if total != report.layout.total:
        groups: dict[str, Decimal] = {}
        for ind in report.indicators:
            groups[ind.levels[0]] = groups.get(ind.levels[0], 0) + ind.weight
        detail = "，".join(f"{name} {w}" for name, w in groups.items())
        if report.layout.budget:
            detail += f"，预算执行率 {decimal_text(report.budget_weight)}"
        diags.error("PD310", "indicators", f"分值合计为 {total}，应为 {report.layout.total}"
                    f"（{detail}）", field=report.layout.csv_schema.weight)


def _fixed_weights(report: Report, diags: Diagnostics) -> None:
    """Groups whose weight the layout fixes (四川: 部门决策 25 …) add up to it."""
    if not report.indicators_complete:
        return
    for group, required in report.layout.indicators.weights:
        rows = [i for i in report.indicators if i.levels[:len(group)] == group]
        actual = sum((i.weight for i in rows), Decimal(0))
        if actual == required:
            continue
        name = "／".join(group)
        where = (rows[0].path, rows[0].line) if rows else ("indicators", None)
        diags.error("PD318", where[0], f"“{name}”的分值合计为 {decimal_text(actual)}，"
                    f"版式规定为 {decimal_text(required)}" + ("" if rows else "（没有这一组指标）"),
                    line=where[1], field=report.layout.csv_schema.weight)


def _deductions(report: Report, diags: Diagnostics) -> None:
    deducted = [i for i in report.indicators if i.deducted]
    if not deducted:
        return
    names = "、".join(f"“{i.levels[-1]}”" for i in deducted[:5])
    if len(deducted) > 5:
        names += f"等 {len(deducted)} 项"
    roles = {spec.key: spec.role for spec in report.layout.sections}
    for section in report.sections.values():
        if roles.get(section.key) in ("problems", "suggestions") and section.is_none:
            diags.error("PD313", section.path, f"{names}有扣分，“{section.title}”"
                        "不能为“无”：请写明发现的问题和整改建议", line=section.text_line)


def _execution(report: Report, diags: Diagnostics) -> None:
    facts = report.facts
    rate = facts.execution_rate
    if rate is not None and rate < LOW_EXECUTION and not facts.execution_reason:
        diags.warning("PD103", facts.path, f"预算执行率为 {percent_text(rate)}，低于 90%，"
                      "请在 execution_reason 中写明原因", line=facts.lines.get("finance"),
                      field="finance")


# ---------------------------------------------------------------- projects


def render_project(project: Project, facts: Facts | None, diags: Diagnostics) -> Project:
    """The project with its parts' template expressions filled in."""
    parts = render_bodies(project.parts, lambda: project_variables(project, facts), diags)
    return project if parts is project.parts else dataclasses.replace(project, parts=parts)


def check_projects(root: Path, projects: list[Project], diags: Diagnostics) -> None:
    """The rules only projects have (check.score_rules covers their rows too)."""
    for project in projects:
        _project_total(project, diags)
        budget_rules(project, diags)
        target_rules(project, diags)
        _lengths(project, diags)
        leftovers(_texts(project), diags)
        for part in project.parts.values():
            markdown.lint(part, root, diags)


def _project_total(project: Project, diags: Diagnostics) -> None:
    if not project.indicators_complete or not project.indicators:
        return
    total, expected = project.total_weight, project.layout.total
    if total != expected:
        diags.error("PD310", f"{project.folder}/{INDICATORS_FILE}",
                    f"分值合计为 {decimal_text(total)}（指标 {decimal_text(project.indicator_weight)}"
                    f" + 预算执行率 {decimal_text(project.budget_weight)}），应为 "
                    f"{decimal_text(expected)}", field="分值")


def target_rules(form: Form, diags: Diagnostics) -> None:
    """Rows with 年度指标值 and 实际完成值 (projects, and departments whose layout has
    both): both filled, a numeric target met or explained, the score no higher than the
    proportional rule gives. That rule is practice, not a published formula: a warning,
    unless the layout's scoring model is "proportional". Where the form has an adjusted
    target (调整指标值) and the row fills it, the row is judged against that."""
    schema = form.layout.csv_schema
    if schema.target is None or schema.actual is None:
        return
    note, target_col, actual_col = schema.note, schema.target, schema.actual
    over = diags.error if schema.scoring == "proportional" else diags.warning
    for ind in form.indicators:
        where = ind.path
        if not ind.target:
            diags.error("PD708", where, f"{target_col}未填写", line=ind.line, field=target_col)
            continue
        if not ind.actual:
            diags.error("PD708", where, f"{actual_col}未填写", line=ind.line, field=actual_col)
            continue
        if ind.adjusted and schema.adjusted:
            target_col, typed = schema.adjusted, ind.adjusted
        else:
            target_col, typed = schema.target, ind.target
        target = parse_target(typed)
        if target.op is None:  # qualitative: 达成, 有效提升 — the writer's judgement
            continue
        actual = parse_actual(ind.actual, target)
        if actual is None:
            unit = f"（单位 {target.unit}）" if target.unit else ""
            diags.error("PD708", where, f"{target_col}“{typed}”是数值，{actual_col}“{ind.actual}”"
                        f"应写成数字{unit}，如“{decimal_text(target.number)}{target.unit}”",
                        line=ind.line, field=actual_col)
            continue
        if misses(target, actual) and not ind.note and not ind.deducted:  # else PD312 says it
            diags.error("PD706", where, f"{actual_col} {ind.actual} 未达到{target_col} {typed}，"
                        f"须在{note}中写明原因", line=ind.line, field=note)
        allowed = proportional_score(target, actual, ind.weight)
        if ind.score > allowed:
            over("PD707", where, f"按完成比例应不超过 {decimal_text(allowed)} 分，"
                 f"实际为 {decimal_text(ind.score)} 分（{ind.actual} / {typed}）",
                 line=ind.line, field=schema.score)


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
