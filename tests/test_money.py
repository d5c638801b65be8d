"""Money carries its unit: finance in 元, funds in 万元, printed from its own unit,
never mixed silently."""

from __future__ import annotations

import shutil
from decimal import Decimal

import docx
import pytest
from conftest import FIXTURES
from docx_reading import body_tables, find_row, row_texts

from perfdoc.build import build
from perfdoc.rules.check import check_project
from perfdoc.sources import templating
from perfdoc.sources.money import WAN, YUAN, Money, UnitError


def yuan(text: str) -> Money:
    return Money(Decimal(text), YUAN)


def wan(text: str) -> Money:
    return Money(Decimal(text), WAN)


def test_amounts_of_one_unit_add_up_and_divide_into_a_ratio():
    assert wan("4200") + wan("1300") == wan("5500")
    assert sum([wan("1"), wan("2.5")]) == wan("3.5")  # sum() starts from a unitless 0
    assert wan("5380") / wan("5500") == Decimal("5380") / Decimal("5500")
    assert wan("10") * 3 == wan("30") and wan("10") / 4 == wan("2.5")
    assert yuan("1611200").to(WAN) == Decimal("161.12")
    assert wan("5800").to(YUAN) == Decimal("58000000")
    assert wan("1") > 0 and wan("0") == 0  # zero has no unit
    assert str(wan("5800.00")) == "5800万元"


@pytest.mark.parametrize("mixed", [
    lambda: wan("1") + yuan("1"), lambda: wan("1") - yuan("1"), lambda: wan("1") < yuan("1"),
    lambda: wan("1") == yuan("10000"), lambda: wan("1") / yuan("1"), lambda: wan("1") + 5,
    lambda: wan("1") > 5, lambda: wan("1") * wan("1")])
def test_a_mix_of_units_is_refused(mixed):
    with pytest.raises(UnitError, match="金额|单位"):
        mixed()


def render(text: str, **names) -> str:
    return templating.environment().from_string(text).render(names)


def test_filters_convert_from_the_value_s_own_unit():
    assert render("{{ x | wan }}", x=wan("5800")) == "5,800.00万元"
    assert render("{{ x | money }}", x=wan("5800")) == "58,000,000.00元"
    assert render("{{ x | wan }}", x=yuan("1611200")) == "161.12万元"
    assert render("{{ x | money }}", x=yuan("1611200")) == "1,611,200.00元"
    assert render("{{ x | wan(0) }}", x=Decimal("1611200")) == "161万元"  # a bare number: 元
    assert render("{{ x }}", x=wan("5800")) == "5800万元"


def chongqing(tmp_path, funds: str, body: str = ""):
    project = shutil.copytree(FIXTURES / "chongqing-department-2021", tmp_path / "cq")
    facts = project / "content" / "report.md"
    text = facts.read_text(encoding="utf-8")
    start, end = text.index("funds:"), text.index("---", 4)
    facts.write_text(text[:start] + funds + text[end:], encoding="utf-8")
    if body:
        goals = project / "content" / "01-goals.md"
        goals.write_text(goals.read_text(encoding="utf-8") + "\n" + body + "\n", encoding="utf-8")
    return project


FULL_FUNDS = ("finance:\n  income: 1611200.00\n"
              "funds:\n  财政拨款: {年初预算数: 5000, 全年预算数: 5400, 全年执行数: 5292}\n"
              "  其他资金: {年初预算数: 400, 全年预算数: 400, 全年执行数: 380}\n")


def test_a_budget_block_in_wan_prints_in_wan_and_the_full_funds_shape_is_accepted(tmp_path):
    project = chongqing(tmp_path, FULL_FUNDS, "预算{{ budget | wan }}，执行{{ spent | wan }}，"
                        "收入{{ income | wan }}，其中财政拨款年初"
                        "{{ funds['财政拨款']['年初预算数'] | wan }}。")
    report, diags = check_project(project)
    assert not diags.errors, [str(d) for d in diags.errors]
    assert report is not None
    assert report.funds["财政拨款"]["年初预算数"] == wan("5000")  # kept though not printed
    result = build(project, tmp_path / "out")
    assert result.ok
    rows = row_texts(body_tables(docx.Document(str(tmp_path / "out" / "form.docx")))[0])
    text = "".join(c for r in rows for c in r)
    assert "预算5,800.00万元，执行5,672.00万元，收入161.12万元，其中财政拨款年初5,000.00万元。" in text
    assert find_row(rows, "财政拨款")[-5:-3] == ["5400", "5292"]


def test_an_amount_outside_the_common_shape_is_still_refused(tmp_path):
    project = chongqing(tmp_path, "funds:\n  财政拨款: {全年预算数: 1, 全年执行数: 1, 调整数: 2}\n"
                        "  其他资金: {全年预算数: 1, 全年执行数: 1}\n")
    _, diags = check_project(project)
    [error] = diags.errors
    assert error.code == "PD102" and "未知的金额“调整数”" in error.message
    assert "年初预算数" in error.message  # the accepted amounts are named
    project = chongqing(tmp_path / "2", "funds:\n  财政拨款: {年初预算数: 1}\n"
                        "  其他资金: {全年预算数: 1, 全年执行数: 1}\n")
    _, diags = check_project(project)
    assert {d.field for d in diags.errors} == {"funds.财政拨款.全年预算数", "funds.财政拨款.全年执行数"}


@pytest.mark.parametrize("expression", ["{% if budget > income %}多{% endif %}",
                                        "{{ budget + income }}", "{{ spent - income }}"])
def test_mixing_units_in_a_template_is_pd506_and_nothing_is_built(tmp_path, expression):
    project = chongqing(tmp_path, FULL_FUNDS, expression)
    _, diags = check_project(project)
    [error] = diags.errors
    assert (error.code, error.path) == ("PD506", "content/01-goals.md")
    assert error.message.startswith(("金额单位不一致：5800万元 与 1611200元 不能直接",
                                     "金额单位不一致：5672万元 与 1611200元 不能直接"))
    assert "money" in error.message and "wan" in error.message
    assert not build(project, tmp_path / "out").ok and not (tmp_path / "out").exists()
