"""Layouts: what a province's form looks like, as data (perfdoc/layouts/*.toml)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from perfdoc.files import SourceError, read_source

T = TypeVar("T")

LAYOUT_DIR = Path(__file__).parent / "layouts"
DEFAULT_LAYOUT = "jiangsu-2020"

# Indicator fields a layout column may print.
FIELDS = ("level1", "level2", "level3", "weight", "score", "note", "owner")


class LayoutError(Exception):
    """A layout file that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class Page:
    width_mm: float
    height_mm: float
    top_mm: float
    bottom_mm: float
    left_mm: float
    right_mm: float
    footer_mm: float

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.left_mm - self.right_mm


@dataclass(frozen=True)
class Fonts:
    body: str
    title: str
    heiti: str
    kaiti: str
    latin: str
    page_number: str


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    hint: str
    limit: int | None = None  # printed characters (a form's "（300字以内）")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    width: float
    when_present: bool = False

    @property
    def level(self) -> int | None:
        """0, 1, 2 for the level columns (level1…level3), None for the others."""
        return int(self.field[5:]) - 1 if self.field.startswith("level") else None


@dataclass(frozen=True)
class Form:
    """The 自评表."""

    title: str
    unit_label: str
    title_pt: float
    unit_pt: float
    text_pt: float
    indicator_heading: str
    total_label: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ReportDoc:
    """The 评价报告 and its attachment, the scoring table."""

    title: str
    title_pt: float
    body_pt: float
    line_pt: float
    table_pt: float
    attachment_label: str
    attachment_title: str
    total_label: str
    grade_label: str
    columns: tuple[Column, ...]
    # Each section is a level-1 heading here, so the numbering typed in it prints one
    # level down (一、 → （一）). Off for templates that number sections differently.
    demote_headings: bool = True


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = ("year", "unit")  # what a layout's titles may name


def fill(pattern: str, **names: object) -> str:
    """A layout title with its documented names put in: `{year}`, `{unit}`. Never
    str.format, whose width and index syntax would let a layout ask for a gigabyte."""
    return _PLACEHOLDER.sub(lambda m: str(names[m.group(1)]) if m.group(1) in names
                            else m.group(0), pattern)


def check_placeholders(pattern: str, allowed: tuple[str, ...] = PLACEHOLDERS) -> str:
    """The pattern, when every `{…}` in it is one of `allowed`."""
    for name in _PLACEHOLDER.findall(pattern):
        if name not in allowed:
            raise ValueError(f"{{{name}}} in {pattern!r} is not one of "
                             + ", ".join(f"{{{a}}}" for a in allowed))
    return pattern


def grade_of(grades: tuple[Grade, ...], total: Decimal) -> str:
    """The band a total falls in (bands listed highest first)."""
    for band in grades:
        if total >= band.min:
            return band.name
    return grades[-1].name


# A grade's name: a short word (优, 良好, A), printed in forms and quoted in formulas.
_GRADE_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9+\-]{1,8}")


def parse_grades(scoring: dict) -> tuple[Grade, ...]:
    grades = []
    for g in scoring["grades"]:
        name = g["name"]
        if not isinstance(name, str) or not _GRADE_NAME.fullmatch(name):
            raise ValueError(f"grade name {name!r} must be 1-8 CJK or Latin letters or digits")
        low = Decimal(str(g["min"]))
        if not low.is_finite() or not 0 <= low <= 1000:
            raise ValueError(f"grade {name}: min must be a number from 0 to 1000")
        grades.append(Grade(name, low))
    if not grades or grades != sorted(grades, key=lambda g: g.min, reverse=True):
        raise ValueError("grades must be listed from the highest band down")
    return tuple(grades)


def columns_for(columns: tuple[Column, ...], depth: int) -> tuple[Column, ...]:
    """The printed columns for data with `depth` indicator levels."""
    return tuple(c for c in columns
                 if not (c.when_present and c.level is not None) or c.level < depth)


