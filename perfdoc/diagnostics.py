"""Every problem perfdoc reports, in one format.

A diagnostic is data (code, location, message), in the manner of frictionless'
errors: the stages collect them, the CLI prints them all at once. Messages are
Chinese, for the people who write reports; codes are stable and documented in
the README (a test keeps that table and ``CODES`` in step).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# code -> short Chinese description (the README's table of codes).
CODES: dict[str, str] = {
    # project
    "PD001": "项目目录不存在或不是目录",
    "PD002": "项目缺少 content/ 或 indicators/ 目录",
    "PD003": "版式文件无法读取",
    "PD004": "文件含有 Word 无法保存的控制字符",
    "PD005": "不是项目内的普通文件（指向项目之外的链接、目录、设备或管道）",
    "PD006": "源文件过大",
    "PD007": "无法写入生成的文件（目录只读、磁盘已满或 build 不是目录）",
    "PD008": "运行时间超过上限",
    # report facts (content/report.md)
    "PD101": "缺少报告信息文件 content/report.md",
    "PD102": "报告信息缺少必填项或取值无效",
    "PD103": "预算执行率低于 90% 且未写明原因",
    "PD104": "填写的等级与总分不符",
    # sections (content/*.md)
    "PD201": "文件编码不是 UTF-8",
    "PD202": "frontmatter 的 YAML 语法错误",
    "PD203": "frontmatter 缺少必填字段或字段类型错误",
    "PD204": "未知的 section 取值",
    "PD205": "同一部分出现在多个文件中",
    "PD206": "版式要求的部分缺失",
    "PD207": "正文为空（没有内容请明确写“无”）",
    "PD208": "图片不存在、无法读取或位于项目目录之外",
    "PD209": "无法排版的 Markdown 内容（如 HTML），已按原文输出",
    "PD210": "Markdown 表格列数超过上限",
    "PD211": "Markdown 元素（行、段落、单元格、行内格式）超过上限",
    # indicators (indicators/*.csv)
    "PD301": "indicators/ 中没有 CSV 文件",
    "PD302": "CSV 文件编码不是 UTF-8（GB18030/GBK 按原样读取并警告）",
    "PD303": "CSV 文件为空或只有表头",
    "PD304": "缺少必需的列",
    "PD305": "未知的列",
    "PD306": "行的单元格数与表头不一致",
    "PD307": "指标名称为空",
    "PD308": "分值或得分不是非负数字",
    "PD309": "得分大于分值",
    "PD310": "分值合计与版式规定的总分不符",
    "PD311": "同一指标重复出现",
    "PD312": "扣分指标缺少说明",
    "PD313": "有扣分但“存在问题”或“有关建议”写的是“无”",
    "PD314": "各文件的指标层级数不一致",
    "PD315": "CSV 格式错误（如引号不配对）",
    "PD316": "得分未填写",
    "PD317": "系数法：填写的得分与分值 × 得分系数不符",
    "PD318": "一级或二级指标的分值合计与版式规定的分值不符",
    # text anywhere
    "PD401": "模板残留文字（XX、（100字以内）、……、TODO、待补充等）",
    "PD402": "正文中写的等级、总分或数字与计算结果不符",
    # official writing (公文) — perfdoc fix corrects PD411-PD415 and PD417
    "PD411": "发文字号的年份括号应为六角括号〔〕",
    "PD412": "中文中的半角标点",
    "PD413": "全角数字或字母",
    "PD414": "汉字之间的多余空格",
    "PD415": "重复或冲突的标点",
    "PD416": "编号不连续、重复或跳级",
    "PD417": "编号写法不规范（(一) 应为（一），1、应为 1.）",
    "PD418": "沿用往年的年度",
    "PD419": "豁免注释没有豁免任何问题",
    # templates in section bodies
    "PD501": "模板语法错误",
    "PD502": "模板中使用了未知的名称",
    "PD503": "模板中不允许的写法（沙箱拦截）",
    "PD504": "模板求值出错（如对文字使用金额过滤器）",
    "PD505": "模板超出允许的计算量（文字过长、循环或递归过多）",
    "PD506": "模板中金额的单位不一致（元与万元混用）",
    # project self-evaluations (projects/*/)
    "PD701": "项目目录缺少 project.md 或 indicators.csv",
    "PD702": "project.md 缺少必填项或取值无效（name、department、funds 等）",
    "PD703": "项目名称重复",
    "PD704": "资金来源的执行数大于预算数",
    "PD705": "执行率低于 90% 且未写明原因",
    "PD706": "实际完成值未达到年度指标值，且未写偏差原因",
    "PD707": "得分高于按完成比例计算的得分",
    "PD708": "年度指标值或实际完成值未填写，或数值指标的实际完成值不是数字",
    "PD709": "文字超过版式规定的字数",
    "PD710": "project.md 的“## 部分”缺失、重复或不在版式中",
    "PD711": "资金的各种分组（按收入性质、按支出性质）合计不一致",
    # perfdoc import
    "PD601": "不是有效的 Word 文档（.docx）或文件已损坏",
    "PD602": "文件已加密或是旧版 .doc 格式",
    "PD603": "文件过大或解压后异常巨大（压缩炸弹）",
    "PD604": "文件中找不到自评表的结构",
    "PD605": "目标目录中已有报告（需 --force 才覆盖）",
    "PD606": "原表的合计与各项得分之和不符",
    "PD607": "原表没有分值列，分值暂按得分填写",
    "PD608": "找不到 pandoc（perfdoc import 需要它）",
    "PD609": "导入：Word 文件中没有找到某项内容",
    "PD610": "导入：推断的结果，请核对",
    "PD611": "导入：需要 LibreOffice 转换文件格式，但没有找到或转换失败",
}


# Line breaks and control characters from source text, escaped so that one
# diagnostic is one line: a CSV cell holding "\n::error::…" must not become a line
# that a CI runner reads as a workflow command.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def relative_path(path: Path | str) -> str:
    """`path` relative to the working directory, or absolute where it cannot be (on
    Windows a path on another drive has no relative form)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return os.path.abspath(path)


