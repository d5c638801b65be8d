"""The typed report: what the loader produces and every later stage reads.

All weights, scores and sums are `Decimal`; a float never touches them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from perfdoc.sources.layout import Layout, fill

if TYPE_CHECKING:
    from perfdoc.sources.project_model import Project

LEVEL_COLUMNS = ("一级指标", "二级指标", "三级指标")
LOW_EXECUTION = Decimal("0.9")  # an 执行率 below this needs a written reason


def percent_text(rate: Decimal | None, missing: str = "") -> str:
    """A rate as forms print it: 0.9997 -> 99.97%."""
    return f"{rate * 100:.2f}%" if rate is not None else missing


def amount(value: object) -> Decimal | None:
    """A non-negative amount as YAML gave it (int or Decimal), or None when it is not
    one: text, a bool, a negative, NaN, or beyond 10^15 (no budget is; printing
    1e999999999 would take a gigabyte)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    if isinstance(value, int) and value.bit_length() > 64:
        return None
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value.adjusted() > 15:
        return None
    return value


def decimal_text(value: Decimal) -> str:
    """A score as people write it: 100, 94.04, 2.5 (never 1E+2 or 100.00)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Indicator:
    levels: tuple[str, ...]  # one name per level, blanks already filled from above
    weight: Decimal  # 分值
    score: Decimal  # 得分
    note: str  # 说明
    owner: str  # 责任处室
    path: str  # source file, project-relative
    line: int  # line in that file
    target: str = ""  # 年度指标值 as typed (project forms)
    actual: str = ""  # 实际完成值 as typed (project forms)

    @property
    def deducted(self) -> bool:
        return self.score < self.weight

    @property
    def label(self) -> str:
        """The indicator's full name for messages: 部门决策／年度工作计划制定情况."""
        return "／".join(self.levels)


@dataclass(frozen=True)
class Section:
    key: str  # overview | evaluation | achievements | problems | suggestions
    title: str  # 一、部门概况
    hint: str  # （部门基本情况、收支情况等）
    body: str  # Markdown
    path: str
    body_line: int  # file line of the body's first line
    field_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def text_line(self) -> int:
        """The file line of the body's first non-blank line (for diagnostics)."""
        stripped = self.body.lstrip()
        return self.body_line + self.body[: len(self.body) - len(stripped)].count("\n")

    @property
    def is_none(self) -> bool:
        """The writer stated there is nothing to say (“无”)."""
        return self.body.strip().rstrip("。.") in ("无", "")


@dataclass(frozen=True)
class Facts:
    """Report-wide facts from content/report.md's frontmatter."""

    year: int
    unit: str  # 填报单位
    title: str | None  # overrides the layout's title pattern
    layout: str
    finance: dict[str, Decimal] = field(default_factory=dict)  # income, spending, budget
    grade: str | None = None  # a grade typed by hand; must agree with the total
    execution_reason: str = ""  # why 预算执行率 is below 90 %
    date: datetime.date | None = None  # 成文日期: when set, the report is signed and dated
    extra: dict[str, object] = field(default_factory=dict)  # staffing and the like
    lint: dict[str, str] = field(default_factory=dict)  # code -> off | warning | error
    path: str = "content/report.md"
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def execution_rate(self) -> Decimal | None:
        """预算执行率 = 支出 / 预算数, when both are given."""
        budget, spending = self.finance.get("budget"), self.finance.get("spending")
        if budget is None or spending is None or budget == 0:
            return None
        return spending / budget


@dataclass
class Report:
    root: Path
    layout: Layout
    facts: Facts
    sections: dict[str, Section]  # in layout order
    indicators: list[Indicator]
    depth: int  # 2 or 3 indicator levels
    indicators_complete: bool = True  # every CSV row parsed, so sums mean something
    row_owners: dict[tuple[str, int], str] = field(default_factory=dict)  # (csv, line) -> 责任处室
    projects: list[Project] = field(default_factory=list)  # projects/*/, in folder order

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators), Decimal(0))

    @property
    def total_score(self) -> Decimal:
        return sum((i.score for i in self.indicators), Decimal(0))

    @property
    def grade(self) -> str:
        return self.layout.grade(self.total_score)

    @property
    def form_title(self) -> str:
        return self.facts.title or fill(self.layout.form.title, year=self.facts.year,
                                        unit=self.facts.unit)

    @property
    def report_title(self) -> str:
        return fill(self.layout.the_report.title, year=self.facts.year, unit=self.facts.unit)
