"""Read a project's content/ and indicators/ into the typed model.

The loader never raises on bad input: every problem becomes a diagnostic with
file, line and field, and the rows or files that could be read still are, so
one run reports everything.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import os
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from perfdoc.diagnostics import CODES, Diagnostics, shown
from perfdoc.files import (
    MAX_CSV_ROWS,
    MAX_MARKDOWN_BYTES,
    MAX_SOURCE_BYTES,
    SourceError,
    read_source,
)
from perfdoc.sources.layout import (
    DEFAULT_LAYOUT,
    FUND_AMOUNTS,
    CsvSchema,
    Layout,
    LayoutError,
    load_layout,
)
from perfdoc.sources.model import (
    CENT,
    Facts,
    Funds,
    Indicator,
    Report,
    Section,
    amount,
    decimal_text,
)
from perfdoc.sources.money import WAN, YUAN, Money

FACTS_FILE = "report.md"


NUMBER = re.compile(r"[0-9]{1,15}(\.[0-9]{1,10})?")  # ASCII only: "３" and "3分" are errors


# Characters XML (and so Word) cannot hold: a file containing them is damaged.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:", re.M)


# libyaml's parser where PyYAML has it (its wheels do): three times faster than PyYAML's
# own, which a build would spend on every section's frontmatter.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built from source without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _DecimalLoader(_SafeLoader):
    """YAML with decimals, not floats: 1611200.00 stays exactly that."""


def _refuse_aliases(text: str) -> None:
    """Aliases (*name) are refused, where they are written: nested ones expand
    exponentially ("billion laughs"), and no report needs them."""
    if "*" not in text:
        return
    for event in yaml.parse(text, Loader=_DecimalLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "不支持 YAML 别名（*名称）：请直接写出值",
                event.start_mark)  # type: ignore[arg-type]  # libyaml's Mark has the same fields


def _decimal(loader: yaml.SafeLoader, node: Any) -> Decimal | str:
    raw = loader.construct_scalar(node)
    try:
        return Decimal(raw.replace("_", ""))
    except InvalidOperation:  # .inf, .nan, 1:20.5 — left as text, reported as not a number
        return raw


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def read_text(path: Path, root: Path, diags: Diagnostics, code: str,
              limit: int = MAX_SOURCE_BYTES) -> str | None:
    """UTF-8 (with or without BOM); GB18030, as Excel and WPS write it, with a warning."""
    try:
        data = read_source(root, path, limit)
    except SourceError as exc:
        diags.error(exc.code, rel(root, path), str(exc))
        return None
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
            text = data.decode("utf-16")
            diags.warning(code, rel(root, path), "文件编码是 UTF-16，已按此读取；建议另存为 UTF-8")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            diags.error(code, rel(root, path), "文件既不是 UTF-8 也不是 GB18030 编码的文本，"
                        "请用文本编辑器另存为 UTF-8")
            return None
        diags.warning(code, rel(root, path), "文件编码是 GB18030/GBK，已按此读取；"
                      "建议另存为 UTF-8（Excel：“CSV UTF-8（逗号分隔）”）")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _NOT_XML.search(text)
    if bad:
        diags.error("PD004", rel(root, path), f"含有不可见的控制字符 U+{ord(bad.group()):04X}，"
                    "Word 无法保存；文件可能已损坏，请删除该字符",
                    line=text.count("\n", 0, bad.start()) + 1)
        return None
    return text


@dataclass
class Frontmatter:
    meta: dict
    body: str
    body_line: int
    lines: dict[str, int]  # top-level key -> file line, for diagnostics
    source: list[str] = field(default_factory=list)  # the file's lines

    def line_of(self, *keys: str) -> int | None:
        """The file line of a nested key (funds → 当年财政拨款 → 全年执行数), found by
        reading on from its parent's line; the nearest known line when not found."""
        line = self.lines.get(keys[0])
        if line is None:
            return None
        for key in keys[1:]:
            pattern = re.compile(rf"(^|[\s{{,]){re.escape(str(key))}\s*:")
            found = next((n for n in range(line, len(self.source) + 1)
                          if pattern.search(self.source[n - 1])), None)
            if found is None:
                return line
            line = found
        return line


