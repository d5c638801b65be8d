"""Official-writing rules over a Markdown body (公文 conventions), with mechanical fixes.

Each rule reads the body as typed (before templates are filled) and yields Findings:
a code, the span it is about, a message, and, when the fix is mechanical and safe,
the replacement. Spans a writer did not type as prose are never read: code spans and
blocks, template expressions, HTML comments, URLs, link and image targets.
`perfdoc check` reports the findings; `perfdoc fix` applies the replacements.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from perfdoc.diagnostics import Diagnostics
from perfdoc.sources.headings import cn_number, demote, typed_heading
from perfdoc.sources.model import Section

CN_PUNCT = frozenset("，。、；：？！“”‘’（）《》〈〉【】〔〕…—")


# Single characters are tested by comparison, not by a character class: sre compiles
# a class of the 28,000 Han characters one code point at a time (3 ms a pattern).
def _is_han(ch: str) -> bool:
    """CJK Unified Ideographs, Extension A and the compatibility block."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _is_chinese(ch: str) -> bool:
    """A Han character or Chinese punctuation; False for "" (the start or end of text)."""
    return _is_han(ch) or ch in CN_PUNCT

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_TO_FULL_WIDTH = str.maketrans(FULL_WIDTH)
SEVERITY = {"PD411": "warning", "PD412": "warning", "PD413": "warning", "PD414": "warning",
            "PD415": "warning", "PD416": "error", "PD417": "error", "PD418": "warning"}


@dataclass(frozen=True)
class Finding:
    code: str
    start: int  # offsets in the body
    end: int
    message: str
    replacement: str | None = None  # the mechanical fix, when there is one


# ---------------------------------------------------------------- what is not prose

_FENCE = re.compile(r"^ {0,3}(```|~~~).*?(^ {0,3}\1[^\n]*$|\Z)", re.S | re.M)
# The other spans that are not prose, found left to right by one scanner: reviewer
# notes <!-- -->, templates {{ }} {% %} {# #}, `code`, images ![…](…), link targets
# ](…), <tags>, addresses and link reference definitions. As one regular expression
# this was quadratic: from every opener without a closer ("[a](" or "<a" repeated
# 100,000 times) the search ran to the end of the line or body again. The scanner looks
# for each closer once per stretch of text; addresses and reference definitions are
# matched whole (their runs end at a terminator that always exists).
_OPENER = re.compile(r"<!--|\{[{%#]|`|!\[|\]\(|<[A-Za-z/]"
                     r"|(?:https?|ftp)://[^\s）)，。]+|www\.[^\s）)，。]+"  # addresses
                     r"|^\[[^\]\n]+\]:.*$",  # link reference definitions
                     re.M)
_CLOSER = {"<!--": "-->", "{{": "}}", "{%": "%}", "{#": "#}"}


class _Next:
    """Where the next of some characters is at or after a position, for positions that
    mostly grow: an answer stands for every position up to it."""

    def __init__(self, body: str, chars: str):
        self.body, self.pattern = body, re.compile(f"[{re.escape(chars)}]")
        self.asked, self.found = -1, -1

    def at(self, pos: int) -> int:
        if not self.asked <= pos <= self.found:
            m = self.pattern.search(self.body, pos)
            self.asked, self.found = pos, m.start() if m else len(self.body)
        return self.found


class _Find:
    """str.find of one closer for positions that mostly grow, likewise remembered."""

    def __init__(self, body: str, closer: str):
        self.body, self.closer = body, closer
        self.asked, self.found = -1, -1

    def at(self, pos: int) -> int:
        if self.found < 0 <= self.asked <= pos:
            return -1  # none after an earlier position: none after this one
        if not (self.found >= 0 and self.asked <= pos <= self.found):
            self.asked, self.found = pos, self.body.find(self.closer, pos)
        return self.found


