"""The documents as LibreOffice lays them out: lines per page, repeated headers, page numbers."""

from __future__ import annotations

import subprocess

import pytest

from conftest import ROOT, copy_project, pdftotext, soffice
from perfdoc.build import build


def pdf_pages(docx_files: list, tmp) -> dict[str, list[str]]:
    """Text of each PDF page, per document, as LibreOffice lays them out."""
    binary, reader = soffice(), pdftotext()
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp), *map(str, docx_files)],
                   check=True, capture_output=True, timeout=240)
    out = {}
    for path in docx_files:
        text = subprocess.run([reader, "-layout", str(tmp / f"{path.stem}.pdf"), "-"],
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
