"""Jinja2 in section bodies, sandboxed: facts in, never code execution.

A body without `{{`, `{%` or `{#` is left alone. Errors become diagnostics with
the file line: unknown names (StrictUndefined), forbidden attributes (the
sandbox), broken syntax, a filter given the wrong kind of value.
Literal braces: `{{ '{{' }}`, or `{% raw %}…{% endraw %}` around a passage.
"""

from __future__ import annotations

import dataclasses
import re
import traceback
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from perfdoc.diagnostics import Diagnostics, shown
from perfdoc.sources import sandbox
from perfdoc.sources.headings import cn_numeral
from perfdoc.sources.model import Report, Section, decimal_text
from perfdoc.sources.money import WAN, YUAN, Money, Unit, UnitError
from perfdoc.sources.variables import variables


class FilterError(Exception):
    """A filter given a value it cannot format; the message is for the user."""


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise FilterError(f"过滤器 {name} 需要数字，实际为“{shown(value)}”")
    value = Decimal(value)
    if not value.is_finite() or value.adjusted() > 15:  # beyond any budget: 10^15 元
        raise FilterError(f"过滤器 {name} 的数值 {value} 过大")
    return value


def _digits(digits: object, name: str) -> int:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise FilterError(f"过滤器 {name} 的小数位数应为 0 到 10 的整数，实际为“{shown(digits)}”")
    return digits


def _in(value: object, unit: Unit, name: str) -> Decimal:
    """An amount in `unit`, converted from its own; a bare number is taken as 元 (the
    unit of content/report.md's finance, as these filters have always read it)."""
    if isinstance(value, Money):
        return _decimal(value.to(unit), name)
    number = _decimal(value, name)
    return number if unit == YUAN else Money(number, YUAN).to(unit)


def money(value: object, digits: int = 2) -> str:
    """1611200 元 -> 1,611,200.00元; 5800 万元 -> 58,000,000.00元"""
    return f"{_in(value, YUAN, 'money'):,.{_digits(digits, 'money')}f}元"


def wan(value: object, digits: int = 2) -> str:
    """1611200 元 -> 161.12万元; 5800 万元 -> 5,800.00万元"""
    return f"{_in(value, WAN, 'wan'):,.{_digits(digits, 'wan')}f}万元"


def percent(value: object, digits: int = 2) -> str:
    """0.98274 -> 98.27%"""
    return f"{_decimal(value, 'percent') * 100:.{_digits(digits, 'percent')}f}%"


def cn(value: object) -> str:
    """Chinese numerals for ordinals: 1 -> 一, 12 -> 十二, 20 -> 二十, 105 -> 一百零五."""
    n = _decimal(value, "cn")
    if n != n.to_integral_value() or not 0 <= n < 10000:
        raise FilterError(f"过滤器 cn 需要 0 到 9999 的整数，实际为“{shown(value)}”")
    return cn_numeral(int(n))


def _finalize(value: object) -> object:
    if isinstance(value, Money):
        return str(value)  # the number with its unit: 5800万元
    return decimal_text(value) if isinstance(value, Decimal) else value


@lru_cache(maxsize=1)
def environment() -> sandbox.BoundedSandbox:
    env = sandbox.new_environment(undefined=StrictUndefined, autoescape=False,
                                  keep_trailing_newline=True, finalize=_finalize)
    env.filters.update(money=money, wan=wan, percent=percent, cn=cn, score=decimal_text)
    sandbox.bound_filters(env)
    return env


@lru_cache(maxsize=4096)
def _template(text: str) -> Any:
    return environment().from_string(text)


def needs_rendering(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def render_sections(report: Report, diags: Diagnostics) -> Report:
    """The report with every section body's template expressions filled in."""
    sections = render_bodies(report.sections, lambda: variables(report), diags)
    return report if sections is report.sections else \
        dataclasses.replace(report, sections=sections)


def render_bodies(sections: dict[str, Section], names: Callable[[], dict],
                  diags: Diagnostics) -> dict[str, Section]:
    """Each section with its template expressions filled in from `names()`, computed
    only when a body has any; the same dict when none has."""
    if not any(needs_rendering(s.body) for s in sections.values()):
        return sections
    values = names()
    out = {}
    for key, section in sections.items():
        body = _render(section, values, diags) if needs_rendering(section.body) else None
        out[key] = dataclasses.replace(section, body=body) if body is not None else section
    return out


def _render(section: Section, names: dict, diags: Diagnostics) -> str | None:
    lines = section.body.split("\n")
    if not all(_self_contained(line) for line in lines if needs_rendering(line)):
        return _render_text(section.body, 0, section, names, diags)  # blocks span lines
    # Every template line stands alone (expressions, and blocks that open and close on
    # the line): each is a template of its own, compiled once per distinct line, so a
    # long body costs what its template lines cost.
    out = []
    for offset, line in enumerate(lines):
        if needs_rendering(line):
            rendered = _render_text(line, offset, section, names, diags)
            if rendered is None:
                return None
            line = rendered
        out.append(line)
    return "\n".join(out)


_DEFINES = re.compile(r"\{%-?\s*(?:set|macro|import|from|call)\b")


@lru_cache(maxsize=4096)
def _self_contained(line: str) -> bool:
    """Whether a line is a whole template by itself: its {% … %} blocks close on it, and
    it defines nothing ({% set %}, a macro) that a later line could use."""
    if line.count("{{") != line.count("}}") or _DEFINES.search(line):
        return False
    try:
        environment().parse(line)
    except TemplateSyntaxError:
        return False
    return True


def _render_text(text: str, offset: int, section: Section, names: dict,
                 diags: Diagnostics) -> str | None:
    """`text` starts on body line `offset`; errors are reported at their file line."""
    def line_of(exc: Exception) -> int:
        lineno = getattr(exc, "lineno", None)
        if lineno is None:
            frames = [f.lineno or 1 for f in traceback.extract_tb(exc.__traceback__)
                      if f.filename == "<template>"]
            lineno = frames[-1] if frames else 1
        return section.body_line + offset + lineno - 1

    try:
        return sandbox.render(_template(text), names)
    except sandbox.BudgetError as exc:
        diags.error("PD505", section.path, f"模板超出允许的计算量：{exc}", line=line_of(exc))
    except TemplateSyntaxError as exc:
        diags.error("PD501", section.path, f"模板语法错误：{exc.message}；"
                    "要输出 {{ 本身请写 {{ '{{' }}", line=line_of(exc))
    except UndefinedError as exc:
        known = "、".join(sorted(n for n in names if n.isascii()))
        diags.error("PD502", section.path, f"模板中使用了未知的名称（{exc.message}）；"
                    f"可用的名称：{known}", line=line_of(exc))
    except SecurityError as exc:
        diags.error("PD503", section.path, f"模板中不允许这样的写法：{exc}", line=line_of(exc))
    except FilterError as exc:
        diags.error("PD504", section.path, str(exc), line=line_of(exc))
    except UnitError as exc:
        diags.error("PD506", section.path, str(exc), line=line_of(exc))
    except (TemplateError, ArithmeticError, InvalidOperation, TypeError, ValueError,
            LookupError, AttributeError, OverflowError, RecursionError) as exc:
        diags.error("PD504", section.path, f"模板求值出错：{exc}", line=line_of(exc))
    return None
