"""Leftover and typed-figure rules scan a whole body at once: the lines they report."""

from __future__ import annotations

import contextlib

import pytest

from perfdoc.diagnostics import Diagnostics
from perfdoc.rules.text_rules import body_lines, leftovers
from perfdoc.sources.model import Section


def test_a_body_counts_its_lines_and_a_field_keeps_its_own():
    # a TODO inside a comment is a note to reviewers, not a leftover
    body = "第一行。\n\nTODO 补数字，XX单位\n（限200字）\n<!-- TODO 审阅意见 -->\n……"
    section = Section("overview", "一、部门概况", "", body, "content/01-x.md", 5)
    diags = Diagnostics()
    leftovers([*body_lines(section),
               ("projects/a/project.md", 9, "execution_reason", "一行\n待补充")], diags)
    found = [(d.path, d.line, d.field, d.message[1:d.message.index("”")]) for d in diags.items]
    assert found == [("content/01-x.md", 7, None, "TODO"), ("content/01-x.md", 7, None, "XX"),
                     ("content/01-x.md", 8, None, "（限200字）"),
                     ("content/01-x.md", 10, None, "……"),
                     ("projects/a/project.md", 9, "execution_reason", "待补充")]


def test_no_leftover_pattern_reaches_across_a_line_break():
    diags = Diagnostics()
    leftovers([("content/01-x.md", 1, None, "（\n200字）")], diags)
    assert not diags.items


@pytest.mark.parametrize("shape", ["[a](", "<a", "<!--", "{{", "{%", "`a", "![a](", "中,"])
def test_the_writing_rules_are_linear_on_pathological_shapes(shape):
    """Ten times the text takes about ten times as long, never a hundred: time at 50 KB
    and at 500 KB (the best of three, to keep a busy machine's noise out)."""
    import time

    from perfdoc.rules import writing
    from perfdoc.sources.markdown import blank_comments

    def seconds(size: int) -> float:
        body = shape * (size // len(shape.encode()))
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            list(writing.findings(body))
            blank_comments(body)
            best = min(best, time.perf_counter() - started)
        return best
    small, large = seconds(50_000), seconds(500_000)
    assert large < 30 * max(small, 0.002), (shape, small, large)


@pytest.mark.parametrize("shape", ["（ ", "总分 ", "预算执行率 ", "等级 ", "×", "（1", "{:", " \n"])
def test_the_text_rules_format_check_and_log_escaping_are_linear(shape):
    """Before: two spans of spaces around an optional word ("总分" and 20,000 spaces: 4 s
    at 20 KB, quadratic), "{" and 50,000 colons in a format string (22 s), 50,000 blank
    lines through the log escaping (27 s). Ten times the text, about ten times the time."""
    import dataclasses
    import time

    from conftest import ROOT

    from perfdoc.diagnostics import terminal_text
    from perfdoc.rules import text_rules
    from perfdoc.sources.load import load_project
    from perfdoc.sources.sandbox import BudgetError, _check_format

    report = load_project(ROOT, Diagnostics())
    assert report is not None
    key = next(iter(report.sections))

    def seconds(size: int) -> float:
        # the shape's first character once, then the rest repeated: "总分" + spaces
        head, tail = shape[:-1] or shape, shape[-1]
        body = head + tail * (size // len(tail.encode()))
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            report.sections[key] = dataclasses.replace(report.sections[key], body=body)
            text_rules.check_text(report, Diagnostics())
            for style in ("%", "{}"):
                with contextlib.suppress(BudgetError):
                    _check_format(body, (), style)
            terminal_text(body)
            best = min(best, time.perf_counter() - started)
        return best
    small, large = seconds(50_000), seconds(500_000)
    assert large < 30 * max(small, 0.002), (shape, small, large)
