from decimal import Decimal

import pytest

from perfdoc.sources.layout import LayoutError, columns_for, load_layout


def test_default_layout_matches_the_seed_form():
    layout = load_layout("jiangsu-2020")
    assert layout.section_keys == ("overview", "evaluation", "achievements", "problems",
                                   "suggestions")
    assert [c.header for c in columns_for(layout.form.columns, 2)] == [
        "一级指标", "二级指标", "得分", "说明"]
    assert [c.header for c in columns_for(layout.form.columns, 3)] == [
        "一级指标", "二级指标", "三级指标", "得分", "说明"]
    assert [c.header for c in columns_for(layout.report.columns, 2)] == [
        "一级指标", "二级指标", "分值", "得分", "说明"]
    assert layout.total == Decimal(100)
    assert abs(layout.page.text_width_mm - 156) < 1e-9


@pytest.mark.parametrize("total,grade", [("100", "优"), ("90", "优"), ("89.99", "良"),
                                         ("80", "良"), ("79.5", "中"), ("60", "中"),
                                         ("59.99", "差"), ("0", "差")])
def test_grade_bands(total, grade):
    assert load_layout("jiangsu-2020").grade(Decimal(total)) == grade


def test_unknown_layout_names_the_shipped_ones():
    with pytest.raises(LayoutError, match="jiangsu-2020"):
        load_layout("nowhere-1999")


def test_a_project_layout_file(tmp_path):
    text = (load_layout.__globals__["LAYOUT_DIR"] / "jiangsu-2020.toml").read_text(encoding="utf-8")
    (tmp_path / "mine.toml").write_text(text.replace('total = "100"', 'total = "120"'),
                                        encoding="utf-8")
    assert load_layout("mine.toml", tmp_path).total == Decimal(120)
    (tmp_path / "bad.toml").write_text("name = [", encoding="utf-8")
    with pytest.raises(LayoutError, match="无法解析"):
        load_layout("bad.toml", tmp_path)