def split_frontmatter(text: str, where: str, diags: Diagnostics) -> Frontmatter | None:
    """Frontmatter as data, the body, and the file line the body starts on."""
    boundary = frontmatter.YAMLHandler.FM_BOUNDARY
    first = boundary.match(text)
    second = boundary.search(text, first.end()) if first else None
    if not first or not second:
        diags.error("PD203", where, "文件开头缺少 frontmatter（第一行应为 ---，"
                    "随后是 section、title 等字段，再以 --- 结束）", line=1)
        return None
    fm_line = text.count("\n", 0, first.end()) + 1
    fm_text = text[first.end():second.start()]
    try:
        _refuse_aliases(fm_text)
        meta = frontmatter.YAMLHandler().load(fm_text, Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = fm_line + mark.line if mark else fm_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        diags.error("PD202", where, f"frontmatter 的 YAML 写法有误：{problem}", line=line)
        return None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a date 2020-13-45
        diags.error("PD202", where, f"frontmatter 中有无法识别的值：{exc}", line=fm_line)
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        diags.error("PD203", where, "frontmatter 应是“字段: 值”的列表", line=fm_line)
        return None
    lines: dict[str, int] = {}
    for m in _TOP_KEY.finditer(fm_text):
        lines.setdefault(m.group(1), fm_line + fm_text.count("\n", 0, m.start()))
    # The body starts on the line after the closing --- (whose own line end the
    # boundary pattern may or may not have taken).
    body = text[second.end():]
    body = body[1:] if body.startswith("\n") else body
    return Frontmatter(meta, body, text.count("\n", 0, second.start()) + 2, lines,
                        text[:second.start()].split("\n"))


def text_field(fm: Frontmatter, key: str, where: str, diags: Diagnostics,
               required: bool, code: str = "PD203") -> str | None:
    value = fm.meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            diags.error(code, where, f"frontmatter 缺少必填字段 {key}",
                        line=fm.lines.get(key), field=key)
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        diags.error(code, where, f"字段 {key} 应为文字，实际为“{shown(value)}”",
                    line=fm.lines.get(key), field=key)
        return None
    return str(value).strip()


# ---------------------------------------------------------------- funds


def read_funds(fm: Frontmatter, layout: Layout, where: str, diags: Diagnostics, code: str,
               what: str) -> Funds | None:
    """funds: {source: {amount: 万元}} for the layout's budget block (a project's
    project.md or the department's report.md, the same shape). Every amount the layout
    prints must be written; the others of the common shape (年初预算数, 全年预算数,
    全年执行数) are kept though this layout does not print them. {} when the layout has
    no budget block."""
    block = layout.budget
    raw = fm.meta.get("funds")
    if block is None:
        return {}
    sources = [key for key, _ in block.sources]
    accepted = block.amounts + tuple(a for a in FUND_AMOUNTS if a not in block.amounts)
    example = f"{sources[0]}: {{{', '.join(f'{a}: 0' for a in block.amounts)}}}"
    if not isinstance(raw, dict) or not raw:
        diags.error(code, where, f"frontmatter 缺少 funds（{what}，万元），例如：{example}",
                    line=fm.lines.get("funds") or 1, field="funds")
        return None
    funds: Funds = {}
    ok = True
    # Each amount's line joins the frontmatter's line map, which becomes project.lines:
    # the checks of spent against budget cite it.
    lines = fm.lines
    for source, amounts in raw.items():
        source = str(source)
        line = fm.line_of("funds", source)
        if source not in sources:
            diags.error(code, where, f"未知的资金来源“{source}”，版式 {layout.name} 中为："
                        + "、".join(sources), line=line, field=f"funds.{source}")
            ok = False
            continue
        if not isinstance(amounts, dict):
            diags.error(code, where, f"funds.{source} 应写作 {{{', '.join(block.amounts)}}}"
                        "各项金额", line=line, field=f"funds.{source}")
            ok = False
            continue
        funds[source] = {}
        for key in amounts:
            if key not in accepted:
                diags.error(code, where, f"funds.{source} 中未知的金额“{key}”，应为："
                            + "、".join(accepted), line=fm.line_of("funds", source, key),
                            field=f"funds.{source}.{key}")
                ok = False
        for key in accepted:
            value = amounts.get(key)
            at = fm.line_of("funds", source, key)
            if key not in amounts and key not in block.amounts:
                continue  # an amount this layout does not print may be left out
            if at is not None:
                lines[f"funds.{source}.{key}"] = at
            if value is None or value == "":
                diags.error(code, where, f"funds.{source}.{key} 未填写（万元，没有写 0）",
                            line=at, field=f"funds.{source}.{key}")
                ok = False
            elif (money := amount(value)) is None:
                diags.error(code, where, f"funds.{source}.{key} 应为非负数字（万元），"
                            f"实际为“{shown(value)}”", line=at, field=f"funds.{source}.{key}")
                ok = False
            else:
                funds[source][key] = Money(money, WAN)
    return funds if ok else None


def read_signatures(fm: Frontmatter, where: str, diags: Diagnostics,
                    code: str) -> dict[str, str] | None:
    raw = fm.meta.get("signatures") or {}
    if not isinstance(raw, dict):
        diags.error(code, where, "signatures 应写作“项目负责人: 姓名”的列表",
                    line=fm.lines.get("signatures"), field="signatures")
        return None
    return {str(k): str(v) for k, v in raw.items() if v is not None}


# ---------------------------------------------------------------- facts


def load_facts(root: Path, diags: Diagnostics) -> tuple[Facts | None, Frontmatter] | None:
    """The facts and their frontmatter; the facts None when they have errors (the
    frontmatter still names the layout, whose rules then read the rest)."""
    path = root / "content" / FACTS_FILE
    where = rel(root, path)
    if not os.path.lexists(path):
        diags.error("PD101", where, "缺少报告信息文件：年度、填报单位等写在 content/report.md "
                    "的 frontmatter 中")
        return None
    text = read_text(path, root, diags, "PD201", MAX_MARKDOWN_BYTES)
    fm = split_frontmatter(text, where, diags) if text is not None else None
    if fm is None:
        return None
    meta = fm.meta
    ok = True
    year = meta.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999:
        diags.error("PD102", where, f"year 应为四位年份，实际为“{shown(year)}”",
                    line=fm.lines.get("year"), field="year")
        ok = False
    unit = text_field(fm, "unit", where, diags, required=True)
    title = text_field(fm, "title", where, diags, required=False)
    layout = text_field(fm, "layout", where, diags, required=False) or DEFAULT_LAYOUT
    finance: dict[str, Money] = {}
    raw_finance = meta.get("finance") or {}
    if not isinstance(raw_finance, dict):
        diags.error("PD102", where, "finance 应为“名称: 金额”的列表",
                    line=fm.lines.get("finance"), field="finance")
        raw_finance = {}
    for key, value in raw_finance.items():
        money = amount(value)
        if money is None:
            diags.error("PD102", where, f"finance.{key} 应为非负数字（元），"
                        f"实际为“{shown(value)}”", line=fm.lines.get("finance"),
                        field=f"finance.{key}")
            ok = False
        else:
            finance[str(key)] = Money(money, YUAN)
    grade = text_field(fm, "grade", where, diags, required=False)
    reason = text_field(fm, "execution_reason", where, diags, required=False) or ""
    signed = meta.get("date")
    if signed is not None and not isinstance(signed, datetime.date):
        diags.error("PD102", where, f"date（成文日期）应写作 2021-03-15，实际为“{shown(signed)}”",
                    line=fm.lines.get("date"), field="date")
        ok = False
    if finance.get("budget") == 0:
        diags.error("PD102", where, "finance.budget（预算数）为 0，无法计算预算执行率",
                    line=fm.lines.get("finance"), field="finance.budget")
        ok = False
    lint = meta.get("lint") or {}
    if not isinstance(lint, dict) or any(
            str(k) not in CODES or str(v).lower() not in ("off", "warning", "error", "false")
            for k, v in lint.items()):
        diags.error("PD102", where, "lint 应写作“代码: off、warning 或 error”的列表，"
                    "如 lint: {PD418: off}；代码见 README", line=fm.lines.get("lint"),
                    field="lint")
        ok = False
    if not ok or unit is None or not isinstance(year, int):
        return None, fm
    known = {"year", "unit", "title", "layout", "finance", "grade", "execution_reason",
             "date", "lint", "funds", "signatures"}
    extra = {k: v for k, v in meta.items() if k not in known}
    # YAML reads a bare off as false
    settings = {str(k): "off" if v is False or str(v).lower() in ("off", "false") else str(v)
                for k, v in lint.items()}
    return Facts(year=year, unit=unit, title=title, layout=layout, finance=finance,
                 grade=grade, execution_reason=reason, date=signed, extra=extra, lint=settings,
                 path=where, lines=fm.lines), fm


# ---------------------------------------------------------------- sections


def load_sections(root: Path, layout: Layout, diags: Diagnostics) -> dict[str, Section]:
    found: dict[str, Section] = {}
    unreadable = False  # a file we could not place: "section missing" would be a cascade
    for path in sorted((root / "content").glob("*.md")):
        if path.name == FACTS_FILE:
            continue
        where = rel(root, path)
        text = read_text(path, root, diags, "PD201", MAX_MARKDOWN_BYTES)
        fm = split_frontmatter(text, where, diags) if text is not None else None
        if fm is None:
            unreadable = True
            continue
        key = text_field(fm, "section", where, diags, required=True)
        title = text_field(fm, "title", where, diags, required=True)
        hint = text_field(fm, "hint", where, diags, required=False) or ""
        if key is not None and key not in layout.section_keys:
            diags.error("PD204", where, f"section 取值“{key}”不在版式中，应为："
                        + "、".join(layout.section_keys), line=fm.lines.get("section"),
                        field="section")
        if key is None or title is None or key not in layout.section_keys:
            unreadable = True
            continue
        if key in found:
            diags.error("PD205", where, f"部分“{key}”已在 {found[key].path} 中写过",
                        line=fm.lines.get("section"), field="section")
            continue
        if not fm.body.strip():
            diags.error("PD207", where, "正文为空；没有内容请明确写“无”", line=fm.body_line)
        found[key] = Section(key, title, hint, fm.body, where, fm.body_line, fm.lines)
    for spec in layout.sections:
        if spec.required and spec.key not in found and not unreadable:
            diags.error("PD206", "content", f"缺少“{spec.title}”部分：请新建 content/*.md，"
                        f"frontmatter 写 section: {spec.key}")
    return {k: found[k] for k in layout.section_keys if k in found}


# ---------------------------------------------------------------- indicators


@dataclass
class _Table:
    indicators: list[Indicator]
    depth: int
    complete: bool  # every row parsed; sums are meaningful
    owners: dict[tuple[str, int], str] = field(default_factory=dict)  # even broken rows


def load_indicators(root: Path, schema: CsvSchema, diags: Diagnostics) -> _Table:
    files = sorted((root / "indicators").glob("*.csv"))
    if not files:
        diags.error("PD301", "indicators", "indicators/ 中没有 CSV 文件")
        return _Table([], 2, False)
    return load_indicator_files(root, files, schema, diags)


def load_indicator_files(root: Path, files: list[Path], schema: CsvSchema,
                         diags: Diagnostics) -> _Table:
    """Indicator CSVs read in order as one table: levels agree, no duplicates."""
    out: list[Indicator] = []
    depths: dict[int, str] = {}
    owners: dict[tuple[str, int], str] = {}
    complete = True
    for path in files:
        table = _load_csv(root, path, schema, diags)
        out.extend(table.indicators)
        owners.update(table.owners)
        complete &= table.complete
        if table.indicators:
            depths.setdefault(table.depth, rel(root, path))
    if len(depths) > 1:
        diags.error("PD314", rel(root, files[0].parent), "各文件的指标层级数不一致："
                    + "；".join(f"{p} 为 {d} 级" for d, p in sorted(depths.items())))
        complete = False
    seen: dict[tuple[str, ...], Indicator] = {}
    for ind in out:
        if ind.levels in seen:
            first = seen[ind.levels]
            diags.error("PD311", ind.path, f"指标“{ind.label}”重复，"
                        f"已在 {first.path} 第 {first.line} 行出现", line=ind.line)
            complete = False
        else:
            seen[ind.levels] = ind
    return _Table(out, max(depths, default=2), complete, owners)


_CSV_ERRORS = {
    "unexpected end of data": "这一行开始的英文双引号没有配对，直到文件末尾都没有结束",
    "',' expected after '\"'": "英文双引号括起的单元格后面应紧跟逗号",
}


def _load_csv(root: Path, path: Path, schema: CsvSchema, diags: Diagnostics) -> _Table:
    where = rel(root, path)
    text = read_text(path, root, diags, "PD302")
    if text is None:
        return _Table([], 2, False)
    reader = csv.reader(io.StringIO(text), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1  # the line the current row starts on (a quoted cell may span lines)
    try:
        for cells in reader:
            if len(rows) > MAX_CSV_ROWS:  # the header and MAX_CSV_ROWS indicators
                diags.error("PD006", where, f"指标超过 {MAX_CSV_ROWS} 行，不会读取；"
                            "真实的报告远少于此，请检查文件", line=start)
                return _Table([], 2, False)
            rows.append((start, [c.strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        why = _CSV_ERRORS.get(str(exc), str(exc))
        diags.error("PD315", where, f"CSV 格式错误：{why}", line=start)
        return _Table([], 2, False)
    rows = [(n, cells) for n, cells in rows if any(cells)]  # Excel leaves ",,,," rows
    if len(rows) < 2:
        diags.error("PD303", where, "文件为空或只有表头，没有指标行", line=1)
        return _Table([], 2, False)

    header_line, header = rows[0]
    missing = [c for c in schema.required if c not in header]
    if missing:
        diags.error("PD304", where, f"缺少列：{'、'.join(missing)}；"
                    f"表头实际为：{'、'.join(h or '（空）' for h in header)}", line=header_line)
        return _Table([], 2, False)
    known = schema.required + schema.optional
    for name in header:
        if name not in known:
            diags.warning("PD305", where, f"未知的列“{name}”，不会被使用", line=header_line,
                          field=name or None)
    col = {name: i for i, name in reversed(list(enumerate(header)))}
    level_names = [c for c in schema.levels if c in col]
    depth = len(level_names)

    out: list[Indicator] = []
    owners: dict[tuple[str, int], str] = {}
    complete = True
    previous: list[str] = []
    orphans_reported = False
    for line, cells in rows[1:]:
        at = col.get(schema.owner)
        if at is not None and at < len(cells) and cells[at]:
            owners[(where, line)] = cells[at]
        if len(cells) != len(header):
            diags.error("PD306", where, f"这一行有 {len(cells)} 个单元格，表头有 "
                        f"{len(header)} 列（说明中含逗号时请用英文双引号括起来）", line=line)
            complete = False
            continue  # the rows below still inherit from the last good row
        filled, unnamed = _fill_levels([cells[col[c]] for c in level_names], previous,
                                       level_names)
        levels: list[str] | None = filled
        if unnamed is not None:
            # Rows inheriting from a nameless first row are one mistake: say it once.
            if previous or not orphans_reported:
                diags.error("PD307", where, unnamed, line=line, field=level_names[len(filled)])
            orphans_reported = orphans_reported or not previous
            levels = None
        weight = _number(cells[col[schema.weight]], schema.weight, where, line, diags)
        coefficient = None
        if schema.coefficient is not None:
            coefficient = _number(cells[col[schema.coefficient]], schema.coefficient, where,
                                  line, diags, score=True)
        typed = cells[col[schema.score]]
        if schema.scoring == "coefficient" and coefficient is not None and weight is not None:
            score = (weight * coefficient / 100).quantize(CENT, ROUND_HALF_UP)
            if typed and NUMBER.fullmatch(typed) and Decimal(typed) != score:
                diags.error("PD317", where, f"{schema.score} {typed} 与{schema.weight} × "
                            f"{schema.coefficient} ÷ 100 = {decimal_text(score)} 不符；"
                            "留空由程序计算", line=line, field=schema.score)
            elif typed and not NUMBER.fullmatch(typed):
                _number(typed, schema.score, where, line, diags)
        elif schema.scoring == "coefficient":
            score = None  # the coefficient or the weight is already reported
        else:
            score = _number(typed, schema.score, where, line, diags, score=True)
        if levels is None or weight is None or score is None:
            complete = False
            previous = levels or previous
            continue
        previous = levels
        owner = owners.get((where, line), "")
        out.append(Indicator(tuple(levels), weight, score, cells[col[schema.note]], owner,
                             where, line, target=_cell(cells, col, schema.target),
                             actual=_cell(cells, col, schema.actual), coefficient=coefficient,
                             adjusted=_cell(cells, col, schema.adjusted),
                             texts=tuple((h, _cell(cells, col, h)) for h in schema.texts)))
    return _Table(out, depth, complete, owners)


def _cell(cells: list[str], col: dict[str, int], column: str | None) -> str:
    return cells[col[column]] if column in col else ""


def _fill_levels(given: list[str], previous: list[str],
                 names: list[str]) -> tuple[list[str], str | None]:
    """Blank level cells repeat the row above (merged cells exported from Excel/WPS).

    Only a leading run of blanks inherits: once a level is named, the levels below it
    must be named too, and the last level is always named. Returns the levels filled
    so far and, when one is missing, why (its index is len(levels)).
    """
    levels: list[str] = []
    inheriting = True
    for depth, (name, value) in enumerate(zip(names, given, strict=True)):
        last = depth == len(names) - 1
        if value:
            inheriting = False
            levels.append(value)
        elif inheriting and not last and depth < len(previous):
            levels.append(previous[depth])
        elif depth == 0 and not previous:
            return levels, f"{name}为空（第一行的一级指标不能为空）"
        elif last:
            return levels, f"{name}为空（末级指标每行都要填写）"
        else:
            return levels, f"{name}为空（上级指标已填写时，本级也要填写）"
    return levels, None


def _number(raw: str, column: str, where: str, line: int, diags: Diagnostics,
            score: bool = False) -> Decimal | None:
    if NUMBER.fullmatch(raw):
        return Decimal(raw)
    if not raw and score:  # what a new year's copy looks like: its own code
        diags.error("PD316", where, f"{column}未填写", line=line, field=column)
    else:
        diags.error("PD308", where, f"{column}“{raw or '（空）'}”不是非负数字，"
                    "应写作 3、3.0 或 49.04 这样的半角数字", line=line, field=column)
    return None


# ---------------------------------------------------------------- project


def load_project(root: Path, diags: Diagnostics) -> Report | None:
    """The whole report, or None when it is too broken to build (diags say why)."""
    read = load_facts(root, diags)
    facts, fm = read if read else (None, None)
    # A report.md with an error elsewhere (no unit) still names its layout: reading the
    # sections and CSVs by another layout's rules would report what is not wrong.
    named = fm.meta.get("layout") if fm is not None else None
    name = facts.layout if facts else named if isinstance(named, str) and named.strip() \
        else DEFAULT_LAYOUT
    try:
        layout = load_layout(name.strip(), root)
    except LayoutError as exc:
        diags.error("PD003", f"content/{FACTS_FILE}", str(exc),
                    line=fm.lines.get("layout") if fm else None, field="layout")
        return None
    sections = load_sections(root, layout, diags)
    table = load_indicators(root, layout.csv_schema, diags)
    if facts is None or fm is None:
        return None
    funds = read_funds(fm, layout, facts.path, diags, "PD102", "部门预算资金")
    signatures = read_signatures(fm, facts.path, diags, "PD102")
    if funds is None or signatures is None:
        return None
    facts = dataclasses.replace(facts, funds=funds, signatures=signatures)
    return Report(root, layout, facts, sections, table.indicators, table.depth,
                  table.complete, table.owners)
