"""The documents as HTML pages that look like the paper, for `perfdoc preview`.

Nothing is decided here that the Word writers decide: merges come from the same
merge plan (tables.indicator_cells, form.form_tables), numbering and
heading levels from headings, figures from the model. Narrative Markdown goes
through markdown-it-py's own HTML renderer, with raw HTML shown as text (as the
Word documents print it) and image paths served from the project.
"""

from __future__ import annotations

import html
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from markdown_it import MarkdownIt

from perfdoc.sources import markdown
from perfdoc.sources.headings import demote, typed_heading
from perfdoc.sources.layout import (
    Column,
    IndicatorBlock,
    SectionsBlock,
    columns_for,
    label_span,
)
from perfdoc.sources.model import Form, Indicator, Report, Section, decimal_text
from perfdoc.word.form import Line, form_tables, grid
from perfdoc.word.tables import CONTINUE, RESTART, budget_cells, indicator_cells

e = html.escape


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False: raw HTML is shown as its text, never run in the preview page.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def body_html(section: Section, root: Path, demote_headings: bool = False,
              typed_headings: bool = False) -> str:
    """A section's Markdown as HTML; typed headings get their level's class (and, in the
    report, are printed one level down) exactly as the Word renderer decides. Cached
    per text: after a save only the sections that changed are rendered again."""
    return _body_html(section.body, section.path, section.body_line, root,
                      demote_headings, typed_headings)


@lru_cache(maxsize=512)
def _body_html(body: str, path: str, body_line: int, root: Path, demote_headings: bool,
               typed_headings: bool) -> str:
    section = Section("", "", "", body, path, body_line)
    parser = _parser()
    tokens = parser.parse(section.body)
    for i, token in enumerate(tokens):
        if token.type == "image":
            continue
        if typed_headings and token.type == "paragraph_open" and i + 1 < len(tokens):
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children or () if c.type == "text")
            level, lead = typed_heading(text)
            if level and demote_headings:
                level, old, new = demote(text)
                first = next((c for c in inline.children or () if c.type == "text"), None)
                if first is not None and first.content.startswith(old):
                    first.content = new + first.content[len(old):]
            if level:
                token.attrSet("class", f"h{level}" + (" lead" if lead else ""))
        for child in token.children or ():
            if child.type == "image":
                image, _ = markdown.resolve_image(str(child.attrGet("src") or ""), section, root)
                child.attrSet("src", "/source/" + quote(image.relative_to(root.resolve())
                                                        .as_posix()) if image else "")
    return parser.renderer.render(tokens, parser.options, {})


# ---------------------------------------------------------------- indicator tables


def indicator_table(report: Form, columns: tuple[Column, ...], heading: str | None, total_label: str,
                    grade_label: str | None = None) -> str:
    """The indicator table with rowspans from the Word writer's merge plan (cached: a
    save that changes no CSV reuses it)."""
    shown = columns_for(columns, report.depth)
    budget = budget_cells(report, shown)
    return _indicator_table(tuple(report.indicators), report.depth, shown, heading,
                            total_label, grade_label, report.total_weight, report.total_score,
                            report.grade, (budget[0], tuple(budget[1].items())) if budget else None)


