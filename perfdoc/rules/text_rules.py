"""Rules that read the words: template leftovers, and grades or totals typed by hand.

Published forms keep the template's own "（100字以内）" or "XX单位", and state a
grade in the text that the table contradicts; both are caught here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from perfdoc.rules.diagnostics import Diagnostics
from perfdoc.sources import markdown
from perfdoc.sources.model import Report, Section, decimal_text

# What templates leave behind. "XX"/"××" stand for a name to fill in; Latin words
# that merely contain XX (EXXON) are not leftovers.
LEFTOVERS = re.compile(
    r"(?<![A-Za-z])(?:[XxＸ]{2,}|×{2,})(?![A-Za-z])"
    r"|[（(]\s*(?:限|不超过)?\s*\d+\s*字(?:以内|左右)?\s*[)）]"
    r"|……|\.{6,}"
    r"|(?<![A-Za-z])(?:TODO|FIXME|TBD)(?![A-Za-z])"
    r"|(?<!有)待(?:补充|填写)"
)

_GRADES = {"优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "中": "中",
           "较差": "差", "差": "差"}
_TYPED_GRADE = re.compile(
    r"(?:评价|自评|绩效)?(?:等级|等次)\s*(?:为|是|：|:)\s*[“\"「]?(优秀|良好|中等|较差|优|良|中|差)")
_TYPED_TOTAL = re.compile(
    r"(?:自评总分|自评得分|总得分|综合得分|总分)\s*(?:为|是|：|:)?\s*(\d+(?:\.\d+)?)\s*分")


def check_text(report: Report, diags: Diagnostics) -> None:
    leftovers(_body_lines(report), diags)
    _typed_results(report, diags)


def _body_lines(report: Report) -> Iterator[tuple[str, int, str | None, str]]:
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
    yield from indicator_cells(report.indicators, "说明")


def indicator_cells(indicators, note: str) -> Iterator[tuple[str, int, str, str]]:
    """(path, line, column, text) for each typed cell of the indicator rows."""
    seen = set()
    for ind in indicators:
        cells = [(f"{n}级指标", v) for n, v in zip("一二三", ind.levels)]
        cells += [("年度指标值", ind.target), ("实际完成值", ind.actual), (note, ind.note),
                  ("责任处室", ind.owner)]
        for field, value in cells:
            # A blank level cell repeats the row above: report the name once.
            if value and (ind.path, field, value) not in seen:
                seen.add((ind.path, field, value))
                yield ind.path, ind.line, field, value


def body_lines(section: Section) -> Iterator[tuple[str, int, None, str]]:
    """(path, line, None, text) for each non-blank line of a body; comments are notes
    to reviewers and never printed, so a TODO there is fine."""
    body = markdown.blank_comments(section.body)
    for offset, line in enumerate(body.split("\n")):
        if line.strip():
            yield section.path, section.body_line + offset, None, line


def leftovers(texts: Iterable[tuple[str, int | None, str | None, str]],
              diags: Diagnostics) -> None:
    """PD401 for template leftovers in (path, line, field, text) items."""
    for path, line, field, text in texts:
        for match in LEFTOVERS.finditer(text):
            diags.error("PD401", path, f"“{match.group()}”像是模板留下的占位文字，"
                        "请替换为实际内容或删除", line=line, field=field)


def _typed_results(report: Report, diags: Diagnostics) -> None:
    if not report.indicators_complete or not report.indicators:
        return
    grade, total = report.grade, report.total_score
    facts = report.facts
    if facts.grade and _GRADES.get(facts.grade, facts.grade) != grade:
        diags.error("PD104", facts.path, f"填写的等级“{facts.grade}”与总分 "
                    f"{decimal_text(total)} 对应的等级“{grade}”不符",
                    line=facts.lines.get("grade"), field="grade")
    for section in report.sections.values():
        for offset, line in enumerate(section.body.split("\n")):
            at = section.body_line + offset
            for m in _TYPED_GRADE.finditer(line):
                if _GRADES[m.group(1)] != grade:
                    diags.error("PD402", section.path, f"正文写的等级“{m.group(1)}”与总分 "
                                f"{decimal_text(total)} 对应的等级“{grade}”不符", line=at)
            for m in _TYPED_TOTAL.finditer(line):
                if Decimal(m.group(1)) != total:
                    diags.error("PD402", section.path, f"正文写的总分 {m.group(1)} 与指标"
                                f"合计 {decimal_text(total)} 不符", line=at)
