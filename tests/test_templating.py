"""Facts as template variables: values on the sample, filters, and the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import ROOT

from perfdoc.rules.check import check_project
from perfdoc.sources import templating
from perfdoc.sources.money import YUAN, Money
from perfdoc.sources.variables import variables


@pytest.fixture(scope="module")
def names():
    report, diags = check_project(ROOT)
    assert not diags.errors
    return variables(report)


def test_each_variable_on_the_sample(names):
    assert names["year"] == 2020
    assert names["unit"] == "江苏省商务厅信息中心"
    assert names["title"] == "2020年省级部门整体支出绩效自我评价表格"
    assert names["report_title"] == "江苏省商务厅信息中心\n2020年度部门整体支出绩效评价报告"
    assert names["income"] == Money(Decimal("1611200.00"), YUAN)
    assert names["spending"] == Money(Decimal("1583388.23"), YUAN)
    assert "budget" not in names and "execution_rate" not in names
    assert names["total_score"] == Decimal(100) and names["total_weight"] == Decimal(100)
    assert names["grade"] == "优"
    assert names["indicator_count"] == 29
    assert names["deduction_count"] == 0 and names["deductions"] == []
    assert [(g.name, g.weight, g.score, g.count) for g in names["groups"]] == [
        ("部门决策", 25, 25, 7), ("部门管理", 39, 39, 13), ("部门履职", 28, 28, 8),
        ("履职效益", 8, 8, 1)]
    assert names["group"]["部门管理"].weight == Decimal(39)
    assert names["staffing"]["authorized"] == 7


def render(text: str, **names) -> str:
    return templating.environment().from_string(text).render(names)


def test_filters():
    assert render("{{ x | money }}", x=Decimal("1611200")) == "1,611,200.00元"
    assert render("{{ x | wan }}", x=Decimal("1611200.00")) == "161.12万元"
    assert render("{{ x | percent }}", x=Decimal("1583388.23") / Decimal("1611200.00")) == "98.27%"
    assert render("{{ x | percent(1) }}", x=Decimal("0.9")) == "90.0%"
    assert [render("{{ n | cn }}", n=n) for n in (0, 3, 10, 12, 20, 105, 2020)] == \
        ["零", "三", "十", "十二", "二十", "一百零五", "二千零二十"]
    assert render("{{ x }}", x=Decimal("94.040")) == "94.04"  # decimals print as people write them
    assert render("{{ '{{' }} 原样 }}") == "{{ 原样 }}"
    assert render("{% raw %}{{ year }}{% endraw %}") == "{{ year }}"


def test_budget_and_execution_rate(sample_copy):
    facts = sample_copy / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "  spending: 1583388.23", "  spending: 1583388.23\n  budget: 1700000.00"), encoding="utf-8")
    report, diags = check_project(sample_copy)
    names = variables(report)
    assert names["budget"] == Money(Decimal("1700000.00"), YUAN)
    assert render("{{ r | percent }}", r=names["execution_rate"]) == "93.14%"
    assert not diags.items


def test_a_changed_score_changes_the_sentence(sample_copy):
    section = sample_copy / "content" / "02-evaluation.md"
    section.write_text(section.read_text(encoding="utf-8") + (
        "\n本年度自评得分{{ total_score }}分，等级为“{{ grade }}”，"
        "共{{ deduction_count }}项扣分。{% for d in deductions %}{{ d.name }}扣{{ d.lost }}分。"
        "{% endfor %}\n"), encoding="utf-8")
    report, _ = check_project(sample_copy)
    assert "本年度自评得分100分，等级为“优”，共0项扣分。" in report.sections["evaluation"].body

    csv = sample_copy / "indicators" / "04-履职效益.csv"
    csv.write_text("一级指标,二级指标,分值,得分,说明\n履职效益,公众满意度,8,0,未开展满意度调查\n",
                   encoding="utf-8")
    report, _ = check_project(sample_copy)
    assert "本年度自评得分92分，等级为“优”，共1项扣分。公众满意度扣8分。" in \
        report.sections["evaluation"].body


@pytest.mark.parametrize("snippet,code", [
    ("{{ yaer }}", "PD502"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "PD503"),
    ("{{ lipsum.__globals__['os'].system('true') }}", "PD502"),  # no lipsum at all
    ("{{ cycler }}", "PD502"),  # only the documented names exist: no Jinja globals
    ("{{ range(3) | list }}", "PD502"),
    ("{{ year }", "PD501"),
    ("{% for x in groups %}", "PD501"),
    ("{{ unit | money }}", "PD504"),
    ("{{ budget }}", "PD502"),  # not given in report.md: an unknown name, not "None"
])
def test_template_errors_are_diagnostics_with_line(sample_copy, snippet, code):
    path = sample_copy / "content" / "03-achievements.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9] + snippet  # file line 10
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, diags = check_project(sample_copy)
    (d,) = diags.items
    assert (d.code, d.path, d.line) == (code, "content/03-achievements.md", 10)


def test_a_set_on_one_line_is_seen_by_the_next(sample_copy):
    """Lines are rendered one by one only when none defines something for later lines."""
    path = sample_copy / "content" / "03-achievements.md"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\n{% set n = projects | length %}\n共{{ n }}个项目。\n", encoding="utf-8")
    report, diags = check_project(sample_copy)
    assert not diags.errors, [str(d) for d in diags.items]
    assert "共3个项目。" in report.sections["achievements"].body
