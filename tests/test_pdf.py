"""perfdoc build --pdf: the PDFs people print, stamp and upload."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, copy_project, pdftotext, run_perfdoc, soffice

from perfdoc.rules.check import check_project
from perfdoc.sources.headings import demoted

EPOCH = "1609459200"  # 2021-01-01T00:00:00Z


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    soffice()  # in CI its absence is a failure, elsewhere a skip
    project = copy_project(ROOT, tmp_path_factory.mktemp("pdf") / "p")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run([sys.executable, "-m", "perfdoc", "build", "--pdf", str(project)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return project, done.stdout


def pages(path, mode: str = "-layout") -> list[str]:
    """Page texts: -layout as on the page, -raw in drawing order (a table cell whole)."""
    text = subprocess.run([pdftotext(), mode, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def flat(text: str) -> str:
    """Text without white space, and without the punctuation LibreOffice hangs in the
    margin at a justified line's end (pdftotext drops it there)."""
    return re.sub(r"[\s，。、；：]+", "", text)


def test_every_document_has_its_pdf(built):
    project, out = built
    names = sorted(p.relative_to(project / "build").as_posix()
                   for p in (project / "build").rglob("*.pdf"))
    assert names == ["form.pdf", "projects/01-电子政务外网运维.pdf", "projects/02-商务运行监测平台升级.pdf",
                     "projects/03-视频会议系统扩容.pdf", "report.pdf"]
    for name in names:
        assert re.search(rf"build/{re.escape(name)}\s+sha256:[0-9a-f]{{64}}", out)


def test_every_font_is_embedded(built):
    project, _ = built
    for pdf in (project / "build").rglob("*.pdf"):
        listing = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                                 text=True).stdout.splitlines()[2:]
        assert listing, pdf
        assert all(line.split()[-5] == "yes" for line in listing), (pdf, listing)


def test_every_sentence_and_page_number(built):
    project, _ = built
    report, _ = check_project(project)
    for name, demote in (("form", False), ("report", True)):
        text = pages(project / "build" / f"{name}.pdf")
        # drawing order keeps cells whole; a page's number may fall inside a sentence
        whole = re.sub(r"—\d+—", "", flat("".join(pages(project / "build" / f"{name}.pdf",
                                                         "-raw"))))
        for section in report.sections.values():
            lines = [demoted(line) if demote else line for line in section.body.split("\n")]
            for sentence in re.split(r"(?<=[。；])|\n", "\n".join(lines)):
                assert flat(sentence) in whole, (name, sentence)
        for ind in report.indicators:
            assert flat(ind.levels[-1]) in whole and flat(ind.note) in whole
        for number, page in enumerate(text, start=1):
            assert page.strip().splitlines()[-1].replace(" ", "") == f"—{number}—"


def test_the_pdf_is_dated_by_the_sources_and_rebuilds_the_same(built, tmp_path):
    project, _ = built
    first = {p.name: p.read_bytes() for p in (project / "build").rglob("*.pdf")}
    assert all(b"/CreationDate(D:20210101000000" in data for data in first.values())
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run([sys.executable, "-m", "perfdoc", "build", "--pdf", str(project)], env=env,
                   check=True, capture_output=True, timeout=300)
    again = {p.name: p.read_bytes() for p in (project / "build").rglob("*.pdf")}
    assert again == first
    info = subprocess.run(["pdfinfo", str(project / "build" / "report.pdf")], check=True,
                          capture_output=True, text=True).stdout
    assert "Pages:" in info  # the rewritten file still reads as a whole


def test_without_libreoffice_the_documents_are_built_and_the_message_says_how(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    bin_dir = tmp_path / "bin"  # a PATH with python and git, and no soffice
    bin_dir.mkdir()
    for tool in ("git",):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir)}
    done = subprocess.run([sys.executable, "-m", "perfdoc", "build", "--pdf", str(project)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "LibreOffice" in done.stderr and "apt-get install" in done.stderr
    assert "Traceback" not in done.stderr
    assert (project / "build" / "form.docx").is_file()
    assert not list((project / "build").rglob("*.pdf"))


def test_a_build_without_pdf_removes_pdfs_that_would_be_stale(built, tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    (project / "build").mkdir()
    (project / "build" / "form.pdf").write_bytes(b"%PDF old")
    assert run_perfdoc("build", str(project)).returncode == 0
    assert not (project / "build" / "form.pdf").exists()
