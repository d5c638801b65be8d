"""Rules that read the words: template leftovers, and grades or totals typed by hand.

Published forms keep the template's own "（100字以内）" or "XX单位", and state a
grade in the text that the table contradicts; both are caught here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from perfdoc.diagnostics import Diagnostics
from perfdoc.sources import markdown
from perfdoc.sources.layout import CsvSchema
from perfdoc.sources.model import Indicator, Report, Section, decimal_text
from perfdoc.sources.money import WAN, YUAN, Money

# Every pattern here matches within one line ([^\S\n], never \s), so a whole body is
# scanned at once and each match's line counted, not one scan per line. An optional word
# carries its own trailing space ({_SPACE}(?:word{_SPACE})?): two spans of spaces side by
# side, with only an optional word between them, let the engine try every split of a long
# run of spaces, which is quadratic ("总分" and 20,000 spaces took 4 s).
_SPACE = r"[^\S\n]*"

# What templates leave behind. "XX"/"××" stand for a name to fill in; Latin words
# that merely contain XX (EXXON) are not leftovers.
LEFTOVERS = re.compile(
    r"(?<![A-Za-z])(?:[XxＸ]{2,}|×{2,})(?![A-Za-z])"
    rf"|[（(]{_SPACE}(?:(?:限|不超过){_SPACE})?\d+{_SPACE}字(?:以内|左右)?{_SPACE}[)）]"
    r"|……|\.{6,}"
    r"|(?<![A-Za-z])(?:TODO|FIXME|TBD)(?![A-Za-z])"
    r"|(?<!有)待(?:补充|填写)"
)

_GRADES = {"优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "中": "中",
           "较差": "差", "差": "差"}
_TYPED_GRADE = re.compile(
    rf"(?:评价|自评|绩效)?(?:等级|等次){_SPACE}(?:为|是|：|:){_SPACE}[“\"「]?"
    r"(优秀|良好|中等|较差|优|良|中|差)")
_TYPED_TOTAL = re.compile(
    rf"(?:自评总分|自评得分|总得分|综合得分|总分){_SPACE}(?:(?:为|是|：|:){_SPACE})?"
    rf"(\d+(?:\.\d+)?){_SPACE}分")


def check_text(report: Report, diags: Diagnostics) -> None:
    leftovers(_body_lines(report), diags)
    _typed_results(report, diags)


def _body_lines(report: Report) -> Iterator[tuple[str, int | None, str | None, str]]:
    """(path, line, field, text) for every piece of text a writer typed."""
    facts = report.facts
    for key in ("unit", "title"):
        value = getattr(facts, key)
        if value:
            yield facts.path, facts.lines.get(key), key, value
    for section in report.sections.values():
        for key in ("title", "hint"):
            yield section.path, section.field_lines.get(key), key, getattr(section, key)
        yield from body_lines(section)
    yield from indicator_cells(report.indicators, report.layout.csv_schema)


def indicator_cells(indicators: Iterable[Indicator],
                    schema: CsvSchema) -> Iterator[tuple[str, int, str, str]]:
    """(path, line, column, text) for each typed cell of the indicator rows."""
    seen = set()
    for ind in indicators:
        cells = list(zip(schema.levels, ind.levels, strict=False))  # rows have 1-3 levels
        cells += [(schema.target or "", ind.target), (schema.actual or "", ind.actual),
                  (schema.note, ind.note), (schema.owner, ind.owner)]
        for field, value in cells:
            # A blank level cell repeats the row above: report the name once.
            if value and (ind.path, field, value) not in seen:
                seen.add((ind.path, field, value))
                yield ind.path, ind.line, field, value


def body_lines(section: Section) -> Iterator[tuple[str, int, None, str]]:
    """(path, first line, None, text) for a body; comments are notes to reviewers and
    never printed, so a TODO there is fine."""
    yield section.path, section.body_line, None, markdown.blank_comments(section.body)


def matches(pattern: re.Pattern, text: str,
            line: int | None) -> Iterator[tuple[int | None, re.Match]]:
    """(line, match) for each match in a text whose first line is `line` (None: a
    text without lines, such as a CSV cell)."""
    pos = 0
    for match in pattern.finditer(text):
        if line is not None:
            line += text.count("\n", pos, match.start())
            pos = match.start()
        yield line, match


def leftovers(texts: Iterable[tuple[str, int | None, str | None, str]],
              diags: Diagnostics) -> None:
    """PD401 for template leftovers in (path, line, field, text) items: a body (no
    field) counts its lines from `line`; a field or a cell is reported at its own."""
    for path, first, field, text in texts:
        for line, match in matches(LEFTOVERS, text, first if field is None else None):
            diags.error("PD401", path, f"“{match.group()}”像是模板留下的占位文字，"
                        "请替换为实际内容或删除", line=line if field is None else first,
                        field=field)


@dataclass(frozen=True)
class _Figure:
    """A fact a writer may type by hand instead of quoting it."""

    name: str  # as the message names it
    pattern: re.Pattern  # group "n": the typed number; group "unit": 元 or 万元, if any
    value: Decimal | Money  # an amount carries its unit
    template: str  # what to write instead


_NUMBER = r"(?P<n>[0-9][0-9,]*(?:\.[0-9]+)?)"
_VERB = rf"{_SPACE}(?:(?:为|是|达到|达|共|有|：|:){_SPACE})?"
# After a number, the words that make it a target, not a result: 达到95%以上.
_TARGET_AFTER = re.compile(rf"{_SPACE}(?:及?以上|以下|左右|或以上)")


def _figures(report: Report) -> list[_Figure]:
    facts, finance = report.facts, report.facts.finance
    raw = facts.extra.get("staffing")
    staffing = raw if isinstance(raw, dict) else {}
    out = []
    rate = report.stated_rate  # 预算执行率 only: 执行率 alone may be a project's
    if rate is not None:
        out.append(_Figure("预算执行率", re.compile(rf"预算执行率{_VERB}{_NUMBER}{_SPACE}%"),
                           rate * 100, "{{ execution_rate | percent }}"))
    for key, name, word in (("income", "财政拨款收入", r"(?:财政拨款)?收入"),
                            ("spending", "支出", r"(?:财政拨款)?支出")):
        if key in finance:
            out.append(_Figure(name, re.compile(rf"{word}{_VERB}{_NUMBER}{_SPACE}(?P<unit>万元|元)"),
                               finance[key], f"{{{{ {key} | money }}}} 或 {{{{ {key} | wan }}}}"))
    for key, name, word, units in (("authorized", "编制数", r"编制数?", "个|名|人"),
                                   ("on_duty", "在编在岗人数", r"在编在岗(?:人员)?", "名|人")):
        value = staffing.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            out.append(_Figure(name, re.compile(rf"{word}{_VERB}{_NUMBER}{_SPACE}(?:{units})"),
                               Decimal(value), f"{{{{ staffing.{key} }}}}"))
    return out


def _differs(figure: _Figure, match: re.Match) -> Decimal | None:
    """The fact at the typed number's precision and unit, when the two differ."""
    typed = Decimal(match.group("n").replace(",", ""))
    unit = match.groupdict().get("unit")
    value = figure.value
    if isinstance(value, Money):  # in the unit typed, else in its own
        value = value.to(WAN if unit == "万元" else YUAN) if unit else value.value
    exponent = typed.as_tuple().exponent
    assert isinstance(exponent, int)  # a typed number is finite
    shown = value.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP)
    return None if shown == typed else shown