def _closed_spans(body: str) -> list[tuple[int, int]]:
    """The constructs that need a closer, leftmost first, as the old alternation matched
    them (a match's inside is not searched again)."""
    finds = {opener: _Find(body, closer) for opener, closer in _CLOSER.items()}
    tick, bracket, paren, angle = (_Next(body, c) for c in ("`\n", "]\n", ")\n", ">\n"))
    spans = []
    pos = 0
    while m := _OPENER.search(body, pos):
        start, opener = m.start(), m.group()
        end = -1
        if len(opener) > 4 or opener == "www." or opener.startswith("["):
            end = m.end()  # an address or a reference definition, matched whole
        elif opener in ("<!--", "{{", "{%", "{#"):
            close = finds["<!--" if opener == "<!--" else opener].at(m.end())
            end = close + len(_CLOSER[opener]) if close >= 0 else -1
        elif opener == "`":
            close = tick.at(start + 1)
            end = close + 1 if close > start + 1 and body[close:close + 1] == "`" else -1
        elif opener in ("![", "]("):
            at = start + 2
            if opener == "![":
                label = bracket.at(at)
                at = label + 2 if body[label:label + 2] == "](" else -1
            if at >= 0:
                close = paren.at(at)
                end = close + 1 if body[close:close + 1] == ")" else -1
        else:  # an HTML tag
            close = angle.at(start + 2)
            end = close + 1 if body[close:close + 1] == ">" else -1
        if end >= 0:
            spans.append((start, end))
            pos = end
        else:
            pos = start + 1
    return spans


def protected(body: str) -> list[tuple[int, int]]:
    """Sorted spans of the body that are not prose."""
    spans = [m.span() for m in _FENCE.finditer(body)]
    spans += _closed_spans(body)
    return sorted(spans)


class _Prose:
    """The body, and whether a span of it is prose (touches no protected span)."""

    def __init__(self, body: str):
        self.body = body
        merged: list[list[int]] = []
        for start, end in protected(body):  # merged into disjoint, sorted spans
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.spans = merged
        self.starts = [s for s, _ in merged]

    def free_parts(self, start: int, end: int) -> list[tuple[int, int]]:
        """The stretches of [start, end) outside every protected span."""
        parts, at = [], start
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while i < len(self.spans) and self.spans[i][0] < end:
            s, e = self.spans[i]
            if e > at:
                if s > at:
                    parts.append((at, s))
                at = max(at, e)
            i += 1
        if at < end:
            parts.append((at, end))
        return parts

    def free(self, start: int, end: int) -> bool:
        # Only the last protected span that starts before `end` can reach into it.
        i = bisect.bisect_left(self.starts, end)
        return i == 0 or self.spans[i - 1][1] <= start


# ---------------------------------------------------------------- rules 1-5: mechanical

# 苏财预【2021】11号: an issuer's abbreviation (1 to 12 Han characters, found by looking
# back from the bracket), the year in brackets, a number, 号.
_DOC_NUMBER = re.compile(r"([【\[（(〈<])(\d{4})([】\]）)〉>])(\d+号)")
_ISSUER_CHARS = 12


def _document_numbers(prose: _Prose) -> Iterator[Finding]:
    body, taken = prose.body, 0  # a number's 号 is not the next one's issuer
    for m in _DOC_NUMBER.finditer(body):
        issuer = m.start()
        while issuer > max(taken, m.start() - _ISSUER_CHARS) and _is_han(body[issuer - 1]):
            issuer -= 1
        if issuer == m.start():
            continue
        taken = m.end()
        if prose.free(m.start(), m.end(3)):
            right = f"{body[issuer:m.start()]}〔{m.group(2)}〕{m.group(4)}"
            yield Finding("PD411", m.start(), m.end(3), f"发文字号的年份应使用六角括号〔〕："
                          f"{body[issuer:m.end()]} → {right}", f"〔{m.group(2)}〕")


def _half_width(prose: _Prose) -> Iterator[Finding]:
    """Half-width , ; : ? ! ( ) touching Chinese text; a run of them ("，,,") is one
    stretch of Chinese punctuation, so all of it is named at once: one finding for the
    run's prose (2,000,000 commas are one finding, not two million)."""
    body = prose.body
    for m in re.finditer(r"[,;:?!()]+", body):
        start, end = m.span()
        before, after = body[start - 1:start], body[end:end + 1]
        if m.group() in (",", ":") and before.isdigit() and after.isdigit():
            continue  # 1,611,200.00 and 10:30
        if not (_is_chinese(before) or _is_chinese(after)):
            continue  # Latin text keeps its own punctuation
        if m.group() == ")" and not _is_chinese(before) and _opens_latin(body, start):
            continue
        for part in prose.free_parts(start, end):
            yield _half_width_run(body, *part)


_SHOWN_RUN = 10  # characters of a long run the message quotes


