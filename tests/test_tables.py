"""The merge plan: merges follow from the data, as in flextable."""

from perfdoc.sources.layout import Column
from perfdoc.word.tables import CONTINUE as C
from perfdoc.word.tables import RESTART as R
from perfdoc.word.tables import column_widths, merge_plan


def test_first_level_runs_merge():
    keys = [("A", "a1"), ("A", "a2"), ("B", "b1"), ("C", "c1"), ("C", "c2"), ("C", "c3")]
    assert merge_plan(keys, 1) == [[R], [C], [None], [R], [C], [C]]


def test_second_level_never_crosses_a_first_level_boundary():
    keys = [("A", "x", "1"), ("A", "x", "2"), ("B", "x", "3"), ("B", "y", "4")]
    assert merge_plan(keys, 2) == [[R, R], [C, C], [R, None], [C, None]]


def test_same_name_apart_is_two_groups():
    keys = [("A", "1"), ("B", "2"), ("A", "3")]
    assert merge_plan(keys, 1) == [[None], [None], [None]]


def test_empty():
    assert merge_plan([], 1) == []


def test_widths_fill_the_total_exactly():
    cols = [Column("level1", "一级指标", 21), Column("level2", "二级指标", 45),
            Column("score", "得分", 14), Column("note", "说明", 76)]
    widths = column_widths(cols, 8845)
    assert sum(widths) == 8845
    assert widths[0] < widths[1] < widths[3]