def label_span(columns: Sequence[Column]) -> int:
    """How many leading columns the 合计 label spans: the level columns (at least one)."""
    span = 0
    while span < len(columns) and columns[span].level is not None:
        span += 1
    return max(span, 1)


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    page: Page
    fonts: Fonts
    total: Decimal
    grades: tuple[Grade, ...]  # highest band first
    sections: tuple[SectionSpec, ...]
    form: Form
    report: ReportDoc

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    def grade(self, total: Decimal) -> str:
        return grade_of(self.grades, total)



def read_layout(name_or_path: str, folder: Path | None = None,
                root: Path | None = None) -> tuple[str, dict]:
    """A layout file's data: shipped by name, or a `.toml` path relative to `folder`
    (a project's own file, which must stay inside `root`, the repository)."""
    if name_or_path.endswith(".toml"):
        folder = folder or Path.cwd()
        base, path = root or folder, folder / name_or_path
    else:
        base, path = LAYOUT_DIR, LAYOUT_DIR / f"{name_or_path}.toml"
    if not os.path.lexists(path):
        shipped = "、".join(sorted(p.stem for p in LAYOUT_DIR.glob("*.toml")))
        raise LayoutError(f"找不到版式“{name_or_path}”（内置版式：{shipped}）")
    try:
        return path.name, tomllib.loads(read_source(base, path).decode("utf-8"))
    except SourceError as exc:
        raise LayoutError(f"版式文件 {name_or_path} {exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LayoutError(f"版式文件 {path.name} 无法解析：{exc}") from None


def parse_with(parse: Callable[[dict], T], file_name: str, data: dict) -> T:
    """`parse(data)`, with a missing or wrong entry reported as a LayoutError."""
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        raise LayoutError(f"版式文件 {file_name} 内容不完整或有误：{exc!r}") from None


def load_layout(name_or_path: str, root: Path | None = None) -> Layout:
    """The department layout: shipped by name, or the project's own by a .toml path."""
    file_name, data = read_layout(name_or_path, root, root)
    if data.get("kind", "department") != "department":
        raise LayoutError(f"版式“{name_or_path}”是项目支出自评表的版式，"
                          "不能用于部门整体自评（content/report.md）")
    return parse_with(_parse, file_name, data)


def _columns(raw: list[dict]) -> tuple[Column, ...]:
    columns = tuple(Column(c["field"], c["header"], float(c["width"]),
                           bool(c.get("when_present", False))) for c in raw)
    for c in columns:
        if c.field not in FIELDS:
            raise ValueError(f"unknown column field {c.field!r}")
    return columns


def _parse(d: dict) -> Layout:
    form, report = d["form"], d["report"]
    grades = parse_grades(d["scoring"])
    return Layout(
        name=d["name"],
        description=d.get("description", ""),
        page=Page(**{k: float(v) for k, v in d["page"].items()}),
        fonts=Fonts(**d["fonts"]),
        total=Decimal(d["scoring"]["total"]),
        grades=grades,
        sections=tuple(SectionSpec(s["key"], s["title"], s.get("hint", ""),
                                   int(s["limit"]) if "limit" in s else None)
                       for s in d["sections"]),
        form=Form(
            title=check_placeholders(form["title"]), unit_label=form["unit_label"],
            title_pt=float(form["title_pt"]), unit_pt=float(form["unit_pt"]),
            text_pt=float(form["text_pt"]), indicator_heading=form["indicator_heading"],
            total_label=form["total_label"], columns=_columns(form["columns"]),
        ),
        report=ReportDoc(
            title=check_placeholders(report["title"]), title_pt=float(report["title_pt"]),
            body_pt=float(report["body_pt"]), line_pt=float(report["line_pt"]),
            table_pt=float(report["table_pt"]), attachment_label=report["attachment_label"],
            attachment_title=report["attachment_title"], total_label=report["total_label"],
            grade_label=report["grade_label"], columns=_columns(report["columns"]),
            demote_headings=bool(report.get("demote_headings", True)),
        ),
    )
