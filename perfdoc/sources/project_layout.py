"""Project form layouts (项目支出绩效自评表) as data: a list of blocks, each of a kind
that one writer prints for every layout (perfdoc/layouts/*-project-*.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from perfdoc.sources.layout import (
    Column,
    Fonts,
    Grade,
    LayoutError,
    Page,
    check_placeholders,
    grade_of,
    parse_grades,
    parse_with,
    read_layout,
)

B = TypeVar("B")

DEFAULT_PROJECT_LAYOUT = "central-project-2020"

# Indicator fields a project column may print (see the layout files for their meaning).
INDICATOR_FIELDS = ("level1", "level2", "level3", "target", "actual", "weight", "score",
                    "note", "nature", "target_value", "unit", "actual_value")
HEADER_FIELDS = ("name", "department", "implementer", "code")
BUDGET_FIELDS = ("amount", "weight", "rate", "score", "reason")


@dataclass(frozen=True)
class HeaderCell:
    width: float
    label: str | None = None  # printed as is, in the heading font
    field: str | None = None  # one of HEADER_FIELDS


@dataclass(frozen=True)
class HeaderBlock:
    rows: tuple[tuple[HeaderCell, ...], ...]


@dataclass(frozen=True)
class BudgetColumn:
    field: str  # one of BUDGET_FIELDS
    header: str
    width: float
    key: str = ""  # for amounts: which of the layout's `amounts`


@dataclass(frozen=True)
class BudgetBlock:
    label: str
    row_label_width: float
    amounts: tuple[str, ...]  # the keys under each source in project.md's funds
    budget: str  # the amount 执行率 divides by
    spent: str  # the amount executed
    weight: Decimal
    total_label: str
    sources: tuple[tuple[str, str], ...]  # (key in funds, printed label)
    columns: tuple[BudgetColumn, ...]
    low_rate: str  # "error" | "warning": 执行率 < 90 % without a reason
    reason_limit: int | None  # characters of execution_reason


@dataclass(frozen=True)
class Part:
    """A narrative part of project.md (`## 预期目标`)."""

    key: str
    header: str
    width: float = 1
    limit: int | None = None  # printed characters


@dataclass(frozen=True)
class GoalsBlock:
    label: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class IndicatorBlock:
    label: str
    total_label: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class TextBlock:
    label_width: float
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class SignatureBlock:
    cells: tuple[str, ...]


Block = HeaderBlock | BudgetBlock | GoalsBlock | IndicatorBlock | TextBlock | SignatureBlock


@dataclass(frozen=True)
class ProjectForm:
    title: str
    subtitle: str
    title_pt: float
    subtitle_pt: float
    text_pt: float
    label_width: float


@dataclass(frozen=True)
class ProjectLayout:
    name: str
    description: str
    page: Page
    fonts: Fonts
    total: Decimal
    grades: tuple[Grade, ...]
    form: ProjectForm
    blocks: tuple[Block, ...]

    def grade(self, total: Decimal) -> str:
        return grade_of(self.grades, total)

    def block(self, kind: type[B]) -> B | None:
        return next((b for b in self.blocks if isinstance(b, kind)), None)

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every narrative part the layout prints, in order."""
        return tuple(p for b in self.blocks if isinstance(b, (GoalsBlock, TextBlock))
                     for p in b.parts)

    @property
    def budget(self) -> BudgetBlock | None:
        return self.block(BudgetBlock)

    @property
    def indicators(self) -> IndicatorBlock | None:
        return self.block(IndicatorBlock)


def load_project_layout(name_or_path: str, folder: Path | None = None,
                        root: Path | None = None) -> ProjectLayout:
    """A shipped project layout by name, or a `.toml` in the project's folder."""
    file_name, data = read_layout(name_or_path, folder, root)
    if data.get("kind") != "project":
        raise LayoutError(f"版式“{name_or_path}”不是项目支出自评表的版式"
                          "（版式文件中应写 kind = \"project\"）")
    return parse_with(_parse, file_name, data)


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r} (allowed: {', '.join(allowed)})")
    return value


def _part(raw: dict) -> Part:
    limit = raw.get("limit")
    return Part(raw["key"], raw.get("header", raw["key"]), float(raw.get("width", 1)),
                int(limit) if limit is not None else None)


def _header_cell(raw: dict) -> HeaderCell:
    # Exactly one of the two: a cell with neither once crashed the build (KeyError).
    if ("label" in raw) == ("field" in raw):
        raise ValueError(f"a header cell has either label or field, not {sorted(raw)}")
    if "label" in raw:
        return HeaderCell(float(raw["width"]), label=str(raw["label"]))
    return HeaderCell(float(raw["width"]), field=_choice(raw["field"], HEADER_FIELDS,
                                                         "header field"))


def _block(raw: dict) -> Block:
    kind = raw["kind"]
    if kind == "header":
        return HeaderBlock(tuple(tuple(_header_cell(c) for c in row) for row in raw["rows"]))
    if kind == "budget":
        amounts = tuple(raw["amounts"])
        columns = tuple(BudgetColumn(_choice(c["field"], BUDGET_FIELDS, "budget field"),
                                     c["header"], float(c["width"]), c.get("key", ""))
                        for c in raw["columns"])
        for c in columns:
            if c.field == "amount" and c.key not in amounts:
                raise ValueError(f"budget column {c.header!r}: key must be one of {amounts}")
        if raw["budget"] not in amounts or raw["spent"] not in amounts:
            raise ValueError("budget and spent must name entries of amounts")
        limit = raw.get("reason_limit")
        return BudgetBlock(
            raw["label"], float(raw["row_label_width"]), amounts, raw["budget"], raw["spent"],
            Decimal(raw["weight"]), raw["total_label"],
            tuple((s["key"], s.get("label", s["key"])) for s in raw["sources"]), columns,
            _choice(raw.get("low_rate", "warning"), ("error", "warning"), "low_rate"),
            int(limit) if limit is not None else None)
    if kind == "goals":
        return GoalsBlock(raw["label"], tuple(_part(p) for p in raw["parts"]))
    if kind == "indicators":
        fields = tuple(Column(_choice(c["field"], INDICATOR_FIELDS, "indicator field"),
                              c["header"], float(c["width"])) for c in raw["columns"])
        return IndicatorBlock(raw["label"], raw["total_label"], fields)
    if kind == "text":
        return TextBlock(float(raw["label_width"]), tuple(_part(p) for p in raw["parts"]))
    if kind == "signature":
        return SignatureBlock(tuple(raw["cells"]))
    raise ValueError(f"unknown block kind {kind!r}")


def _parse(d: dict) -> ProjectLayout:
    form = d["form"]
    grades = parse_grades(d["scoring"])
    blocks = tuple(_block(b) for b in d["blocks"])
    if sum(isinstance(b, IndicatorBlock) for b in blocks) != 1:
        raise ValueError("a project layout has exactly one indicators block")
    if sum(isinstance(b, BudgetBlock) for b in blocks) > 1:
        raise ValueError("a project layout has at most one budget block")
    return ProjectLayout(
        name=d["name"], description=d.get("description", ""),
        page=Page(**{k: float(v) for k, v in d["page"].items()}),
        fonts=Fonts(**d["fonts"]), total=Decimal(d["scoring"]["total"]), grades=grades,
        form=ProjectForm(check_placeholders(form["title"]),
                         check_placeholders(form.get("subtitle", ""), ("year",)), float(form["title_pt"]),
                         float(form.get("subtitle_pt", 14)), float(form["text_pt"]),
                         float(form["label_width"])),
        blocks=blocks,
    )
