"""Money that knows its unit: 元 (content/report.md's finance) or 万元 (every funds).

A bare Decimal cannot say whether 5800 is 5,800 元 or 5,800 万元, and templates printed
a 万元 budget through the 元 filter as "0.58万元". Every amount the model holds is a
`Money`; printing converts from its own unit; adding, subtracting or comparing two
amounts of different units raises `UnitError` (a diagnostic, never a number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeGuard

Unit = Literal["元", "万元"]
YUAN: Unit = "元"
WAN: Unit = "万元"
_SCALE: dict[str, Decimal] = {YUAN: Decimal(1), WAN: Decimal(10000)}


class UnitError(ArithmeticError):
    """Two amounts of different units met in arithmetic or a comparison; the message
    is for the user."""


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class Money:
    value: Decimal
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in _SCALE:
            raise ValueError(f"unknown unit {self.unit!r}")

    def to(self, unit: Unit) -> Decimal:
        """The amount in `unit`: exact (Decimal), 1611200 元 -> 161.12 万元."""
        return self.value * _SCALE[self.unit] / _SCALE[unit]

    @property
    def yuan(self) -> Decimal:
        return self.to(YUAN)

    @property
    def wan(self) -> Decimal:
        return self.to(WAN)

    def __str__(self) -> str:  # {{ budget }} in a template: the number and its unit
        return f"{_plain(self.value)}{self.unit}"

    # ------------------------------------------------------------ arithmetic

    def _same(self, other: Money, what: str) -> None:
        if other.unit != self.unit:
            raise UnitError(f"金额单位不一致：{self} 与 {other} 不能直接{what}；"
                            "请先用 money（元）或 wan（万元）过滤器统一单位后再写")

    def _money(self, other: object, what: str) -> Money:
        if isinstance(other, Money):
            self._same(other, what)
            return other
        if _is_number(other) and Decimal(other) == 0:  # 0 has no unit
            return Money(Decimal(0), self.unit)
        raise UnitError(f"金额 {self} 不能与没有单位的数“{other}”{what}；"
                        f"请写成同一单位的金额")

    def __add__(self, other: object) -> Money:
        return Money(self.value + self._money(other, "相加").value, self.unit)

    __radd__ = __add__  # sum() starts from 0

    def __sub__(self, other: object) -> Money:
        return Money(self.value - self._money(other, "相减").value, self.unit)

    def __rsub__(self, other: object) -> Money:
        return Money(self._money(other, "相减").value - self.value, self.unit)

    def __mul__(self, factor: object) -> Money:
        if not _is_number(factor):
            raise UnitError(f"金额 {self} 只能乘以没有单位的数")
        return Money(self.value * Decimal(factor), self.unit)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Money | Decimal:
        """By a number: an amount; by an amount of the same unit: a ratio (执行率)."""
        if isinstance(other, Money):
            self._same(other, "相除")
            return self.value / other.value
        if not _is_number(other):
            raise UnitError(f"金额 {self} 只能除以数或同一单位的金额")
        return Money(self.value / Decimal(other), self.unit)

    def __neg__(self) -> Money:
        return Money(-self.value, self.unit)

    # ------------------------------------------------------------ comparison

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Money):  # 0.58万元 == 5800元 is neither true nor false here
            self._same(other, "比较")
            return self.value == other.value
        if _is_number(other) and Decimal(other) == 0:
            return self.value == 0
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value, self.unit))

    def _compared(self, other: object) -> Decimal:
        return self._money(other, "比较大小").value

    def __lt__(self, other: object) -> bool:
        return self.value < self._compared(other)

    def __le__(self, other: object) -> bool:
        return self.value <= self._compared(other)

    def __gt__(self, other: object) -> bool:
        return self.value > self._compared(other)

    def __ge__(self, other: object) -> bool:
        return self.value >= self._compared(other)


def _is_number(value: object) -> TypeGuard[int | Decimal]:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def total(amounts: Iterable[Money], unit: Unit) -> Money:
    """The sum of amounts (an empty sum is 0 in `unit`); a mix of units is UnitError."""
    out = Money(Decimal(0), unit)
    for amount in amounts:
        out = out + amount
    return out
