"""Leftover and typed-figure rules scan a whole body at once: the lines they report."""

from __future__ import annotations

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
