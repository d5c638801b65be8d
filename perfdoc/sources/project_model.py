"""A project's self-evaluation (项目支出绩效自评表) and every figure computed from it.

Never typed, always computed here: 年度资金总额 per column, 执行率, its 得分, 总分 and
the grade. All amounts and scores are Decimal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import PurePosixPath

from perfdoc.sources.layout import BudgetBlock, Layout
from perfdoc.sources.model import Indicator, Section

PERCENT = Decimal("0.0001")  # 执行率 to two decimals of a percent: 99.97%
CENT = Decimal("0.01")

# ≥95%, ≤30万元, =12次, 100%, >0, 不低于 90% ... ; full-width forms as people type them.
_OPS = {"≥": "≥", ">=": "≥", "＞＝": "≥", ">": "≥", "＞": "≥", "不低于": "≥", "不少于": "≥",
        "≤": "≤", "<=": "≤", "＜＝": "≤", "<": "≤", "＜": "≤", "不高于": "≤", "不超过": "≤",
        "=": "=", "＝": "="}
_TARGET = re.compile(r"\s*(" + "|".join(sorted(map(re.escape, _OPS), key=len, reverse=True))
                     + r")?\s*([0-9]+(?:\.[0-9]+)?)\s*(\S*?)\s*")
_ACTUAL = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(\S*?)\s*")


@dataclass(frozen=True)
class Target:
    """年度指标值 read: "≥95%" is (≥, 95, %); "有效提升" is qualitative (op None)."""

    text: str
    op: str | None  # "≥" (正向), "≤" (反向), "=" ; None: qualitative
    value: Decimal | None
    unit: str

    @property
    def number(self) -> Decimal:
        """The value of a quantitative target (op set); qualitative ones have none."""
        if self.value is None:
            raise ValueError(f"target {self.text!r} is qualitative")
        return self.value

    @property
    def nature(self) -> str:
        """指标性质 as forms print it."""
        return self.op or "定性"


def parse_target(text: str) -> Target:
    m = _TARGET.fullmatch(text)
    if not m:
        return Target(text, None, None, "")
    return Target(text, _OPS[m.group(1)] if m.group(1) else "=", Decimal(m.group(2)),
                  m.group(3))


def parse_actual(text: str, target: Target) -> Decimal | None:
    """实际完成值 as a number in the target's unit, or None (not a number, or another unit)."""
    m = _ACTUAL.fullmatch(text)
    if not m or m.group(2) not in ("", target.unit):
        return None
    return Decimal(m.group(1))


def proportional_score(target: Target, actual: Decimal, weight: Decimal) -> Decimal:
    """The usual proportional rule, capped at the weight: 正向 实际 ÷ 目标 × 分值,
    反向 目标 ÷ 实际 × 分值. Practice, not a published formula: used to warn only."""
    if target.op == "≤":
        ratio = Decimal(1) if actual == 0 else target.number / actual
    else:
        ratio = Decimal(1) if target.number == 0 else actual / target.number
    return (min(ratio, Decimal(1)) * weight).quantize(CENT, ROUND_HALF_UP)


def misses(target: Target, actual: Decimal) -> bool:
    """Whether the 实际完成值 falls short of a quantitative target."""
    if target.op == "≥":
        return actual < target.number
    if target.op == "≤":
        return actual > target.number
    return actual != target.number


@dataclass(frozen=True)
class Project:
    folder: str  # projects/01-电子政务外网运维, repository-relative
    layout: Layout
    year: int
    name: str
    code: str
    department: str  # 主管部门
    implementer: str  # 实施单位
    funds: dict[str, dict[str, Decimal]]  # source -> amount -> 万元
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

    # ------------------------------------------------------------ budget

    @property
    def budget_block(self) -> BudgetBlock | None:
        return self.layout.budget

    def amount(self, key: str) -> Decimal:
        """A column of the budget block summed over every source: 年度资金总额."""
        return sum((amounts.get(key, Decimal(0)) for amounts in self.funds.values()),
                   Decimal(0))

    @property
    def budget(self) -> Decimal:
        block = self.budget_block
        return self.amount(block.budget) if block else Decimal(0)

    @property
    def spent(self) -> Decimal:
        block = self.budget_block
        return self.amount(block.spent) if block else Decimal(0)

    @property
    def execution_rate(self) -> Decimal | None:
        """执行率 = 执行数 ÷ 预算数 over all sources, two decimals of a percent."""
        if self.budget_block is None or self.budget == 0:
            return None
        return (self.spent / self.budget).quantize(PERCENT, ROUND_HALF_UP)

    @property
    def budget_weight(self) -> Decimal:
        return self.budget_block.weight if self.budget_block else Decimal(0)

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
