"""Targets as forms write them (年度指标值): "≥95%" is 正向 95 %, "≤30万元" 反向, "=12次",
or words (qualitative). Read here for the rules that compare them with what was done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
