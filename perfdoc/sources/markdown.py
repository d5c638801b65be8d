"""The Markdown dialect of content/*.md: CommonMark plus GFM tables and strikethrough.

One parser for every stage, so check and render agree on what a body contains.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from perfdoc.diagnostics import Diagnostics
from perfdoc.files import (
    MAX_MARKDOWN_ELEMENTS,
    MAX_MARKDOWN_ELEMENTS_TOTAL,
    MAX_TABLE_COLUMNS,
    checked_out_link,
    link_as_text,
)
from perfdoc.sources.model import Section

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a photo from a phone is 3–8 MB
MAX_IMAGE_PIXELS = 10_000  # per side: a 48-megapixel photo is 8000 × 6000
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"}


class TooComplex(Exception):
    """A body of more Markdown elements than it may hold: `line` is the body's line
    (0-based) where the count ran out, `limit` the count it ran past, `total` whether
    that was the budget of all bodies rather than this one's."""

    def __init__(self, line: int, limit: int, total: bool):
        super().__init__(line)
        self.line, self.limit, self.total = line, limit, total


@lru_cache(maxsize=2)
def parser(blocks_only: bool = False) -> MarkdownIt:
    # html stays on so raw HTML arrives as tokens we can warn about, not as escaped text.
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    if blocks_only:  # inline tokens keep their source text, without children
        md.core.ruler.disable("inline")
    # Counted while parsing, so a hostile body stops at the limit, not after its
    # millions of tokens exist: before every block, before every table (the one block
    # rule that makes any number of tokens in one call), and through every inline parse.
    md.block.ruler.before("table", "perfdoc_budget", _block_budget)
    md.core.ruler.at("inline", _inline_counted)
    md.inline.ruler.before("text", "perfdoc_budget", _inline_budget)
    return md


_LIMIT, _LEFT = "perfdoc_limit", "perfdoc_left"  # env keys: the body's budget, and
# what the inline parse under way may still add


class _Spent(Exception):
    pass


def _block_budget(state: Any, start: int, end: int, silent: bool) -> bool:
    if len(state.tokens) + _table_size(state, start, end) > state.env[_LIMIT]:
        raise _Spent(start)
    return False


def _line(state: Any, n: int) -> str:
    return state.src[state.bMarks[n]:state.eMarks[n]]


def _table_size(state: Any, start: int, end: int) -> int:
    """The tokens a GFM table opening at `start` will make, at most (0: no table here)."""
    if start + 1 >= end or "|" not in _line(state, start):
        return 0
    delimiter = _line(state, start + 1).strip()
    if not delimiter or delimiter.strip("|-: \t"):
        return 0
    rows = start + 2
    while rows < end and not state.isEmpty(rows):
        rows += 1
    columns = delimiter.strip("|").count("|") + 1  # the header has as many cells
    return (rows - start) * (3 * columns + 2) + 4


def _inline_counted(state: Any) -> None:
    """markdown-it's core inline rule, each inline parse told what is left of the
    body's budget (checked by _inline_budget)."""
    used = len(state.tokens)
    for token in state.tokens:
        if token.type == "inline":
            token.children = token.children or []
            state.env[_LEFT] = state.env[_LIMIT] - used
            try:
                state.md.inline.parse(token.content, state.md, state.env, token.children)
            except _Spent:
                raise _Spent(token.map[0] if token.map else 0) from None
            used += len(token.children)


def _inline_budget(state: Any, silent: bool) -> bool:
    if len(state.tokens) > state.env[_LEFT]:
        raise _Spent(0)
    return False


# What is left of the budget of all the bodies a check reads (None: no check running).
_total_left: ContextVar[list[int] | None] = ContextVar("total_left", default=None)


@contextmanager
def budget(total: int = MAX_MARKDOWN_ELEMENTS_TOTAL) -> Iterator[None]:
    """Within it, new parses share one budget of elements (a check of many files)."""
    token = _total_left.set([total])
    try:
        yield
    finally:
        _total_left.reset(token)


def _tokens(md: MarkdownIt, text: str, limit: int) -> list[Token]:
    """Tokens of `text` within `limit` elements, else _Spent(line)."""
    if text.count("\n") > limit:  # each line costs the block parser, whatever it holds
        raise _Spent(limit)
    return md.parse(text, {_LIMIT: limit})


