"""import(build(x)) == x for every shipped department layout.

Hypothesis writes valid sources in each layout's shape (the sample's indicator tree
with new names, scores, reasons, free columns, targets; new funds, unit, year and
section texts); perfdoc builds them; the built form and report are imported; the
imported sources must load to the same model, column by column, and build to the same
bytes.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, digest_tree
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from perfdoc.build import build
from perfdoc.diagnostics import Diagnostics
from perfdoc.review.importer import read_documents, write_project
from perfdoc.sources.layout import load_layout
from perfdoc.sources.load import load_project
from perfdoc.sources.model import Report

LAYOUTS = {"jiangsu-2020": ROOT, "central-department": FIXTURES / "central-department",
           "sichuan-department": FIXTURES / "sichuan-department",
           "chongqing-department-2021": FIXTURES / "chongqing-department-2021",
           "anhui-department-2023": FIXTURES / "anhui-department-2023"}

# Words with no digits, Latin letters or template leftovers: the writing rules stay quiet.
HAN = "数据平台服务管理绩效目标完成建设运行保障质量规范制度资金项目政务信息安全系统办理群众满意"
word = st.text(alphabet=HAN, min_size=2, max_size=8)
sentence = st.lists(word, min_size=1, max_size=4).map(lambda ws: "，".join(ws) + "。")
paragraph = st.lists(sentence, min_size=1, max_size=3).map("".join)
body = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
# (年度指标值, 实际完成值) pairs that the target rules accept: each target met
targets = st.sampled_from([("≥95%", "96%"), ("≤30万元", "28万元"), ("=12次", "12次"),
                           ("100%", "100%"), ("健全", "健全"), ("≥90%", "92.5%")])


def wan(draw, low: int, high: int) -> Decimal:
    """An amount in 万元, whole or with two decimals."""
    cents = draw(st.integers(low * 100, high * 100))
    return Decimal(cents) / 100 if draw(st.booleans()) else Decimal(cents // 100)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def new_indicators(draw, project: Path, layout) -> None:
    """The sample's rows with their weights (fixed group weights stay right), every
    other column drawn; levels renamed consistently, so merges still follow the data."""
    schema = layout.csv_schema
    files = sorted((project / "indicators").glob("*.csv"))
    names: dict[tuple[str, ...], str] = {}
    fixed = {levels for levels, _ in layout.indicators.weights}
    for path in files:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        header, out = rows[0], []
        col = {h: i for i, h in enumerate(header)}
        path_so_far: list[str] = []
        for row in rows[1:]:
            cells = dict(zip(header, row, strict=True))
            levels = [cells.get(h, "") for h in schema.levels if h in col]
            filled = [v or (path_so_far[i] if i < len(path_so_far) else "") for i, v in
                      enumerate(levels)]
            path_so_far = filled
            for depth in range(len(filled)):
                key = tuple(filled[:depth + 1])
                if key in fixed:  # a group the layout weighs by name (部门决策 25)
                    names[key] = key[-1]
                elif key not in names:  # unique: a level repeated at random would merge
                    names[key] = draw(word) + str(len(names))  # digits in names only
            weight = Decimal(cells[schema.weight])
            if schema.scoring == "coefficient":
                coefficient = draw(st.integers(0, 100))
                cells[schema.coefficient] = str(coefficient)
                cells[schema.score] = ""
                deducted = coefficient < 100
            else:
                score = min(weight, Decimal(draw(st.integers(0, int(weight * 100)))) / 100) \
                    if draw(st.booleans()) else weight
                cells[schema.score] = f"{score.normalize():f}"
                deducted = score < weight
            cells[schema.note] = draw(sentence) if deducted else ""
            for h in schema.texts:
                cells[h] = draw(sentence)
            target, actual = draw(targets)
            for h, value in ((schema.target, target), (schema.adjusted, target),
                             (schema.actual, actual)):
                if h:
                    cells[h] = value
            for i, h in enumerate(h for h in schema.levels if h in col):
                # merged as exported: blank where the row above has the same name
                same = i < len(levels) and not levels[i]
                cells[h] = "" if same else names[tuple(filled[:i + 1])]
            out.append([cells.get(h, "") for h in header])
        write_csv(path, header, out)


def new_funds(draw, layout) -> str:
    """funds for every source of the budget block: the first grouping drawn (执行率 of
    90–100 %, so no reason is needed), every other grouping splitting the same totals."""
    block = layout.budget
    groups = block.groups or (("", tuple(k for k, _ in block.sources)),)
    rows = []
    for source in groups[0][1]:
        budget = wan(draw, 100, 5000)
        spent = (budget * Decimal(draw(st.integers(90, 100))) / 100).quantize(Decimal("0.01"))
        amounts = {block.budget: budget, block.spent: spent}
        for key in block.amounts:
            amounts.setdefault(key, wan(draw, 0, 5000))
        rows.append((source, amounts))
    sums = {k: sum((a[k] for _, a in rows), Decimal(0)) for k in block.amounts}
    for _, members in groups[1:]:
        left = dict(sums)
        for source in members[:-1]:
            # one exact share for every amount, so 执行数 ≤ 预算数 holds in each part
            share = draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1)]))
            part = {k: left[k] * share for k in block.amounts}
            left = {k: left[k] - part[k] for k in block.amounts}
            rows.append((source, part))
        rows.append((members[-1], left))
    return "funds:\n" + "".join(
        f"  {s}: {{{', '.join(f'{k}: {v.normalize():f}' for k, v in a.items())}}}\n"
        for s, a in rows)


def make(project: Path, name: str, draw) -> None:
    layout = load_layout(name)
    facts = project / "content" / "report.md"
    unit, year = draw(word) + "中心", draw(st.integers(2019, 2030))
    text = facts.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^year: .*$", f"year: {year}", text)
    text = re.sub(r"(?m)^unit: .*$", f"unit: {unit}", text)
    text = re.sub(r"(?m)^title: .*\n", "", text)  # the layout's own title, with the year
    if layout.budget is not None:
        start, end = text.index("funds:"), text.index("---", 4)
        rest = re.sub(r"(?ms)^funds:\n(  .*\n)*", "", text[start:end])
        text = text[:start] + new_funds(draw, layout) + rest + text[end:]
    facts.write_text(text, encoding="utf-8")
    for path in (project / "content").glob("*.md"):
        if path.name != "report.md":
            head, _, _ = path.read_text(encoding="utf-8").partition("\n---\n")
            path.write_text(head + "\n---\n" + draw(body) + "\n", encoding="utf-8")
    new_indicators(draw, project, layout)


def model(root: Path) -> Report:
    diags = Diagnostics()
    report = load_project(root, diags)
    assert report is not None and not diags.errors, [str(d) for d in diags.items]
    return report


def same(a: Report, b: Report) -> None:
    fa, fb = a.facts, b.facts
    assert (fa.year, fa.unit, fa.title, fa.layout, fa.funds, fa.execution_reason) == \
        (fb.year, fb.unit, fb.title, fb.layout, fb.funds, fb.execution_reason)
    assert [(s.key, s.title, s.hint, s.body.strip()) for s in a.sections.values()] == \
        [(s.key, s.title, s.hint, s.body.strip()) for s in b.sections.values()]
    def row(i):
        return (i.levels, i.weight, i.score, i.note, i.owner, i.target, i.actual, i.adjusted,
                i.coefficient, i.texts)
    assert [row(i) for i in a.indicators] == [row(i) for i in b.indicators]


def imported(built: Path, name: str, into: Path) -> None:
    """`perfdoc import form.docx report.docx --layout NAME`, in this process."""
    layout = load_layout(name)
    write_project(read_documents([built / "form.docx", built / "report.docx"], layout), into,
                  force=False)


@pytest.mark.parametrize("name", LAYOUTS)
# Every example builds and imports two documents (about 0.2 s): 25 per layout, no
# shrinking (it would rebuild hundreds of times); the failing draw is printed as it is.
@settings(max_examples=25, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_import_reads_back_what_build_writes(name, data, tmp_path_factory):
    work = tmp_path_factory.mktemp(name)
    project = work / "x"
    for folder in ("content", "indicators"):
        shutil.copytree(LAYOUTS[name] / folder, project / folder)
    make(project, name, data.draw)
    first = build(project, work / "built")
    assert first.ok, [str(d) for d in first.diagnostics.items]
    imported(work / "built", name, work / "y")
    same(model(project), model(work / "y"))
    again = build(work / "y", work / "rebuilt")
    assert again.ok, [str(d) for d in again.diagnostics.items]
    assert digest_tree(work / "built") == digest_tree(work / "rebuilt")