_WORKFLOW_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.M)  # [^\S\n]: \s would span lines


def terminal_text(text: str) -> str:
    """Text for a terminal or a CI log, its own line breaks kept: every other control
    character escaped (no ESC sequences, no carriage returns), and no line that starts
    with "::", which GitHub's runner would take as a workflow command."""
    lines = [printable(line) for line in text.split("\n")]
    return _WORKFLOW_COMMAND.sub(lambda m: m.group(1) + "\\x3a", "\n".join(lines))


def shown(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: shortened, and safe for integers too long to print."""
    if isinstance(value, int) and value.bit_length() > 4 * limit:
        return f"（{value.bit_length()} 位二进制的数字）"
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    path: str  # project-relative, with forward slashes
    message: str
    line: int | None = None
    field: str | None = None
    column: int | None = None  # 1-based, in characters, for problems inside a line

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code}")

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.field or "", self.code)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.field:
            where += f":{self.field}"
        return printable(f"{where}: {self.severity.value}[{self.code}]: {self.message}")


# Findings of one code in one file, at most: a hostile body of two million commas must
# not print two million lines (nor hold them in memory). The rest is counted and said
# in one line.
MAX_PER_FILE = 100


@dataclass
class Diagnostics:
    """Collects every problem of one run; nothing stops at the first."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    # per (file, code) past the cap: the first finding left out, and how many were
    _dropped: dict[tuple[str, str], tuple[Diagnostic, int]] = field(default_factory=dict,
                                                                     repr=False)

    def add(self, diagnostic: Diagnostic) -> None:
        # check and render may both meet the same problem: report it once.
        if diagnostic in self._seen:
            return
        group = (diagnostic.path, diagnostic.code)
        count = self._counts[group] = self._counts.get(group, 0) + 1
        if count > MAX_PER_FILE:
            first, dropped = self._dropped.get(group, (diagnostic, 0))
            self._dropped[group] = (first, dropped + 1)
            return
        self._seen.add(diagnostic)
        self.items.append(diagnostic)

    def summarize_dropped(self) -> None:
        """One line for each (file, code) whose findings went past MAX_PER_FILE, where
        the first one left out would have been."""
        for (_, code), (first, dropped) in sorted(self._dropped.items()):
            self.items.append(dataclasses.replace(
                first, field=None, message=f"还有 {dropped} 处同类问题（{code}）未逐一列出"
                                           f"（每个文件每种问题最多列出 {MAX_PER_FILE} 处）"))
        self._dropped.clear()

    def error(self, code: str, path: str, message: str, line: int | None = None,
              field: str | None = None, column: int | None = None) -> None:
        self.add(Diagnostic(code, Severity.ERROR, path, message, line, field, column))

    def warning(self, code: str, path: str, message: str, line: int | None = None,
                field: str | None = None, column: int | None = None) -> None:
        self.add(Diagnostic(code, Severity.WARNING, path, message, line, field, column))

    def settle(self, settings: dict[str, str], exempt: dict[tuple[str, int], set[str]],
               unused: Callable[[str, int, str], None]) -> None:
        """Apply a project's lint settings (code -> off | warning | error) and its
        exemptions ((path, line) -> codes); `unused` hears of each exemption that
        exempted nothing."""
        used: set[tuple[str, int, str]] = set()
        kept = []
        for d in self.items:
            codes = exempt.get((d.path, d.line or 0), set())
            if d.code in codes:
                used.add((d.path, d.line or 0, d.code))
                continue
            setting = settings.get(d.code)
            if setting == "off":
                continue
            if setting in ("warning", "error"):
                d = dataclasses.replace(d, severity=Severity(setting))
            kept.append(d)
        self.items, self._seen = kept, set(kept)
        for (path, line), codes in sorted(exempt.items()):
            for code in sorted(codes - {c for p, n, c in used if (p, n) == (path, line)}):
                unused(path, line, code)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        # Stable: equal locations keep the order the stages found them in.
        return sorted(self.items, key=Diagnostic.sort_key)

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        if not e and not w:
            return "检查通过：没有发现问题。"
        return f"发现 {e} 个错误，{w} 个警告。"


# ---------------------------------------------------------------- output formats

FORMATS = ("text", "github", "json")


def render(diags: Diagnostics, fmt: str, root: Path) -> str:
    """All diagnostics, sorted, in one of FORMATS (the summary line is the caller's)."""
    items = diags.sorted()
    if fmt == "json":
        return json.dumps({
            "diagnostics": [{"code": d.code, "severity": d.severity.value, "path": d.path,
                             "line": d.line, "column": d.column, "field": d.field,
                             "message": d.message}
                            for d in items],
            "errors": len(diags.errors), "warnings": len(diags.warnings),
        }, ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(_github(d, root) for d in items)
    return "\n".join(str(d) for d in items)


def _github(d: Diagnostic, root: Path) -> str:
    """A GitHub Actions workflow command, so the problem shows on the pull request's line."""
    def escape(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value
    # Paths relative to the working directory: the repository root in a workflow.
    path = relative_path(root / d.path).replace(os.sep, "/")
    props = [f"file={escape(printable(path), True)}"]
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.column is not None:
        props.append(f"col={d.column}")
    props.append(f"title={escape(d.code + (' ' + d.field if d.field else ''), True)}")
    return f"::{d.severity.value} {','.join(props)}::{escape(printable(d.message))}"
