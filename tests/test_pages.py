"""The documents as LibreOffice lays them out: lines per page, repeated headers, page numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEPARTMENT_LAYOUTS, FIXTURES, ROOT, copy_project, pdftotext, soffice

from perfdoc.build import build
from perfdoc.rules.check import check_project
from perfdoc.sources.layout import columns_for
from perfdoc.sources.model import decimal_text
from perfdoc.word.tables import indicator_cells

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from synthetic import make_project  # noqa: E402


def pdf_pages(docx_files: list, tmp, mode: str = "-layout") -> dict[str, list[str]]:
    """Text of each PDF page, per document, as LibreOffice lays them out; `mode` is
    pdftotext's (-layout: as on the page, -raw: in content-stream order)."""
    binary, reader = soffice(), pdftotext()
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp), *map(str, docx_files)],
                   check=True, capture_output=True, timeout=240)
    out = {}
    for path in docx_files:
        text = subprocess.run([reader, mode, str(tmp / f"{path.stem}.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        out[path.stem] = [page for page in text.split("\f") if page.strip()]
    return out


@pytest.fixture(scope="module")
def pages(sample_out, tmp_path_factory):
    return pdf_pages([sample_out / "form.docx", sample_out / "report.docx"],
                     tmp_path_factory.mktemp("pdf"))


def lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def test_a_full_report_page_holds_22_lines(tmp_path):
    # Single-line paragraphs, so no widow control or kept-together heading shortens a page.
    project = copy_project(ROOT, tmp_path / "p")
    path = project / "content" / "03-achievements.md"
    head = path.read_text(encoding="utf-8").split("---\n")[1]
    body = "\n\n".join(f"第{n}行：完成全年工作任务。" for n in range(1, 81))
    path.write_text(f"---\n{head}---\n{body}\n", encoding="utf-8")
    assert build(project, tmp_path / "out").ok
    report = pdf_pages([tmp_path / "out" / "report.docx"], tmp_path)["report"]
    full = [p for p in report if all(line.startswith("第") for line in lines(p)[:-1])]
    assert full, "no page of body text alone"
    assert {len(lines(p)) - 1 for p in full[:-1]} == {22}  # the last line is the page number


def test_the_scoring_table_header_repeats_on_every_page(pages):
    report = pages["report"]
    first = next(i for i, p in enumerate(report) if lines(p)[0] == "附件")
    assert len(report) - first >= 2  # the table spans pages, or this proves nothing
    for page in report[first + 1:]:
        assert lines(page)[0].split() == ["一级指标", "二级指标", "分值", "得分", "说明"]


def test_the_form_indicator_header_repeats(pages):
    form = pages["form"]
    first = next(i for i, p in enumerate(form) if "评价指标" in lines(p))
    later = form[first + 1:]
    assert later  # the block spans pages, or this proves nothing
    for page in later:
        assert lines(page)[0] == "评价指标"
        assert lines(page)[1].split() == ["一级指标", "二级指标", "得分", "说明"]


@pytest.mark.parametrize("name", ["form", "report"])
def test_every_page_carries_its_number(pages, name):
    for number, page in enumerate(pages[name], start=1):
        assert lines(page)[-1].replace(" ", "") == f"—{number}—"


# ---------------------------------------------------------------- rows kept whole


def raw_pages(docx_files: list, tmp) -> dict[str, list[str]]:
    """Each page's text in content-stream order, white space removed: LibreOffice draws a
    table cell by cell, so a row whose cells sit on one page reads as one run of text."""
    return {name: [re.sub(r"\s+", "", page) for page in pages]
            for name, pages in pdf_pages(docx_files, tmp, "-raw").items()}


def split_rows(pages: list[str], rows: list[str]) -> list[str]:
    """The rows (their cells' text, concatenated) that no single page holds whole."""
    return [row for row in rows if not any(row in page for page in pages)]


def indicator_rows(project, fields) -> list[str]:
    report, _ = check_project(project)
    return [re.sub(r"\s+", "", "".join(f(i) for f in fields)) for i in report.indicators]


FORM = (lambda i: i.levels[-1], lambda i: decimal_text(i.score), lambda i: i.note)
REPORT = (lambda i: i.levels[-1], lambda i: decimal_text(i.weight),
          lambda i: decimal_text(i.score), lambda i: i.note)


@pytest.mark.parametrize("which", ["sample", "three-levels", "synthetic-10x"])
def test_no_indicator_row_breaks_across_pages(which, sample_out, tmp_path):
    if which == "sample":
        project, out = ROOT, sample_out
    else:
        project = FIXTURES / "three-levels" if which == "three-levels" else \
            make_project(10, tmp_path / "x10")[0]
        out = tmp_path / "out"
        assert build(project, out).ok
    pages = raw_pages([out / "form.docx", out / "report.docx"], tmp_path)
    if which != "three-levels":  # its form is one page: nothing can split there
        assert len(pages["form"]) >= 3 and len(pages["report"]) >= 3
    assert split_rows(pages["form"], indicator_rows(project, FORM)) == []
    assert split_rows(pages["report"], indicator_rows(project, REPORT)) == []


def test_no_project_indicator_row_breaks_across_pages(sample_out, tmp_path):
    form = sample_out / "projects" / "01-电子政务外网运维.docx"
    pages = raw_pages([form], tmp_path)[form.stem]
    assert len(pages) >= 2
    report, _ = check_project(ROOT)
    project = report.projects[0]
    rows = [re.sub(r"\s+", "", i.levels[-1] + i.target + i.actual + decimal_text(i.weight)
                   + decimal_text(i.score) + i.note) for i in project.indicators]
    assert split_rows(pages, rows) == []


@pytest.mark.parametrize("name", DEPARTMENT_LAYOUTS)
def test_no_department_layout_row_breaks_across_pages(department_samples, name, tmp_path):
    out = department_samples[name]
    pages = raw_pages([out / "form.docx", out / "report.docx"], tmp_path)
    report, _ = check_project(FIXTURES / name)
    columns = columns_for(report.layout.indicators.columns, report.depth)
    # Each row as drawn, in pieces: a merged group name (drawn in its group's first row)
    # splits a row's text in the PDF's stream, so every piece must be on one page.
    rows = []
    for cells in indicator_cells(report.indicators, report.depth, columns):
        pieces, run = [], ""
        for c in cells:
            if c.vmerge is None:
                run += re.sub(r"\s+", "", c.text)
            elif run:
                pieces, run = [*pieces, run], ""
        rows.append([*pieces, run] if run else pieces)
    assert len(rows) == len(report.indicators) and all(rows)
    broken = [row for row in rows if not any(all(p in page for p in row) for page in pages["form"])]
    assert broken == []