def _half_width_run(body: str, start: int, end: int) -> Finding:
    typed = body[start:end]
    right = typed.translate(_TO_FULL_WIDTH)
    if len(typed) > _SHOWN_RUN:
        what = f"“{typed[:_SHOWN_RUN]}…”（共 {len(typed)} 个）应为全角“{right[:_SHOWN_RUN]}…”"
    else:
        what = f"“{typed}”应为全角“{right}”"
    return Finding("PD412", start, end, f"中文中的半角标点{what}", right)


def _without(finding: Finding, spans: list[tuple[int, int]], body: str) -> list[Finding]:
    """A PD412 run with the parts inside `spans` (PD417's "(一)") taken out."""
    parts = [(finding.start, finding.end)]
    for a, b in spans:
        parts = [piece for s, e in parts
                 for piece in ((s, min(e, a)), (max(s, b), e)) if piece[0] < piece[1]]
    if parts == [(finding.start, finding.end)]:
        return [finding]
    return [_half_width_run(body, s, e) for s, e in parts]


def _opens_latin(body: str, close: int) -> bool:
    """Whether the ( that this ) closes stands in Latin text: "(Word)" after a Latin word."""
    open_at = body.rfind("(", 0, close)
    return open_at >= 0 and not _is_chinese(body[open_at - 1:open_at])


def _full_width(prose: _Prose) -> Iterator[Finding]:
    for m in re.finditer(r"[０-９Ａ-Ｚａ-ｚ]+", prose.body):
        if prose.free(*m.span()):
            half = "".join(chr(ord(c) - 0xFEE0) for c in m.group())
            yield Finding("PD413", *m.span(), f"全角字符“{m.group()}”应写作半角“{half}”"
                          "（公文中的阿拉伯数字和字母用半角）", half)


_SPACES = re.compile("[ \t\u3000]+")


def _spaces(prose: _Prose) -> Iterator[Finding]:
    """Spaces between Chinese characters or punctuation, one of them a Han character."""
    body = prose.body
    for m in _SPACES.finditer(body):
        before, after = body[m.start() - 1:m.start()], body[m.end():m.end() + 1]
        if not (_is_chinese(before) and _is_chinese(after)):
            continue
        if (_is_han(before) or _is_han(after)) and prose.free(m.start() - 1, m.end() + 1):
            yield Finding("PD414", *m.span(), f"“{before}”与“{after}”之间有多余的空格"
                          "（多由 PDF 复制而来），应删除", "")


_DOUBLED = re.compile(r"，+。|。{2,}|，{2,}|、{2,}|：{2,}")


def _doubled(prose: _Prose) -> Iterator[Finding]:
    for m in _DOUBLED.finditer(prose.body):
        if prose.free(*m.span()):
            right = "。" if "。" in m.group() else m.group()[0]
            yield Finding("PD415", *m.span(), f"标点“{m.group()}”重复或冲突，应为“{right}”",
                          right)


# ---------------------------------------------------------------- rule 6: numbering


_WRONG_FORMS = (
    (re.compile(r"\(([一二三四五六七八九十百]+)\)"), lambda n: f"（{n}）", "（一）"),
    (re.compile(r"([0-9]+)、"), lambda n: f"{n}.", "1."),
)
_LEVEL_NAME = {1: "一、", 2: "（一）", 3: "1.", 4: "（1）"}


def paragraph_starts(body: str, prose: _Prose) -> Iterator[tuple[int, str]]:
    """(offset, text) of each paragraph's first line (after a blank line or a fence)."""
    offset, blank = 0, True
    for line in body.split("\n"):
        stripped = line.lstrip(" ")
        start = offset + len(line) - len(stripped)
        if stripped and blank and prose.free(start, start + 1):
            yield start, stripped
        blank = not stripped
        offset += len(line) + 1


def _numbering(prose: _Prose) -> Iterator[Finding]:
    """Per level, numbers run 1, 2, 3 …; a level restarts under each new parent; no
    level is skipped below the first one used; and the forms are （一） and 1."""
    last: dict[int, int] = {}
    top = None
    for start, text in paragraph_starts(prose.body, prose):
        for pattern, right, shown in _WRONG_FORMS:
            m = pattern.match(text)
            if m:
                yield Finding("PD417", start, start + m.end(), f"编号“{m.group()}”写法不规范，"
                              f"应写作“{right(m.group(1))}”（如“{shown}”）", right(m.group(1)))
                text = right(m.group(1)) + text[m.end():]
                break
        level, _ = typed_heading(text)
        if level is None:
            continue
        number = _number_of(text, level)
        top = level if top is None else min(top, level)
        if level > top and level - 1 not in last:
            yield Finding("PD416", start, start + 1, f"编号“{demote(text)[1]}”前缺少上一级"
                          f"“{_LEVEL_NAME[level - 1]}”编号：层级不能跳过")
        expected = last.get(level, 0) + 1
        if number != expected:
            what = "重复" if number == expected - 1 else "不连续"
            yield Finding("PD416", start, start + 1, f"编号{what}：此处应为第 {expected} 个"
                          f"（{_LEVEL_NAME[level]}级），实际写的是第 {number} 个")
        last[level] = number
        for deeper in [k for k in last if k > level]:
            del last[deeper]  # a new parent: the levels below start again


