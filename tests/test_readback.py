"""Other programs read the form: pandoc (pypandoc-binary) and LibreOffice headless."""

from __future__ import annotations

import csv
import re
import subprocess

import pypandoc
from conftest import ROOT, soffice

from perfdoc.rules.check import check_project


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def source_sentences() -> list[str]:
    """Every sentence of the sources (variables filled in) and every indicator cell."""
    sentences = []
    report, _ = check_project(ROOT)
    for section in report.sections.values():
        sentences += [section.title, section.hint]
        sentences += [p.strip() for p in re.split(r"(?<=[。；])|\n", section.body) if p.strip()]
    for path in sorted((ROOT / "indicators").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                sentences += [v for k, v in row.items() if k in ("一级指标", "二级指标", "说明") and v]
    return sentences


def test_pandoc_reads_back_every_sentence(sample_out):
    text = normalise(pypandoc.convert_file(str(sample_out / "form.docx"), "plain",
                                           extra_args=["--wrap=none"]))
    sentences = source_sentences()
    assert len(sentences) > 60
    missing = [s for s in sentences if normalise(s) not in text]
    assert not missing
    assert "2020年省级部门整体支出绩效自我评价表格" in text
    assert "合计" in text


def test_libreoffice_converts_to_pdf(sample_out, tmp_path):
    binary = soffice()
    profile = tmp_path / "lo-profile"
    subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(sample_out / "form.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "form.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 2 <= pages <= 8, pages
