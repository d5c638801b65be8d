"""Reading a built .docx back at the XML level, as Word would see it."""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Cell:
    element: object
    text: str
    paragraphs: list[str]
    vmerge: str | None  # "restart", "continue" or None
    span: int
    width: int | None


def cell_info(tc) -> Cell:
    tcPr = tc.find(W + "tcPr")
    vmerge = span = width = None
    if tcPr is not None:
        vm = tcPr.find(W + "vMerge")
        if vm is not None:
            vmerge = vm.get(qn("w:val")) or "continue"
        gs = tcPr.find(W + "gridSpan")
        span = int(gs.get(qn("w:val"))) if gs is not None else None
        tw = tcPr.find(W + "tcW")
        width = int(tw.get(qn("w:w"))) if tw is not None else None
    paragraphs = ["".join(t.text or "" for t in p.iter(W + "t")) for p in tc.findall(W + "p")]
    return Cell(tc, "".join(paragraphs), paragraphs, vmerge, span or 1, width)


def table_rows(tbl) -> list[list[Cell]]:
    return [[cell_info(tc) for tc in tr.findall(W + "tc")] for tr in tbl.findall(W + "tr")]


def row_texts(tbl) -> list[list[str]]:
    return [[c.text for c in row] for row in table_rows(tbl)]


def find_row(rows, text: str) -> list[str]:
    """The first row with a cell reading `text`."""
    return next(r for r in rows if text in r)


def is_header_row(tr) -> bool:
    return tr.find(f"{W}trPr/{W}tblHeader") is not None


def body_tables(document) -> list:
    return document.element.body.findall(W + "tbl")


def vmerge_runs(rows: list[list[Cell]], col: int) -> list[tuple[str, int]]:
    """(name, rows spanned) for each vertical merge group in a column."""
    runs: list[tuple[str, int]] = []
    for row in rows:
        cell = row[col]
        if cell.vmerge == "continue":
            name, n = runs[-1]
            runs[-1] = (name, n + 1)
        else:
            runs.append((cell.text, 1))
    return runs
