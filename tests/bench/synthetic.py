"""Synthetic report projects at N times the sample, for the benchmark."""

from __future__ import annotations

import shutil
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

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
            body = "（一）部分指标扣分，需进一步完善相关制度。\n"
        text, n = [], 0
        while sum(len(t.encode()) for t in text) < budget:
            n += 1
            text.append(f"（{n}）{body.strip()}\n\n")
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