def _number_of(text: str, level: int) -> int:
    m = re.match(r"[（(]?([0-9]+|[一二三四五六七八九十百千零]+)", text)
    if m is None:  # callers pass typed headings, which start with their number
        return 0
    raw = m.group(1)
    return int(raw) if raw.isdigit() else cn_number(raw)


# ---------------------------------------------------------------- rule 7: stale year


def _stale_year(prose: _Prose, year: int) -> Iterator[Finding]:
    for m in re.finditer(r"(?<![0-9])((?:19|20)\d\d)年度", prose.body):
        typed = int(m.group(1))
        if typed < year and prose.free(*m.span()):
            yield Finding("PD418", *m.span(), f"本报告为 {year} 年度，正文写的是“{m.group()}”："
                          "可能是沿用了往年的文字；如确需比较往年，请在上一行加 "
                          "<!-- perfdoc: allow PD418 -->")


@lru_cache(maxsize=256)
def findings(body: str, year: int | None = None) -> tuple[Finding, ...]:
    """Every finding of rules 1-7 in the body, in order (cached: the preview checks
    every body on each save, and most have not changed)."""
    prose = _Prose(body)
    out: list[Finding] = []
    for rule in (_document_numbers, _half_width, _full_width, _spaces, _doubled, _numbering):
        out.extend(rule(prose))
    if year:
        out.extend(_stale_year(prose, year))
    # "(一)" is one mistake (PD417), not also two half-width brackets (PD412).
    forms = [(f.start, f.end) for f in out if f.code == "PD417"]
    if forms:
        out = [part for f in out
               for part in (_without(f, forms, body) if f.code == "PD412" else [f])]
    return tuple(sorted(out, key=lambda f: (f.start, f.code)))


def fixed(body: str) -> str:
    """The body with every mechanical fix applied, to a fixed point (a fix can reveal
    another: "(一),," → "（一），，" → "（一），")."""
    for _ in range(100):  # each round removes at least one finding; bodies converge fast
        changes = [f for f in findings(body) if f.replacement is not None]
        if not changes:
            return body
        out: list[str] = []
        at = 0
        for f in changes:
            if f.start < at or f.replacement is None:  # overlapping: the next round takes it
                continue
            out += [body[at:f.start], f.replacement]
            at = f.end
        body = "".join(out) + body[at:]
    return body


# ---------------------------------------------------------------- exemptions

_ALLOW = re.compile(r"<!--\s*perfdoc:\s*allow\s+((?:PD\d{3}[\s,，]*)+)-->")


def exemptions(body: str) -> Iterator[tuple[int, set[str]]]:
    """(body line index the exemption covers, codes): a comment on the line before."""
    for index, line in enumerate(body.split("\n")):
        m = _ALLOW.search(line)
        if m:
            yield index + 1, set(re.findall(r"PD\d{3}", m.group(1)))


# ---------------------------------------------------------------- into diagnostics


def check_section(section: Section, year: int | None, diags: Diagnostics) -> None:
    """The findings in a section's (or project part's) body, at file line and column."""
    body = section.body
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
    for f in findings(body, year):
        index = bisect.bisect_right(line_starts, f.start) - 1
        report = diags.error if SEVERITY[f.code] == "error" else diags.warning
        report(f.code, section.path, f.message, line=section.body_line + index,
               column=f.start - line_starts[index] + 1)


def exemptions_of(sections: Iterable[Section]) -> dict[tuple[str, int], set[str]]:
    """(path, file line) -> the codes exempted there, over all the given bodies."""
    out: dict[tuple[str, int], set[str]] = {}
    for section in sections:
        for index, codes in exemptions(section.body):
            out.setdefault((section.path, section.body_line + index), set()).update(codes)
    return out