def outline(text: str) -> list[Token]:
    """A body's block tokens only (a project.md split into its parts): not cached and
    not counted against the budget of all bodies, which its parts are."""
    try:
        return _tokens(parser(blocks_only=True), text, MAX_MARKDOWN_ELEMENTS)
    except _Spent as spent:
        raise TooComplex(spent.args[0], MAX_MARKDOWN_ELEMENTS, False) from None


@lru_cache(maxsize=64)
def parse(text: str) -> tuple[Token, ...]:
    """Tokens of a body; cached, since check and both documents read each section
    (callers must not modify them). TooComplex past the body's or the check's budget."""
    left = _total_left.get()
    total = left is not None and left[0] < MAX_MARKDOWN_ELEMENTS
    allowed = left[0] if left is not None and total else MAX_MARKDOWN_ELEMENTS
    try:
        tokens = tuple(_tokens(parser(), text, allowed))
    except _Spent as spent:
        raise TooComplex(spent.args[0], MAX_MARKDOWN_ELEMENTS_TOTAL if total
                         else MAX_MARKDOWN_ELEMENTS, total) from None
    if left is not None:
        left[0] -= len(tokens) + sum(len(t.children or ()) for t in tokens)
    return tokens


def too_complex(path: str, body_line: int, error: TooComplex, diags: Diagnostics,
                field: str | None = None) -> None:
    """PD211 for a body (its file, its first line) that ran past an element budget."""
    whose = "全部正文合计" if error.total else "这段正文"
    diags.error("PD211", path, f"{whose}的 Markdown 元素（行、段落、列表项、表格单元格、"
                f"行内格式等）超过 {error.limit} 个，无法排版；请精简，或把长表格改为指标 CSV",
                line=body_line + error.line, field=field)


def blank_comments(text: str) -> str:
    """The text with HTML comments (notes to reviewers) blanked, keeping its lines.

    By str.find, not the regex <!--.*?-->, which from every unclosed "<!--" searched to
    the end again (quadratic); once no "-->" follows, no later comment can close.
    """
    out, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out += [text[pos:start], "\n" * text.count("\n", start, end)]
        pos = end + 3
    return "".join(out) + text[pos:] if out else text


def is_comment(html: str) -> bool:
    """HTML comments are notes to reviewers: dropped on purpose, not a problem."""
    s = html.strip()
    return s.startswith("<!--") and s.endswith("-->")


def _case_mismatch(folder: Path, src: str) -> str | None:
    """The name on disk when a component of `src` matches it only when case is ignored
    (the image path as the file system spells it), else None."""
    here, spelled, mismatch = folder, [], False
    for part in src.split("/"):
        if part in ("", ".", ".."):
            here = here.parent if part == ".." else here
            spelled.append(part)
            continue
        try:
            names = os.listdir(here)
        except OSError:
            return None
        if part not in names:
            match = next((n for n in names if n.casefold() == part.casefold()), None)
            if match is None:
                return None
            part, mismatch = match, True
        spelled.append(part)
        here = here / part
    return "/".join(spelled) if mismatch else None