def _typed_results(report: Report, diags: Diagnostics) -> None:
    figures = _figures(report)
    complete = report.indicators_complete and bool(report.indicators)
    grade, total = report.grade, report.total_score
    facts = report.facts
    if complete and facts.grade and _GRADES.get(facts.grade, facts.grade) != grade:
        diags.error("PD104", facts.path, f"填写的等级“{facts.grade}”与总分 "
                    f"{decimal_text(total)} 对应的等级“{grade}”不符",
                    line=facts.lines.get("grade"), field="grade")
    for section in report.sections.values():
        found = []  # (line, order, message): reported line by line, as they read
        for order, figure in enumerate(figures):
            for at, m in matches(figure.pattern, section.body, section.body_line):
                if _TARGET_AFTER.match(section.body, m.end()):
                    continue  # a target ("达到95%以上"), not what was achieved
                shown = _differs(figure, m)
                if shown is not None:
                    found.append((at, order, f"正文写的{figure.name}“{m.group(0)}”"
                                  f"与数据不符（应为 {shown}{m.groupdict().get('unit') or ''}"
                                  f"{'%' if figure.name == '预算执行率' else ''}）；"
                                  f"请改用 {figure.template}，让数字由数据生成"))
        if complete:
            for at, m in matches(_TYPED_GRADE, section.body, section.body_line):
                if _GRADES[m.group(1)] != grade:
                    found.append((at, len(figures), f"正文写的等级“{m.group(1)}”与总分 "
                                  f"{decimal_text(total)} 对应的等级“{grade}”不符"))
            for at, m in matches(_TYPED_TOTAL, section.body, section.body_line):
                if Decimal(m.group(1)) != total:
                    found.append((at, len(figures) + 1, f"正文写的总分 {m.group(1)} 与指标"
                                  f"合计 {decimal_text(total)} 不符"))
        for at, _, message in sorted(found, key=lambda item: item[:2]):
            diags.error("PD402", section.path, message, line=at)
