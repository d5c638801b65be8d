"""A Jinja sandbox with budgets, for templates that arrive in pull requests.

Jinja's SandboxedEnvironment stops attribute tricks, not work: `{{ 'a' * 10**9 }}`,
`{{ 'x' | center(10**9) }}` or an exponentially self-calling macro are all legal.
Here every operator and call that allocates or spins is checked before it runs
(through the hooks Jinja documents: `call_binop`, `call`, and the filters), the
text a section renders is capped, and a section's templates get a CPU-time
budget. Exceeding any of them is a BudgetError, which check reports as PD505.
"""

from __future__ import annotations

import functools
import math
import re
import string
import threading
from collections.abc import Callable, Iterable, Sized
from decimal import Decimal
from typing import Any

from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import _PassArg

from perfdoc.timers import interrupt_after

MAX_TEXT = 1_000_000  # characters of any string or items of any list built, and of a section
MAX_NUMBER = 100_000  # a width, count or size given to a filter or a str/list method
MAX_DIGITS = 10_000  # digits of a number built with **
MAX_CALLS = 100_000  # function and macro calls while rendering one section
MAX_SECONDS = 2.0  # CPU seconds for one section's templates

# A %-conversion's width and precision ('%(name)-*.3f'): one pass, no nested quantifiers.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?")
_WIDE = re.compile(r"[0-9]{6,}")  # a width or precision from 100000 up


class BudgetError(Exception):
    """A template asked for more than a section may take; the message is for the user."""


def _sized(value: object) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _check_size(value: object, what: str = "结果") -> None:
    size = _sized(value)
    if size is not None and size > MAX_TEXT:
        raise BudgetError(f"{what}有 {size} 个字符或项，超过上限 {MAX_TEXT}")


def _check_format(text: str, args: Iterable[Any], style: str) -> None:
    """A format string's widths and precisions, before it runs: '%.999999f',
    '%(a)999999s', '{:x>999999}', or one taken from the arguments ('%*d', '{:{w}}').
    The text is parsed as the formatting will read it (str.format's own parser for
    "{}", one linear pattern for "%"), so a fill character or a mapping key cannot hide
    a width, and a long input costs one pass."""
    if style == "%":
        specs = [m.group(0) for m in _PERCENT_SPEC.finditer(text)]
        from_args = any("*" in spec for spec in specs)
    else:
        try:
            specs = [spec for _, _, spec, _ in string.Formatter().parse(text) if spec]
        except ValueError:
            return  # str.format raises the same error itself
        from_args = any("{" in spec for spec in specs)
    if any(_WIDE.search(spec) for spec in specs):
        raise BudgetError("格式字符串中的宽度或精度过大（六位数以上）")
    if from_args:
        _check_numbers(args, "格式宽度")


def _check_numbers(values: Iterable[Any], what: str) -> None:
    for value in values:
        if _number(value) and abs(value) > MAX_NUMBER:
            raise BudgetError(f"{what}的参数 {value} 超过上限 {MAX_NUMBER}")


class _Budget(threading.local):
    calls = 0


_budget = _Budget()


class BoundedSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _sized(seq)
                if size is not None and isinstance(times, int) and size * max(times, 0) > MAX_TEXT:
                    raise BudgetError(f"重复 {times} 次得到的文字或列表超过上限 {MAX_TEXT}")
        elif operator == "**" and _number(left) and _number(right):
            if abs(right) > 1000 or abs(right) * math.log10(abs(left) + 1) > MAX_DIGITS:
                raise BudgetError(f"乘方 {left} ** {right} 的结果过大")
        elif operator == "+" and (size := _sized(left)) is not None and \
                (other := _sized(right)) is not None and size + other > MAX_TEXT:
            raise BudgetError(f"拼接的结果超过上限 {MAX_TEXT} 个字符或项")
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right if isinstance(right, tuple) else (right,), "%")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        _budget.calls += 1
        if _budget.calls > MAX_CALLS:
            raise BudgetError(f"函数或宏调用超过 {MAX_CALLS} 次（可能是递归）")
        method = getattr(__obj, "__wrapped__", __obj)  # Jinja wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, (str, list, tuple)):  # a method of a built-in value
            name = getattr(method, "__name__", "")
            if name in ("format", "format_map") and isinstance(owner, str):
                mapping = args[0] if name == "format_map" and args else {}
                values = mapping.values() if isinstance(mapping, dict) else ()
                _check_format(owner, [*args, *kwargs.values(), *values], "{}")
            else:
                _check_numbers([*args, *kwargs.values()], f"{name} 方法")
            if name == "join":
                _estimate_join(owner, args[0] if args else ())
            if name == "replace" and len(args) >= 2:
                _estimate_replace(owner, args[0], args[1])
        result = super().call(__context, __obj, *args, **kwargs)
        _check_size(result)
        return result


def _estimate_join(sep: object, items: object) -> None:
    count = len(items) if isinstance(items, Sized) else 0
    size = _sized(sep)
    if size and count * size > MAX_TEXT:
        raise BudgetError(f"join 的结果超过上限 {MAX_TEXT} 个字符")


def _estimate_replace(value: object, old: object, new: object) -> None:
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str) and old \
            and len(value) + value.count(old) * max(len(new) - len(old), 0) > MAX_TEXT:
        raise BudgetError(f"replace 的结果超过上限 {MAX_TEXT} 个字符")


def bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose width and count arguments, and whose result, are bounded."""
    first = 2 if _PassArg.from_obj(func) is not None else 1  # after the value

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value, rest = (args[first - 1] if len(args) >= first else None), args[first:]
        if name == "format":
            if isinstance(value, str):  # Jinja's format filter is %-formatting
                _check_format(value, [*rest, *kwargs.values()], "%")
        else:
            _check_numbers([*rest, *kwargs.values()], f"过滤器 {name} ")
        if name == "join":
            value = list(value) if value is not None else []
            _check_size(value, "join 的列表")
            _estimate_join(rest[0] if rest else kwargs.get("d", ""), value)
            args = (*args[:first - 1], value, *rest)
        if name == "replace" and len(rest) >= 2:
            _estimate_replace(value, rest[0], rest[1])
        result = func(*args, **kwargs)
        _check_size(result, f"过滤器 {name} 的结果")
        return result
    return wrapper


def new_environment(**options: Any) -> BoundedSandbox:
    """The sandbox with no globals (range, lipsum, dict, cycler, joiner, namespace are
    not part of perfdoc's template language) and every filter bounded."""
    env = BoundedSandbox(**options)
    env.globals.clear()
    return env


def bound_filters(env: BoundedSandbox) -> None:
    env.filters = {name: bounded_filter(name, f) for name, f in env.filters.items()}


def render(template: Any, names: dict) -> str:
    """The template's text within the budgets."""
    _budget.calls = 0
    out, size = [], 0
    with interrupt_after(MAX_SECONDS, lambda: BudgetError(
            f"模板计算超过 {MAX_SECONDS:g} 秒 CPU 时间（循环或递归过多）"), cpu=True):
        for chunk in template.generate(names):
            size += len(chunk)
            if size > MAX_TEXT:
                raise BudgetError(f"生成的文字超过 {MAX_TEXT} 个字符")
            out.append(chunk)
    return "".join(out)