def resolve_image(src: str, section: Section, root: Path) -> tuple[Path | None, str]:
    """The image file a section points at, or None and why not (in Chinese)."""
    # markdown-it percent-encodes link targets (图1.png arrives as %E5%9B%BE1.png): the
    # path as typed is the decoded one. Chinese file names never resolved before this.
    src = unquote(src)
    if "://" in src or src.startswith(("data:", "//")):
        return None, f"图片“{src}”不是项目内的本地文件"
    if "\\" in src:
        return None, (f"图片“{src}”的路径请用 / 分隔：\\ 只在 Windows 上能用，"
                      "在 Linux 的 CI 中找不到")
    folder = (root / section.path).parent
    path = (folder / src).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return None, f"图片“{src}”位于项目目录之外"
    typed = _case_mismatch(folder, src)
    if typed is not None:  # found on Windows and macOS, missing in Linux CI
        return None, (f"图片“{src}”与磁盘上的文件名“{typed}”大小写不一致：Windows 上能找到，"
                      "在 Linux 的 CI 中找不到，请改成一致")
    if not path.is_file():
        return None, f"图片“{src}”不存在"
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return None, f"图片“{src}”的格式不受支持（可用 PNG、JPEG、GIF、BMP、TIFF）"
    info = path.stat()
    size = info.st_size
    if size > MAX_IMAGE_BYTES:
        return None, (f"图片“{src}”有 {size // (1024 * 1024)} MB，超过上限 "
                      f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB；请压缩后再插入")
    pixels = _pixels(path, size, info.st_mtime_ns)
    if pixels is None:
        if size <= 260:
            with contextlib.suppress(OSError):
                target = checked_out_link(path, path.read_bytes()[:261])
                if target:
                    return None, f"图片“{src}”{link_as_text(target)}"
        return None, f"图片“{src}”无法读取（文件损坏或格式不支持）"
    if max(pixels) > MAX_IMAGE_PIXELS:
        return None, (f"图片“{src}”有 {pixels[0]}×{pixels[1]} 像素，超过上限 "
                      f"{MAX_IMAGE_PIXELS}×{MAX_IMAGE_PIXELS}；请缩小后再插入")
    return path, ""


@lru_cache(maxsize=64)
def _pixels(path: Path, size: int, mtime_ns: int) -> tuple[int, int] | None:
    """Width and height from the image's header, without decoding it (cached per
    version of the file: check and the renderer both ask)."""
    from docx.image.image import Image  # python-docx reads headers only

    try:
        image = Image.from_file(str(path))
    except Exception:  # python-docx raises several types for unreadable images
        return None
    return image.px_width, image.px_height


def file_line(section: Section, token: Token, parent: Token | None = None) -> int:
    """The file line of a token (inline tokens carry no map: use their block's)."""
    owner = token if token.map else parent
    return section.body_line + (owner.map[0] if owner and owner.map else 0)


@lru_cache(maxsize=256)
def printed_length(text: str) -> int:
    """Characters as the printed text counts them: Markdown markup and spaces left out."""
    return sum(len("".join(child.content.split()))  # split(): on what isspace() is
               for token in parse(text) for child in token.children or ()
               if child.type in ("text", "code_inline"))


def too_long(section: Section, name: str, limit: int | None, diags: Diagnostics) -> None:
    """PD709 when a body prints more characters than its layout allows (templates filled)."""
    try:
        length = printed_length(section.body)
    except TooComplex:
        return  # lint reports it
    if limit is not None and length > limit:
        diags.error("PD709", section.path, f"“{name}”有 {length} 字，超过版式规定的 {limit} 字",
                    line=section.body_line - 1)


def table_columns(tokens: Sequence[Token], idx: int) -> int:
    """The number of columns of the table opening at tokens[idx] (its first row's cells)."""
    columns = 0
    for token in itertools.islice(tokens, idx + 1, None):
        if token.type in ("th_open", "td_open"):
            columns += 1
        elif token.type == "tr_close":
            break
    return columns


def lint(section: Section, root: Path, diags: Diagnostics) -> None:
    """What the renderer could not print faithfully, found without rendering."""
    try:
        tokens = parse(section.body)
    except TooComplex as error:
        too_complex(section.path, section.body_line, error, diags)
        return
    for i, block in enumerate(tokens):
        if block.type == "table_open":
            columns = table_columns(tokens, i)
            if columns > MAX_TABLE_COLUMNS:
                diags.error("PD210", section.path, f"表格有 {columns} 列，超过 "
                            f"{MAX_TABLE_COLUMNS} 列，无法排版", line=file_line(section, block))
        if block.type == "html_block" and not is_comment(block.content):
            html_warning(section, block.content, file_line(section, block), diags)
        for child in block.children or ():
            if child.type == "html_inline" and not is_comment(child.content):
                html_warning(section, child.content, file_line(section, child, block), diags)
            elif child.type == "image":
                path, why = resolve_image(str(child.attrGet("src") or ""), section, root)
                if path is None:
                    diags.error("PD208", section.path, why, line=file_line(section, child, block))


def html_warning(section: Section, html: str, line: int, diags: Diagnostics) -> None:
    if html.lstrip().startswith("</"):
        return  # the opening tag was reported already
    snippet = html.strip().splitlines()[0][:40] if html.strip() else html
    diags.warning("PD209", section.path, f"HTML“{snippet}”无法排版，已按原文输出；"
                  "请改用 Markdown（空一行分段，行尾两个空格或反斜杠换行）", line=line)
