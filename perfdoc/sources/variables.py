"""The facts a section may quote: `{{ total_score }}`, `{{ income | money }}`, ...

Every figure is computed from content/report.md and the indicator CSVs, so the
text and the table can never disagree. Absent facts are absent names (an error
when used), never a silent "None".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from perfdoc.sources.model import Facts, Indicator, Project, Report
from perfdoc.sources.money import Money


@dataclass(frozen=True)
class Group:
    """A first-level indicator and the sums over its rows."""

    name: str
    weight: Decimal
    score: Decimal
    count: int


@dataclass(frozen=True)
class Deduction:
    name: str  # the indicator's own (last-level) name
    path: str  # 一级／二级／三级
    weight: Decimal
    score: Decimal
    lost: Decimal
    note: str


@dataclass(frozen=True)
class ProjectFacts:
    """A project as the department report may quote it: `{% for p in projects %}`."""

    name: str
    code: str
    department: str
    implementer: str
    budget: Money  # 万元
    spent: Money  # 万元
    execution_rate: Decimal | None
    total_score: Decimal
    grade: str


def _deductions(indicators: Iterable[Indicator]) -> list[Deduction]:
    return [Deduction(i.levels[-1], i.label, i.weight, i.score, i.weight - i.score, i.note)
            for i in indicators if i.deducted]


def project_variables(project: Project, facts: Facts | None) -> dict[str, object]:
    """The facts a project's own text may quote: `{{ execution_rate | percent }}`."""
    deductions = _deductions(project.indicators)
    names: dict[str, object] = {}
    if facts is not None:
        names.update(year=facts.year, unit=facts.unit)
    if project.execution_rate is not None:
        names["execution_rate"] = project.execution_rate
    names.update(
        name=project.name, code=project.code, department=project.department,
        implementer=project.implementer, budget=project.budget, spent=project.spent,
        budget_score=project.budget_score, total_score=project.total_score,
        total_weight=project.total_weight, grade=project.grade,
        indicator_count=len(project.indicators), deductions=deductions,
        deduction_count=len(deductions), funds=project.funds,
    )
    return names


def project_facts(project: Project) -> ProjectFacts:
    return ProjectFacts(project.name, project.code, project.department, project.implementer,
                        project.budget, project.spent, project.execution_rate,
                        project.total_score, project.grade)


def variables(report: Report) -> dict[str, object]:
    facts = report.facts
    groups: dict[str, Group] = {}
    for ind in report.indicators:
        g = groups.get(ind.levels[0], Group(ind.levels[0], Decimal(0), Decimal(0), 0))
        groups[g.name] = Group(g.name, g.weight + ind.weight, g.score + ind.score, g.count + 1)
    deductions = _deductions(report.indicators)
    names: dict[str, object] = dict(facts.extra)  # staffing and whatever else the unit keeps
    names.update(facts.finance)  # income, spending, budget
    if report.layout.budget is not None:  # funds (万元) through the layout's budget block
        names.update(budget=report.budget, spent=report.spent, budget_score=report.budget_score,
                     funds=report.funds)
    if report.stated_rate is not None:
        names["execution_rate"] = report.stated_rate
    names.update(
        year=facts.year,
        unit=facts.unit,
        title=report.form_title,
        report_title=report.report_title,
        total_score=report.total_score,
        total_weight=report.total_weight,
        grade=report.grade,
        indicator_count=len(report.indicators),
        deductions=deductions,
        deduction_count=len(deductions),
        groups=list(groups.values()),
        group=groups,
        projects=[project_facts(p) for p in report.projects],
    )
    return names
