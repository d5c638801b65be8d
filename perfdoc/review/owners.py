"""`perfdoc check --by-owner`: each 处室 sees its own open problems and deductions."""

from __future__ import annotations

from collections import defaultdict

from perfdoc.diagnostics import Diagnostics
from perfdoc.sources.model import Report, decimal_text

UNASSIGNED = "（未指定处室）"


def by_owner(report: Report | None, diags: Diagnostics) -> str:
    owners = report.row_owners if report else {}
    problems: dict[str, list[str]] = defaultdict(list)
    for d in diags.sorted():
        problems[owners.get((d.path, d.line or 0), UNASSIGNED)].append(str(d))
    deductions: dict[str, list[str]] = defaultdict(list)
    for ind in report.indicators if report else ():
        if ind.deducted:
            deductions[ind.owner or UNASSIGNED].append(
                f"{ind.path}:{ind.line}: “{ind.label}”扣 "
                f"{decimal_text(ind.weight - ind.score)} 分（说明：{ind.note or '未填写'}）")
    names = sorted(set(problems) | set(deductions), key=lambda n: (n == UNASSIGNED, n))
    out = []
    for name in names:
        out.append(f"== {name} ==")
        out += problems.get(name, [])
        out += [f"扣分：{line}" for line in deductions.get(name, [])]
        out.append("")
    return "\n".join(out) if out else "没有需要处理的问题，也没有扣分项。\n"
