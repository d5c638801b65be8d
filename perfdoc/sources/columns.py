"""The names an indicator column goes by, in one table.

Forms from different provinces and years print the same column under different
headers: 分值 / 分值（分） / 指标分值 / 权重, 得分 / 自评得分, 说明 / 备注 / 扣分原因.
perfdoc import recognises a Word table's header by this table together with the
layout's own headers (CsvSchema), so a layout that prints 自评得分 is read back too.
"""

from __future__ import annotations

import re

from perfdoc.sources.layout import CsvSchema

# role -> the headers it goes by (compared after `normalized`)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "index": ("序号", "编号"),
    "level1": ("一级指标", "一级指标名称", "一级"),
    "level2": ("二级指标", "二级指标名称", "二级"),
    "level3": ("三级指标", "三级指标名称", "三级"),
    "weight": ("分值", "指标分值", "权重", "标准分", "标准分值", "满分", "分数", "权重分", "指标权重"),
    "score": ("得分", "自评得分", "评价得分", "实际得分", "自评分", "自评分数", "评分", "考核得分"),
    "note": ("说明", "备注", "扣分原因", "扣分说明", "得分说明", "评分说明", "扣分理由", "情况说明",
             "偏差原因", "偏差原因分析及改进措施"),
    "owner": ("责任处室", "责任单位", "责任部门", "牵头处室"),
    "target": ("年度指标值", "指标值", "目标值"),
    "actual": ("实际完成值", "完成值", "实际值"),
}

TOTALS = ("合计", "总计", "总分", "合计得分", "总得分", "合计分值")

# A unit after the name: 分值（分）, 得分(分), 权重（%）.
_UNIT = re.compile(r"[（(](?:分|%|％|百分比)[)）]$")


_SPACE = re.compile(r"\s+")


def normalized(header: str) -> str:
    """A header as compared: no whitespace, no trailing unit in brackets."""
    return _UNIT.sub("", _SPACE.sub("", header)) if len(header) < 40 else header


def vocabulary(schema: CsvSchema, index: str | None = None) -> dict[str, str]:
    """normalized header -> role: the synonyms, and every column the layout declares
    (which win where they differ): a free column's role is "text:" and its header."""
    names = {normalized(name): role for role, names in SYNONYMS.items() for name in names}
    own = {"weight": schema.weight, "score": schema.score, "note": schema.note,
           "owner": schema.owner, "target": schema.target, "actual": schema.actual,
           "adjusted": schema.adjusted, "coefficient": schema.coefficient, "index": index}
    own.update({f"level{i}": name for i, name in enumerate(schema.levels, start=1)})
    own.update({text_role(name): name for name in schema.texts})
    names.update({normalized(name): role for role, name in own.items() if name})
    return names


def text_role(header: str) -> str:
    """The role of a free column (评分标准, 计量单位 …): its header is its name."""
    return f"text:{header}"


def schema_header(schema: CsvSchema, role: str) -> str | None:
    """The CSV header the layout gives a role (the header its form prints)."""
    if role.startswith("text:"):
        return role[5:]
    if role.startswith("level"):
        level = int(role[5:]) - 1
        return schema.levels[level] if level < len(schema.levels) else None
    return {"weight": schema.weight, "score": schema.score, "note": schema.note,
            "owner": schema.owner, "target": schema.target, "actual": schema.actual,
            "adjusted": schema.adjusted, "coefficient": schema.coefficient}.get(role)


def is_total(text: str) -> bool:
    return normalized(text) in TOTALS
