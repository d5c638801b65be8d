"""Layouts: what a form looks like, as data (perfdoc/sources/layouts/*.toml).

One language for every form. A layout names its page, fonts and grade bands, the
form's title lines, and then a list of blocks, top to bottom, each of a kind that one
writer prints for every layout: `sections` (a title row and a text row per section),
`header`, `budget`, `goals`, `indicators`, `text` and `signature`. A department
layout (`kind = "department"`, the default) has a `[report]` too: the 评价报告 and its
scoring table. Another province's form is another file, not a change to the code.

Layout files arrive in pull requests, so they are read strictly: every key has a
type and a range, and an unknown key or block is an error that names the file, the
key and what is allowed (LayoutError, reported as PD003) — never ignored.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from perfdoc.files import SourceError, read_source

LAYOUT_DIR = Path(__file__).parent / "layouts"
DEFAULT_LAYOUT = "jiangsu-2020"
DEFAULT_PROJECT_LAYOUT = "central-project-2020"
KINDS = ("department", "project")

# Fields a column or cell may print (see the layout files for their meaning).
INDICATOR_FIELDS = ("level1", "level2", "level3", "target", "actual", "weight", "score",
                    "note", "owner", "nature", "target_value", "unit", "actual_value",
                    "index", "text", "coefficient", "adjusted")
# direct: 得分 typed; coefficient: 得分 = 分值 × 得分系数 ÷ 100; proportional: typed, and a
# score above the proportional rule (实际 ÷ 目标 × 分值) is an error, not a warning.
SCORING = ("direct", "coefficient", "proportional")
HEADER_FIELDS = ("name", "department", "implementer", "code", "unit", "year")
# The amounts of a source in the common model (DESIGN §3): a layout prints some of them
# and may name its own (Sichuan's 调整后预算数), but accepts all of these.
FUND_AMOUNTS = ("年初预算数", "全年预算数", "全年执行数")
BUDGET_FIELDS = ("amount", "weight", "rate", "score", "reason")
PLACEHOLDERS = ("year", "unit")  # what a layout's titles may name

B = TypeVar("B")


class LayoutError(Exception):
    """A layout file that cannot be used; the message is for the user."""


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class Page:
    """The paper and its margins (GB/T 9704: A4, 37 mm top, 28 mm left)."""

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
    """The font of each role: body text, title, 黑体 and 楷体 headings, Latin text, page numbers."""

    body: str
    title: str
    heiti: str
    kaiti: str
    latin: str
    page_number: str


@dataclass(frozen=True)
class Grade:
    """A band of the total score: its name (优, 良 …) and the least total it takes."""

    name: str
    min: Decimal


# What a section is for, whatever a layout calls it: the rules read roles (PD313 reads
# problems and suggestions), never section keys.
ROLES = ("overview", "evaluation", "achievements", "problems", "suggestions", "goals",
         "results", "conclusion", "other")


def default_role(key: str) -> str:
    return key if key in ROLES else "other"


@dataclass(frozen=True)
class SectionSpec:
    """A narrative section a layout prints: its key in content/*.md, title and hint."""

    key: str
    title: str
    hint: str
    limit: int | None = None  # printed characters (a form's "（300字以内）")
    role: str = "other"
    required: bool = True  # PD206 when no content/*.md has it


@dataclass(frozen=True)
class Column:
    """A column of an indicator table: the CSV field it prints, its head and width."""

    field: str
    header: str
    width: float
    when_present: bool = False

    @property
    def level(self) -> int | None:
        """0, 1, 2 for the level columns (level1…level3), None for the others."""
        return int(self.field[5:]) - 1 if self.field.startswith("level") else None


@dataclass(frozen=True)
class FormSpec:
    """The form's title lines and type."""

    title: str
    title_pt: float
    title_after_pt: float | None  # space below the title
    subtitle: str  # "（{year}年度）", "填报单位：{unit}"; empty: none
    subtitle_pt: float
    subtitle_align: str  # "center" | "left"
    text_pt: float
    label_width: float  # the narrow column that names a block (项目资金, 绩效指标)

    @property
    def unit_label(self) -> str:
        """The words before `{unit}` in the subtitle ("填报单位："), for import."""
        return self.subtitle.split("{unit}")[0] if "{unit}" in self.subtitle else ""


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


@dataclass(frozen=True)
class SectionsBlock:
    """A title row (title and hint) and a text row per section, across the page."""

    sections: tuple[SectionSpec, ...]


@dataclass(frozen=True)
class HeaderCell:
    """A cell of a form's header rows: a printed label or a field of the facts."""

    width: float
    label: str | None = None  # printed as is, in the heading font
    field: str | None = None  # one of HEADER_FIELDS


@dataclass(frozen=True)
class HeaderBlock:
    """The rows above a form's tables (单位名称, 联系人 …), cell by cell."""

    rows: tuple[tuple[HeaderCell, ...], ...]


@dataclass(frozen=True)
class BudgetColumn:
    """A column of the funds table: an amount, the 执行率, its score or a label."""

    field: str  # one of BUDGET_FIELDS
    header: str
    width: float
    key: str = ""  # for amounts: which of the block's `amounts`


@dataclass(frozen=True)
class BudgetBlock:
    """The funds table: its sources (rows), amounts (columns) and the 执行率 score."""

    label: str
    row_label_width: float
    amounts: tuple[str, ...]  # the keys under each source in funds
    budget: str  # the amount 执行率 divides by
    spent: str  # the amount executed
    weight: Decimal
    total_label: str
    sources: tuple[tuple[str, str], ...]  # (key in funds, printed label)
    columns: tuple[BudgetColumn, ...]
    low_rate: str  # "error" | "warning": 执行率 < 90 % without a reason
    reason_limit: int | None  # characters of execution_reason
    # Groupings of the sources (按收入性质分, 按支出性质分): 年度资金总额 is the first
    # grouping's sum, and every grouping must add up to the same totals. None: one list.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def counted(self) -> tuple[str, ...]:
        """The sources 年度资金总额 adds up."""
        return self.groups[0][1] if self.groups else tuple(key for key, _ in self.sources)


@dataclass(frozen=True)
class Part:
    """A narrative part of project.md (`## 预期目标`), or of a department (a section)."""

    key: str
    header: str
    width: float = 1
    limit: int | None = None  # printed characters
    role: str = "other"


@dataclass(frozen=True)
class GoalsBlock:
    """The goals rows of a form: a label down the left and the parts beside it."""

    label: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class IndicatorBlock:
    """The indicator table of a form: its columns, total row and scoring model."""

    label: str | None  # a block label down the left edge (project forms)
    heading: str | None  # a title row above the column heads (the Jiangsu form)
    total_label: str
    columns: tuple[Column, ...]
    # Columns the CSV has and the form does not print (说明, the reason for a deduction,
    # where the form has no reason column): still read, checked and shown in scores.xlsx.
    unprinted: tuple[Column, ...] = ()
    scoring: str = "direct"  # or "coefficient": 得分 = 分值 × 得分系数 ÷ 100
    # Fixed weights of groups: ((level names from the first), weight), e.g. 部门决策 25.
    weights: tuple[tuple[tuple[str, ...], Decimal], ...] = ()


@dataclass(frozen=True)
class CsvSchema:
    """An indicator CSV's columns by role: the header a writer types for each, which is
    the header the form prints (users type what they see). Rules read roles, never
    column names."""

    levels: tuple[str, ...]  # level1, level2, level3 headers, in order
    optional_levels: int  # how many trailing levels may be absent (三级指标 when present)
    weight: str
    score: str
    note: str  # the reason for a deduction
    target: str | None = None  # 年度指标值
    actual: str | None = None  # 实际完成值
    owner: str = "责任处室"  # optional everywhere: who scores the row
    texts: tuple[str, ...] = ()  # free columns, printed as typed (评分标准, 计量单位 …)
    coefficient: str | None = None  # 得分系数(%), with the coefficient model
    scoring: str = "direct"  # one of SCORING
    adjusted: str | None = None  # 调整指标值: the target a row is judged against when filled

    @property
    def required(self) -> tuple[str, ...]:
        roles = (self.target, self.adjusted, self.actual, *self.texts, self.coefficient,
                 self.weight, self.score, self.note)
        return (*self.levels[:len(self.levels) - self.optional_levels],
                *(r for r in roles if r is not None))

    @property
    def optional(self) -> tuple[str, ...]:
        return (*self.levels[len(self.levels) - self.optional_levels:], self.owner)


# Project CSVs keep one vocabulary whatever their layout prints (the Sichuan form prints
# the target split into 指标性质 · 指标值 · 度量单位, read from 年度指标值).
PROJECT_CSV = CsvSchema(("一级指标", "二级指标", "三级指标"), 0, "分值", "得分",
                        "偏差原因分析及改进措施", target="年度指标值", actual="实际完成值")


@dataclass(frozen=True)
class TextBlock:
    """Rows of narrative parts, each printed from a section or a project.md part."""

    label_width: float
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class SignatureBlock:
    """The signature row at the foot of a form (项目负责人, 财务负责人 …)."""

    cells: tuple[str, ...]


Block = (SectionsBlock | HeaderBlock | BudgetBlock | GoalsBlock | IndicatorBlock | TextBlock
         | SignatureBlock)


def grade_of(grades: tuple[Grade, ...], total: Decimal) -> str:
    """The band a total falls in (bands listed highest first)."""
    for band in grades:
        if total >= band.min:
            return band.name
    return grades[-1].name


@dataclass(frozen=True)
class Layout:
    """A form's layout, read from its TOML file: page, fonts, grades and blocks."""

    name: str
    kind: str  # department | project
    description: str
    page: Page
    fonts: Fonts
    total: Decimal
    grades: tuple[Grade, ...]  # highest band first
    form: FormSpec
    blocks: tuple[Block, ...]
    report: ReportDoc | None = None  # department layouts

    def grade(self, total: Decimal) -> str:
        return grade_of(self.grades, total)

    def block(self, kind: type[B]) -> B | None:
        return next((b for b in self.blocks if isinstance(b, kind)), None)

    @cached_property  # read per section file and by several rules: derived once
    def sections(self) -> tuple[SectionSpec, ...]:
        """A department's narrative sections (content/*.md), in printed order: those of the
        sections block, and the parts of its goals and text blocks (`section: goals`)."""
        if self.kind != "department":
            return ()
        out: list[SectionSpec] = []
        for b in self.blocks:
            if isinstance(b, SectionsBlock):
                out += b.sections
            elif isinstance(b, (GoalsBlock, TextBlock)):
                out += [SectionSpec(p.key, p.header, "", p.limit, p.role) for p in b.parts]
        return tuple(out)

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every narrative part of project.md the layout prints, in order."""
        return tuple(p for b in self.blocks if isinstance(b, (GoalsBlock, TextBlock))
                     for p in b.parts)

    @property
    def budget(self) -> BudgetBlock | None:
        return self.block(BudgetBlock)

    @property
    def indicators(self) -> IndicatorBlock:
        found = self.block(IndicatorBlock)
        assert found is not None  # every layout has one (checked when read)
        return found

    @cached_property
    def csv_schema(self) -> CsvSchema:
        """The indicator CSV's columns: for a department, the headers its form and report
        print (and its unprinted columns); projects keep PROJECT_CSV."""
        if self.kind == "project":
            return PROJECT_CSV
        columns = [*self.indicators.columns, *self.indicators.unprinted,
                   *(self.report.columns if self.report else ())]
        header: dict[str, str] = {}
        optional: set[str] = set()
        for c in columns:
            header.setdefault(c.field, c.header)
            if c.when_present:
                optional.add(c.field)
        levels = [f for f in ("level1", "level2", "level3") if f in header]
        texts = tuple(dict.fromkeys(c.header for c in columns if c.field == "text"))
        return CsvSchema(tuple(header[f] for f in levels),
                         sum(1 for f in levels if f in optional), header["weight"],
                         header["score"], header["note"], header.get("target"),
                         header.get("actual"), header.get("owner", "责任处室"), texts,
                         header.get("coefficient"), self.indicators.scoring,
                         header.get("adjusted"))

    @property
    def the_report(self) -> ReportDoc:
        """The 评价报告 of a department layout."""
        assert self.report is not None  # department layouts have one (checked when read)
        return self.report


def columns_for(columns: tuple[Column, ...], depth: int) -> tuple[Column, ...]:
    """The printed columns for data with `depth` indicator levels."""
    return tuple(c for c in columns
                 if not (c.when_present and c.level is not None) or c.level < depth)


def label_span(columns: Sequence[Column]) -> int:
    """How many leading columns the 合计 label spans: the level columns and 序号 (at
    least one)."""
    span = 0
    while span < len(columns) and (columns[span].level is not None
                                   or columns[span].field == "index"):
        span += 1
    return max(span, 1)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill(pattern: str, **names: object) -> str:
    """A layout title with its documented names put in: `{year}`, `{unit}`. Never
    str.format, whose width and index syntax would let a layout ask for a gigabyte."""
    return _PLACEHOLDER.sub(lambda m: str(names[m.group(1)]) if m.group(1) in names
                            else m.group(0), pattern)


# ---------------------------------------------------------------- reading


MAX_TOML_DEPTH = 32  # arrays and inline tables inside each other: a layout uses 3
# What can hold a bracket that is not one: strings (each of TOML's four kinds) and comments.
_TOML_TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                         r"|'[^'\n]*'|#[^\n]*|[\[\]{}]", re.S)


def _check_nesting(text: str, name: str) -> None:
    """tomllib recurses once per nested array or inline table: 100,000 of them exhaust
    Python's stack (RecursionError). Counted first, outside strings and comments."""
    depth = 0
    for match in _TOML_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_TOML_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise LayoutError(f"版式文件 {name} 第 {line} 行：数组或内联表嵌套超过 "
                                  f"{MAX_TOML_DEPTH} 层，版式不会用到这么深，不予读取")
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)


def read_layout(name_or_path: str, folder: Path | None = None,
                root: Path | None = None) -> tuple[str, str]:
    """A layout file's name and text: shipped by name, or a `.toml` path relative to
    `folder` (a project's own file, which must stay inside `root`, the repository)."""
    if name_or_path.endswith(".toml"):
        folder = folder or Path.cwd()
        base, path = root or folder, folder / name_or_path
    else:
        base, path = LAYOUT_DIR, LAYOUT_DIR / f"{name_or_path}.toml"
    if not os.path.lexists(path):
        shipped = "、".join(sorted(p.stem for p in LAYOUT_DIR.glob("*.toml")))
        raise LayoutError(f"找不到版式“{name_or_path}”（内置版式：{shipped}）")
    try:
        return path.name, read_source(base, path).decode("utf-8")
    except SourceError as exc:
        raise LayoutError(f"版式文件 {name_or_path} {exc}") from None
    except UnicodeDecodeError as exc:
        raise LayoutError(f"版式文件 {path.name} 无法解析：{exc}") from None


@lru_cache(maxsize=32)
def _parsed(file_name: str, text: str) -> Layout:
    """The layout a file's text holds, parsed once per process: a build reads the same
    project layout for each of its projects (a Layout is immutable, so it is shared)."""
    _check_nesting(text, file_name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"版式文件 {file_name} 无法解析：{exc}") from None
    return parse_layout(data, file_name)


def load_layout(name_or_path: str, root: Path | None = None, *,
                folder: Path | None = None, kind: str = "department") -> Layout:
    """A layout of `kind`: shipped by name, or the repository's own by a .toml path
    (relative to `folder`, by default the repository's root)."""
    layout = _parsed(*read_layout(name_or_path, folder or root, root))
    if layout.kind != kind:
        if kind == "department":
            raise LayoutError(f"版式“{name_or_path}”是项目支出自评表的版式，"
                              "不能用于部门整体自评（content/report.md）")
        raise LayoutError(f"版式“{name_or_path}”不是项目支出自评表的版式"
                          "（版式文件中应写 kind = \"project\"）")
    return layout


def parse_layout(data: dict, file_name: str) -> Layout:
    """The layout in `data` (a parsed TOML file named `file_name`), or LayoutError."""
    return _layout(_Table(data, file_name, ""))


# Characters a Word document cannot hold, and line breaks where a label has none.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# A grade's name: a short word (优, 良好, A), printed in forms and quoted in formulas.
_GRADE_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-")


def _grade_name(name: str) -> bool:
    # Compared, not matched: a class of 21,000 Han characters costs 1 ms to compile.
    return 1 <= len(name) <= 8 and all(c in _GRADE_LATIN or "\u4e00" <= c <= "\u9fff"
                                       for c in name)


_MISSING = object()


class _Table:
    """One TOML table of a layout, read strictly: each value has a type and a range,
    and `done()` refuses the keys nobody asked for."""

    def __init__(self, data: object, file_name: str, where: str):
        self.file_name, self.where = file_name, where
        if not isinstance(data, dict):
            raise self.error(None, f"应是一个表（键 = 值），实际为{_toml_type(data)}")
        self.data: dict = data
        self.asked: list[str] = []

    def error(self, key: str | None, message: str) -> LayoutError:
        at = ".".join(p for p in (self.where, key) if p) or "（文件顶层）"
        return LayoutError(f"版式文件 {self.file_name}：{at}：{message}")

    def _get(self, key: str, default: Any) -> Any:
        self.asked.append(key)
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise self.error(key, "缺少这一项")
            return default
        return value

    def text(self, key: str, default: Any = _MISSING, *, limit: int = 200,
             placeholders: tuple[str, ...] = (), newlines: bool = False) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str):
            raise self.error(key, f"应为文字，实际为{_toml_type(value)}")
        if len(value) > limit:
            raise self.error(key, f"文字有 {len(value)} 个字符，上限 {limit}")
        bad = _CONTROL.search(value) or (None if newlines else re.search("[\r\n\t]", value))
        if bad:
            raise self.error(key, f"含有控制字符 U+{ord(bad.group()):04X}")
        for name in _PLACEHOLDER.findall(value):
            if name not in placeholders:
                allowed = "、".join(f"{{{p}}}" for p in placeholders) or "无"
                raise self.error(key, f"“{{{name}}}”不是可用的名称（可用：{allowed}）")
        return value

    def number(self, key: str, default: Any = _MISSING, *, low: float,
               high: float) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(key, f"应为数字，实际为{_toml_type(value)}")
        if not low <= value <= high:  # NaN fails both
            raise self.error(key, f"应在 {low:g} 到 {high:g} 之间，实际为 {value!r}")
        return float(value)

    def optional_number(self, key: str, *, low: float, high: float) -> float | None:
        if key not in self.data:
            self.asked.append(key)
            return None
        return self.number(key, low=low, high=high)

    def integer(self, key: str, *, low: int, high: int) -> int | None:
        """An optional whole number."""
        value = self._get(key, None)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"应为整数，实际为{_toml_type(value)}")
        if not low <= value <= high:
            raise self.error(key, f"应在 {low} 到 {high} 之间，实际为 {value}")
        return value

    def decimal(self, key: str, default: Any = _MISSING, *, low: Decimal,
                high: Decimal) -> Decimal:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(key, f"应为数字（如 \"100\"），实际为{_toml_type(value)}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.error(key, f"“{str(value)[:40]}”不是数字") from None
        if not number.is_finite() or not low <= number <= high:
            raise self.error(key, f"应在 {low} 到 {high} 之间，实际为 {str(value)[:40]}")
        return number

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"应为 true 或 false，实际为{_toml_type(value)}")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if value not in allowed:
            raise self.error(key, f"“{str(value)[:40]}”不可用，应为：{'、'.join(allowed)}")
        return str(value)

    def texts(self, key: str, *, limit: int = 100, most: int = 50) -> tuple[str, ...]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list) or not value or len(value) > most:
            raise self.error(key, f"应为 1 到 {most} 项文字的列表")
        for n, item in enumerate(value):
            _Table({"x": item}, self.file_name, f"{self.where}.{key}[{n + 1}]").text(
                "x", limit=limit)
        return tuple(value)

    def table(self, key: str) -> _Table:
        return _Table(self._get(key, _MISSING), self.file_name, _join(self.where, key))

    def tables(self, key: str, *, most: int = 200, default: Any = _MISSING) -> list[_Table]:
        value = self._get(key, default)
        if not isinstance(value, list) or len(value) > most or (not value and default is _MISSING):
            raise self.error(key, f"应为 1 到 {most} 个表的列表（[[{key}]] 或 [{{…}}, …]）")
        return [_Table(item, self.file_name, f"{_join(self.where, key)}[{n + 1}]")
                for n, item in enumerate(value)]

    def done(self) -> None:
        unknown = [k for k in self.data if k not in self.asked]
        if unknown:
            raise self.error(unknown[0], "未知的键，可用的键："
                             + "、".join(dict.fromkeys(self.asked)))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _toml_type(value: object) -> str:
    names = {bool: "true/false", int: "整数", float: "数字", str: "文字", list: "列表",
             dict: "表"}
    return next((f"{name}" for t, name in names.items() if type(value) is t), "其他值")


# ---------------------------------------------------------------- the language


PT = {"low": 4.0, "high": 96.0}  # type sizes
WIDTH = {"low": 0.5, "high": 1000.0}  # a relative column width


def _layout(t: _Table) -> Layout:
    name = t.text("name", limit=80)
    kind = t.choice("kind", KINDS, "department")
    description = t.text("description", "", limit=500)
    page = _page(t.table("page"))
    fonts = _fonts(t.table("fonts"))
    scoring = t.table("scoring")
    total = scoring.decimal("total", low=Decimal(1), high=Decimal(1000))
    grades = _grades(scoring)
    scoring.done()
    form = _form(t.table("form"), kind)
    blocks = tuple(_block(b, kind) for b in t.tables("blocks", most=50))
    report = _report(t.table("report")) if kind == "department" else None
    t.done()
    counts = {k: sum(isinstance(b, k) for b in blocks) for k in (IndicatorBlock, BudgetBlock,
                                                                   SectionsBlock)}
    if counts[IndicatorBlock] != 1:
        raise t.error("blocks", "版式应有且只有一个 indicators 块")
    if counts[BudgetBlock] > 1:
        raise t.error("blocks", "版式最多有一个 budget 块")
    if counts[SectionsBlock] > 1:
        raise t.error("blocks", "版式最多有一个 sections 块")
    if kind == "department":
        indicators = next(b for b in blocks if isinstance(b, IndicatorBlock))
        declared = {c.field for c in (*indicators.columns, *indicators.unprinted,
                                      *(report.columns if report else ()))}
        for field, what in (("level1", "一级指标"), ("weight", "分值"), ("score", "得分"),
                            ("note", "扣分说明")):
            if field not in declared:
                raise t.error("blocks", f"指标表缺少 {field}（{what}）列：印出的列或 unprinted 中"
                              "至少要有一列")
    if kind == "project" and not next(b for b in blocks if isinstance(b, IndicatorBlock)).label:
        raise t.error("blocks", "项目支出自评表的 indicators 块要写 label（左侧的块名称，如“绩效指标”）")
    return Layout(name, kind, description, page, fonts, total, grades, form, blocks, report)


def _page(t: _Table) -> Page:
    sides = ("width_mm", "height_mm")
    page = Page(**{k: t.number(k, low=50 if k in sides else 0, high=1000)
                   for k in (*sides, "top_mm", "bottom_mm", "left_mm", "right_mm", "footer_mm")})
    t.done()
    if page.text_width_mm < 50 or page.height_mm - page.top_mm - page.bottom_mm < 50:
        raise t.error(None, "版心（纸张减去页边距）应至少 50 mm 宽、50 mm 高")
    if page.footer_mm > page.bottom_mm:
        raise t.error("footer_mm", "页脚距离不能大于下边距")
    return page


def _fonts(t: _Table) -> Fonts:
    fonts = Fonts(**{k: t.text(k, limit=60) for k in ("body", "title", "heiti", "kaiti",
                                                       "latin", "page_number")})
    t.done()
    return fonts


def _grades(scoring: _Table) -> tuple[Grade, ...]:
    grades = []
    for g in scoring.tables("grades", most=20):
        name = g.text("name", limit=8)
        if not _grade_name(name):
            raise g.error("name", f"等级名称“{name}”应是 1 到 8 个汉字、字母或数字")
        grades.append(Grade(name, g.decimal("min", low=Decimal(0), high=Decimal(1000))))
        g.done()
    if grades != sorted(grades, key=lambda g: g.min, reverse=True):
        raise scoring.error("grades", "等级应从最高一档写起（min 从大到小）")
    return tuple(grades)


def _form(t: _Table, kind: str) -> FormSpec:
    form = FormSpec(
        title=t.text("title", placeholders=PLACEHOLDERS),
        title_pt=t.number("title_pt", **PT),
        title_after_pt=t.optional_number("title_after_pt", low=0, high=200),
        subtitle=t.text("subtitle", "", placeholders=PLACEHOLDERS),
        subtitle_pt=t.number("subtitle_pt", 14, **PT),
        subtitle_align=t.choice("subtitle_align", ("center", "left"), "center"),
        text_pt=t.number("text_pt", **PT),
        label_width=t.number("label_width", 8, low=1, high=100),
    )
    t.done()
    return form


def _report(t: _Table) -> ReportDoc:
    report = ReportDoc(
        title=t.text("title", placeholders=PLACEHOLDERS, newlines=True),
        title_pt=t.number("title_pt", **PT), body_pt=t.number("body_pt", **PT),
        line_pt=t.number("line_pt", low=4, high=200), table_pt=t.number("table_pt", **PT),
        attachment_label=t.text("attachment_label", limit=40),
        attachment_title=t.text("attachment_title"),
        total_label=t.text("total_label", limit=40), grade_label=t.text("grade_label", limit=40),
        demote_headings=t.flag("demote_headings", True),
        columns=_columns(t, INDICATOR_FIELDS),
    )
    t.done()
    return report


def _columns(t: _Table, fields: tuple[str, ...], key: str = "columns",
             required: bool = True) -> tuple[Column, ...]:
    columns = []
    for c in t.tables(key, most=64, **({} if required else {"default": []})):
        columns.append(Column(c.choice("field", fields), c.text("header", limit=60),
                              c.number("width", **WIDTH), c.flag("when_present", False)))
        c.done()
    return tuple(columns)


def _part(t: _Table) -> Part:
    key = t.text("key", limit=40)
    part = Part(key, t.text("header", key, limit=60), t.number("width", 1, **WIDTH),
                t.integer("limit", low=1, high=100_000),
                t.choice("role", ROLES, default_role(key)))
    t.done()
    return part


def _members(g: _Table, keys: tuple[str, ...]) -> tuple[str, ...]:
    """A grouping's sources: a list of the budget block's source keys."""
    value = g._get("sources", _MISSING)
    if not isinstance(value, list) or not value or any(v not in keys for v in value):
        raise g.error("sources", "应为资金来源的列表，每项是 sources 中的 key：" + "、".join(keys))
    return tuple(value)


def _header_cell(t: _Table) -> HeaderCell:
    # Exactly one of the two: a cell with neither once crashed the build (KeyError).
    if ("label" in t.data) == ("field" in t.data):
        raise t.error(None, "每个格子写 label（文字）或 field（字段）其中之一")
    width = t.number("width", **WIDTH)
    t.asked += ["label", "field"]  # both are allowed, one at a time
    cell = (HeaderCell(width, label=t.text("label", limit=60)) if "label" in t.data
            else HeaderCell(width, field=t.choice("field", HEADER_FIELDS)))
    t.done()
    return cell


def _block(t: _Table, layout_kind: str) -> Block:
    kinds = ("header", "budget", "goals", "indicators", "text", "signature")
    kind = t.choice("kind", ("sections", *kinds) if layout_kind == "department" else kinds)
    block: Block
    if kind == "sections":
        specs = []
        for s in t.tables("sections", most=30):
            key = s.text("key", limit=40)
            specs.append(SectionSpec(key, s.text("title", limit=60),
                                     s.text("hint", "", limit=200),
                                     s.integer("limit", low=1, high=100_000),
                                     s.choice("role", ROLES, default_role(key)),
                                     s.flag("required", True)))
            s.done()
        block = SectionsBlock(tuple(specs))
    elif kind == "header":
        rows = t._get("rows", _MISSING)
        if not isinstance(rows, list) or not rows or len(rows) > 20 or \
                not all(isinstance(row, list) and 0 < len(row) <= 20 for row in rows):
            raise t.error("rows", "应为 1 到 20 行，每行是 1 到 20 个格子的列表")
        block = HeaderBlock(tuple(
            tuple(_header_cell(_Table(cell, t.file_name, f"{t.where}.rows[{n + 1}][{m + 1}]"))
                  for m, cell in enumerate(row))
            for n, row in enumerate(rows)))
    elif kind == "budget":
        amounts = t.texts("amounts", limit=20, most=10)
        columns = []
        for c in t.tables("columns", most=20):
            field = c.choice("field", BUDGET_FIELDS)
            columns.append(BudgetColumn(field, c.text("header", limit=60),
                                        c.number("width", **WIDTH),
                                        c.choice("key", amounts) if field == "amount" else ""))
            c.done()
        sources = []
        for s in t.tables("sources", most=20):
            key = s.text("key", limit=40)
            sources.append((key, s.text("label", key, limit=60)))
            s.done()
        keys = tuple(key for key, _ in sources)
        groups = []
        for g in t.tables("groups", most=5, default=[]):
            groups.append((g.text("label", limit=40), _members(g, keys)))
            g.done()
        grouped = [key for _, members in groups for key in members]
        if len(grouped) != len(set(grouped)):
            raise t.error("groups", "同一资金来源只能属于一个分组")
        block = BudgetBlock(
            t.text("label", limit=60), t.number("row_label_width", **WIDTH), amounts,
            t.choice("budget", amounts), t.choice("spent", amounts),
            t.decimal("weight", low=Decimal(0), high=Decimal(1000)),
            t.text("total_label", limit=40), tuple(sources), tuple(columns),
            t.choice("low_rate", ("error", "warning"), "warning"),
            t.integer("reason_limit", low=1, high=100_000), tuple(groups))
    elif kind == "goals":
        block = GoalsBlock(t.text("label", limit=60),
                           tuple(_part(p) for p in t.tables("parts", most=10)))
    elif kind == "indicators":
        printed = _columns(t, INDICATOR_FIELDS)
        unprinted = _columns(t, INDICATOR_FIELDS, "unprinted", required=False)
        scoring = t.choice("scoring", SCORING, "direct")
        if scoring == "coefficient" and not any(c.field == "coefficient"
                                                for c in (*printed, *unprinted)):
            raise t.error("scoring", "系数法（coefficient）需要一列 field = \"coefficient\"（得分系数）")
        weights = []
        for w in t.tables("weights", most=100, default=[]):
            group = w.texts("group", limit=60, most=3)
            weights.append((group, w.decimal("weight", low=Decimal(0), high=Decimal(1000))))
            w.done()
        block = IndicatorBlock(t.text("label", None, limit=60), t.text("heading", None, limit=60),
                               t.text("total_label", limit=40), printed, unprinted, scoring,
                               tuple(weights))
    elif kind == "text":
        block = TextBlock(t.number("label_width", **WIDTH),
                          tuple(_part(p) for p in t.tables("parts", most=20)))
    else:
        block = SignatureBlock(t.texts("cells", limit=40, most=10))
    t.done()
    return block
