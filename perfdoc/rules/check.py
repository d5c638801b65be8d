"""Rules over the whole report: the problems no single file shows on its own."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfdoc.diagnostics import Diagnostics
from perfdoc.rules import writing
from perfdoc.rules.budget import budget_rules
from perfdoc.rules.project_check import check_projects, render_project
from perfdoc.rules.text_rules import check_text
from perfdoc.sources import markdown
from perfdoc.sources.load import load_project
from perfdoc.sources.model import LOW_EXECUTION, Indicator, Report, decimal_text, percent_text
from perfdoc.sources.project_load import load_projects
from perfdoc.sources.templating import render_sections


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
    return report, diags


def check_report(report: Report, diags: Diagnostics) -> None:
    score_rules(report.indicators, report.layout.csv_schema.note, diags)
    _total(report, diags)
    _fixed_weights(report, diags)
    _deductions(report, diags)
    _execution(report, diags)
    budget_rules(report, diags)
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
