"""The typed report: what the loader produces and every later stage reads.

All weights, scores and sums are `Decimal`; a float never touches them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath

from perfdoc.sources.layout import Layout, fill
from perfdoc.sources.money import WAN, Money, total

# A form's budget by source: source -> amount (年初预算数, 全年预算数, 全年执行数) -> 万元.
Funds = dict[str, dict[str, Money]]

LOW_EXECUTION = Decimal("0.9")  # an 执行率 below this needs a written reason
PERCENT = Decimal("0.0001")  # 执行率 to two decimals of a percent: 99.97%
CENT = Decimal("0.01")
BUDGET_ROW = "预算执行率"  # the row a scoring table gives the budget block's 执行率


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
    """One row of an indicator table: its level names, 分值, 得分 and 说明."""

    levels: tuple[str, ...]  # one name per level, blanks already filled from above
    weight: Decimal  # 分值
    score: Decimal  # 得分
    note: str  # 说明
    owner: str  # 责任处室
    path: str  # source file, project-relative
    line: int  # line in that file
    target: str = ""  # 年度指标值 as typed (project forms)
    actual: str = ""  # 实际完成值 as typed (project forms)
    coefficient: Decimal | None = None  # 得分系数 in percent (the coefficient model)
    adjusted: str = ""  # 调整指标值 as typed (a target changed during the year)
    texts: tuple[tuple[str, str], ...] = ()  # the layout's other columns: (header, as typed)

    def text(self, header: str) -> str:
        """A free column's cell as typed (评分标准, 指标解释, 计量单位 …)."""
        return next((value for name, value in self.texts if name == header), "")

    @property
    def deducted(self) -> bool:
        return self.score < self.weight

    @property
    def label(self) -> str:
        """The indicator's full name for messages: 部门决策／年度工作计划制定情况."""
        return "／".join(self.levels)


@dataclass(frozen=True)
class Section:
    """A narrative section: content/*.md (or a part of project.md) as read."""

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
    finance: dict[str, Money] = field(default_factory=dict)  # income, spending, budget (元)
    funds: Funds = field(default_factory=dict)  # source -> amount -> 万元
    signatures: dict[str, str] = field(default_factory=dict)  # 负责人: 姓名
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
        return spending.yuan / budget.yuan


class Scored:
    """The figures every form computes from its layout, funds and indicator rows: never
    typed, always computed. 年度资金总额 per column, 执行率 = 执行数 ÷ 预算数 (two
    decimals of a percent), its score min(执行率, 100 %) × the budget weight (never
    rounded up), 总分 = that score + the indicator scores, and the grade."""

    layout: Layout
    funds: Funds
    indicators: list[Indicator]

    # ------------------------------------------------------------ budget

    def amount(self, key: str, sources: tuple[str, ...] | None = None) -> Money:
        """A column of the budget block summed over `sources` (万元), by default those
        that 年度资金总额 adds up (every source, or the first grouping's)."""
        block = self.layout.budget
        if sources is None:
            sources = block.counted if block else ()
        return total((self.funds.get(s, {}).get(key, Money(Decimal(0), WAN)) for s in sources),
                     WAN)

    @property
    def budget(self) -> Money:
        block = self.layout.budget
        return self.amount(block.budget) if block else Money(Decimal(0), WAN)

    @property
    def spent(self) -> Money:
        block = self.layout.budget
        return self.amount(block.spent) if block else Money(Decimal(0), WAN)

    @property
    def execution_rate(self) -> Decimal | None:
        """执行率 = 执行数 ÷ 预算数 over all sources, two decimals of a percent."""
        if self.layout.budget is None or self.budget == 0:
            return None
        return (self.spent.wan / self.budget.wan).quantize(PERCENT, ROUND_HALF_UP)

    @property
    def budget_weight(self) -> Decimal:
        return self.layout.budget.weight if self.layout.budget else Decimal(0)

    @property
    def budget_score(self) -> Decimal:
        """min(执行率, 100 %) × the budget weight, never rounded up."""
        rate = self.execution_rate
        if rate is None:
            return Decimal(0)
        return (min(rate, Decimal(1)) * self.budget_weight).quantize(CENT, ROUND_DOWN)

    # ------------------------------------------------------------ totals

    @property
    def indicator_weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators), Decimal(0))

    @property
    def total_weight(self) -> Decimal:
        return self.budget_weight + self.indicator_weight

    @property
    def total_score(self) -> Decimal:
        return self.budget_score + sum((i.score for i in self.indicators), Decimal(0))

    @property
    def grade(self) -> str:
        return self.layout.grade(self.total_score)