@lru_cache(maxsize=8)
def _indicator_table(indicators: tuple[Indicator, ...], depth: int, columns: tuple[Column, ...],
                     heading: str | None, total_label: str, grade_label: str | None,
                     total_weight: Decimal, total_score: Decimal, grade: str,
                     budget: tuple[str, tuple[tuple[str, str], ...]] | None) -> str:
    rows = indicator_cells(indicators, depth, columns)
    out = ["<table class='indicators'><thead>"]
    if heading:
        out.append(f"<tr><th colspan='{len(columns)}'>{e(heading)}</th></tr>")
    out.append("<tr>" + "".join(f"<th>{e(c.header)}</th>" for c in columns) + "</tr></thead>")
    out.append("<tbody>")
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            if cell.vmerge == CONTINUE:
                continue
            span = 1
            if cell.vmerge == RESTART:
                while r + span < len(rows) and rows[r + span][c].vmerge == CONTINUE:
                    span += 1
            attrs = f" rowspan='{span}'" if span > 1 else ""
            attrs += f" class='{cell.jc}'" if cell.jc else ""
            cells.append(f"<td{attrs}>{e(cell.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    span = label_span(columns)
    if budget is not None:
        label, values = budget[0], dict(budget[1])
        out.append(f"<tr><th colspan='{span}'>{e(label)}</th>"
                   + "".join(f"<td class='center'>{e(values.get(c.field, ''))}</td>"
                             for c in columns[span:]) + "</tr>")
    totals = {"weight": decimal_text(total_weight), "score": decimal_text(total_score)}
    out.append(f"<tr class='total'><th colspan='{span}'>{e(total_label)}</th>"
               + "".join(f"<td class='center'>{e(totals.get(c.field, ''))}</td>"
                         for c in columns[span:]) + "</tr>")
    if grade_label:
        out.append(f"<tr class='total'><th colspan='{span}'>{e(grade_label)}</th>"
                   f"<td class='center' colspan='{len(columns) - span}'>{e(grade)}</td></tr>")
    return "".join(out) + "</tbody></table>"


# ---------------------------------------------------------------- documents


def form_page(form: Form, root: Path) -> str:
    """A department's 自评表 or a project's form, from the Word writer's plan."""
    spec = form.layout.form
    parts = [f"<h1 class='title'>{e(form.form_title)}</h1>"]
    if spec.subtitle:
        parts.append(f"<p class='{'subtitle' if spec.subtitle_align == 'center' else 'unit'}'>"
                     f"{e(form.subtitle)}</p>")
    for table in form_tables(form):
        if isinstance(table, SectionsBlock):
            rows = []
            for key in (s.key for s in table.sections):
                section = form.parts.get(key)
                if section is None:
                    continue
                rows.append(f"<tr><th class='section'>{e(section.title)}<span class='hint'>"
                            f"{e(section.hint)}</span></th></tr>")
                rows.append(f"<tr><td class='body'>{body_html(section, root)}</td></tr>")
            parts.append(f"<table class='sections'>{''.join(rows)}</table>")
        elif isinstance(table, IndicatorBlock):
            parts.append(indicator_table(form, table.columns, table.heading, table.total_label))
        else:
            parts.append(_lines_table(table, root))
    return "".join(parts)


def report_page(report: Report) -> str:
    spec = report.layout.the_report
    title = "<br>".join(e(line) for line in report.report_title.split("\n"))
    parts = [f"<h1 class='title'>{title}</h1>"]
    for section in report.sections.values():
        parts.append(f"<h2 class='h1'>{e(section.title)}</h2>")
        parts.append(body_html(section, report.root, spec.demote_headings, typed_headings=True))
    parts.append(f"<p>{e(spec.attachment_label)}：{e(spec.attachment_title)}</p>")
    parts.append(f"<div class='attachment'><p class='label'>{e(spec.attachment_label)}</p>"
                 f"<h1 class='title'>{e(spec.attachment_title)}</h1>"
                 + indicator_table(report, spec.columns, None, spec.total_label, spec.grade_label)
                 + "</div>")
    return "".join(parts)


def _lines_table(rows: list[Line], root: Path) -> str:
    """A form table from the same rows the Word writer lays on its grid."""
    widths, starts = grid(rows, 10_000)
    out = ["<table class='project'><colgroup>"
           + "".join(f"<col style='width:{w / 100:.2f}%'>" for w in widths) + "</colgroup>"]
    for r, (row, edge) in enumerate(zip(rows, starts, strict=True)):
        cells = []
        for c, slot in enumerate(row.cells):
            start, end = edge[c], max(edge[c + 1], edge[c] + 1)
            if slot.vmerge == "continue":
                continue
            span = 1
            if slot.vmerge == "restart":
                while r + span < len(rows) and any(
                        s.vmerge == "continue" and starts[r + span][k] == start
                        for k, s in enumerate(rows[r + span].cells)):
                    span += 1
            tag = "th" if slot.role == "cell_head" else "td"
            attrs = f" colspan='{end - start}'" if end - start > 1 else ""
            attrs += f" rowspan='{span}'" if span > 1 else ""
            attrs += f" class='{slot.jc}'" if slot.jc else ""
            content = body_html(slot.part, root) if slot.part is not None else e(slot.text)
            cells.append(f"<{tag}{attrs}>{content}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(out) + "</table>"
