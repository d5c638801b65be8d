"""Synthetic report projects at N times the sample, for the benchmark."""

from __future__ import annotations

import re
import shutil
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from perfdoc.sources.headings import cn_numeral

ROOT = Path(__file__).resolve().parents[2]
TEXT_PER_SCALE = 10_000  # bytes of section Markdown per 1x (~1 MB at 100x)


def make_project(scale: int, dest: Path) -> tuple[Path, int]:
    """A valid project with 29 x scale indicator rows; returns (path, rows)."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content").mkdir(parents=True)
    (dest / "indicators").mkdir()
    shutil.copyfile(ROOT / "content" / "report.md", dest / "content" / "report.md")

    sections = sorted((ROOT / "content").glob("0*.md"))
    budget = TEXT_PER_SCALE * scale // len(sections)
    for path in sections:
        head, body = _split(path.read_text(encoding="utf-8"))
        if body.strip() == "无":
            body = "部分指标扣分，需进一步完善相关制度。\n"
        body = body.replace("【2021】", "〔2021〕")  # the sample's one PD411
        # Copies numbered as a writer would: 一、 then the section's own paragraphs with
        # their typed numbers taken off (repeated, they would run 一、一、一、…).
        body = re.sub(r"(?m)^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[0-9]+\.)", "",
                      body.strip())
        text, n = [], 0
        while sum(len(t.encode()) for t in text) < budget:
            n += 1
            text.append(f"{cn_numeral(n)}、第{n}部分\n\n{body}\n\n")
        (dest / "content" / path.name).write_text(head + "".join(text), encoding="utf-8")

    rows = []
    for path in sorted((ROOT / "indicators").glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        rows += [line.split(",") for line in lines]
    count = len(rows) * scale
    weight = (Decimal(100) / count).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    out = ["一级指标,二级指标,分值,得分,说明"]
    total = Decimal(0)
    i = 0
    for copy in range(scale):
        level1 = ""
        for cells in rows:
            i += 1
            name1 = f"{cells[0]}{copy + 1}" if cells[0] else ""
            w = weight if i < count else Decimal(100) - total
            total += w
            score = w if i % 10 else w - Decimal("0.0001")
            note = cells[4] if score == w else f"{cells[4] or '扣分'}（扣0.0001分）"
            out.append(f"{name1 if name1 != level1 else ''},{cells[1]}{copy + 1},{w},{score},{note}")
            level1 = name1 or level1
    (dest / "indicators" / "scores.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return dest, count


def _split(text: str) -> tuple[str, str]:
    _, fm, body = text.split("---\n", 2)
    return f"---\n{fm}---\n", body


PROJECT_GROUPS = (("产出指标", (("数量指标", 4), ("质量指标", 4), ("时效指标", 2), ("成本指标", 2))),
                  ("效益指标", (("社会效益指标", 3), ("经济效益指标", 2), ("可持续影响指标", 1))),
                  ("满意度指标", (("服务对象满意度指标", 2),)))
PROJECT_ROWS = sum(n for _, groups in PROJECT_GROUPS for _, n in groups)  # 20


def make_projects(count: int, dest: Path) -> Path:
    """The sample report with `count` valid projects of PROJECT_ROWS indicators each
    (every fifth in the Sichuan layout, so both layouts are timed)."""
    if dest.exists():
        shutil.rmtree(dest)
    for name in ("content", "indicators"):
        shutil.copytree(ROOT / name, dest / name)
    weight = Decimal(90) / PROJECT_ROWS  # 4.5
    for n in range(1, count + 1):
        folder = dest / "projects" / f"{n:02d}-项目{n}"
        folder.mkdir(parents=True)
        sichuan = n % 5 == 0
        if sichuan:
            funds = ("  财政资金: {年初预算: 100, 调整后预算数: 100, 预算执行数: 96.5}\n"
                     "  单位资金: {年初预算: 0, 调整后预算数: 10, 预算执行数: 10}\n")
            parts = ("预期目标", "实际完成情况", "评价结论", "存在问题", "改进措施")
        else:
            funds = ("  当年财政拨款: {年初预算数: 100, 全年预算数: 100, 全年执行数: 96.5}\n"
                     "  上年结转资金: {年初预算数: 0, 全年预算数: 10, 全年执行数: 10}\n")
            parts = ("预期目标", "实际完成情况")
        body = "".join(f"## {p}\n\n按计划完成项目{n}的年度目标，执行率{{{{ execution_rate | percent }}}}，"
                       "各项指标均达到预期。\n\n" for p in parts)
        layout = "layout: sichuan-project-2023\n" if sichuan else ""
        (folder / "project.md").write_text(
            f"---\nname: 合成项目{n}\ncode: \"32{n:04d}\"\ndepartment: 江苏省商务厅\n{layout}"
            f"funds:\n{funds}---\n{body}", encoding="utf-8")
        rows = ["一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施"]
        i = 0
        for level1, groups in PROJECT_GROUPS:
            for level2, size in groups:
                for _ in range(size):
                    i += 1
                    score, note = (weight - 1, "部分任务推迟，已列入下年计划") if i == 7 else (weight, "")
                    rows.append(f"{level1},{level2},指标{i},≥{10 * i}个,{10 * i + 1}个,{weight},"
                                f"{score},{note}")
        (folder / "indicators.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return dest