@dataclass(frozen=True)
class Budgeted(Scored):
    """The budget block's figures from funds alone (import checks a table's 合计 with
    them): the same arithmetic as every form's."""

    layout: Layout
    funds: Funds
    indicators: list[Indicator]


@dataclass(frozen=True)
class Project(Scored):
    """A project's self-evaluation: projects/<folder>/, read and scored."""

    folder: str  # projects/01-电子政务外网运维, repository-relative
    layout: Layout
    year: int
    name: str
    code: str
    department: str  # 主管部门
    implementer: str  # 实施单位
    funds: Funds
    execution_reason: str
    signatures: dict[str, str]
    parts: dict[str, Section]  # `## 预期目标` … by key
    indicators: list[Indicator]
    indicators_complete: bool = True
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def slug(self) -> str:
        """The folder's own name, which names the built file."""
        return PurePosixPath(self.folder).name

    @property
    def path(self) -> str:
        return f"{self.folder}/project.md"

    @property
    def title(self) -> str:
        """The name as the official forms print it: 219001-电子政务外网运维."""
        return f"{self.code}-{self.name}" if self.code else self.name

    # ------------------------------------------------------------ as a form

    depth = 3  # project indicator tables have three levels

    @property
    def form_title(self) -> str:
        return fill(self.layout.form.title, year=self.year, unit=self.implementer)

    @property
    def subtitle(self) -> str:
        return fill(self.layout.form.subtitle, year=self.year, unit=self.implementer)

    @property
    def header_values(self) -> dict[str, str]:
        """What a header block's `field` cells print."""
        return {"name": self.title, "department": self.department,
                "implementer": self.implementer, "code": self.code, "unit": self.implementer,
                "year": str(self.year)}


@dataclass
class Report(Scored):
    """The department's report: its facts, sections, indicators and projects."""

    root: Path
    layout: Layout
    facts: Facts
    sections: dict[str, Section]  # in layout order
    indicators: list[Indicator]
    depth: int  # 2 or 3 indicator levels
    indicators_complete: bool = True  # every CSV row parsed, so sums mean something
    row_owners: dict[tuple[str, int], str] = field(default_factory=dict)  # (csv, line) -> 责任处室
    projects: list[Project] = field(default_factory=list)  # projects/*/, in folder order

    # ------------------------------------------------------------ as a form

    @property
    def funds(self) -> Funds:  # type: ignore[override]  # read-only here
        return self.facts.funds

    @property
    def stated_rate(self) -> Decimal | None:
        """The 预算执行率 the report speaks of (templates quote it, PD402 checks it): its
        budget block's, from funds, where the layout has one; else finance's."""
        return self.execution_rate if self.layout.budget else self.facts.execution_rate

    @property
    def parts(self) -> dict[str, Section]:
        """The sections by key: what the form's blocks print."""
        return self.sections

    @property
    def path(self) -> str:
        return self.facts.path

    @property
    def lines(self) -> dict[str, int]:
        return self.facts.lines

    @property
    def year(self) -> int:
        return self.facts.year

    @property
    def execution_reason(self) -> str:
        return self.facts.execution_reason

    @property
    def signatures(self) -> dict[str, str]:
        return self.facts.signatures

    @property
    def subtitle(self) -> str:
        return fill(self.layout.form.subtitle, year=self.facts.year, unit=self.facts.unit)

    @property
    def header_values(self) -> dict[str, str]:
        """What a header block's `field` cells print: the department is the unit."""
        unit = self.facts.unit
        return {"name": unit, "department": unit, "implementer": unit, "code": "",
                "unit": unit, "year": str(self.facts.year)}

    @property
    def form_title(self) -> str:
        return self.facts.title or fill(self.layout.form.title, year=self.facts.year,
                                        unit=self.facts.unit)

    @property
    def report_title(self) -> str:
        return fill(self.layout.the_report.title, year=self.facts.year, unit=self.facts.unit)


Form = Report | Project  # what a form writer prints: the department's or a project's
