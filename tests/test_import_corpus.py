"""perfdoc import on Word files perfdoc did not write (tests/import_corpus/): each holds
the sample's real data in one of the shapes other tools and hands give it, and must
import exactly (every indicator in Decimal, every section character by character,
whitespace aside), then build."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import soffice
from import_corpus import forms

from perfdoc.build import build
from perfdoc.rules.check import check_project

TRUTH = forms.truth()


def comparable(text: str) -> str:
    """Text as compared: no whitespace, no Markdown escapes or emphasis marks."""
    return re.sub(r"\s+|\\|\*\*", "", text)


def perfdoc_import(path: Path, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfdoc", "import", str(path), "--into",
                           str(target)], capture_output=True, text=True, timeout=180)


def assert_exact(target: Path, done: subprocess.CompletedProcess, truth: forms.Truth) -> None:
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown
    assert "error[" not in shown, shown
    report, diags = check_project(target)
    assert not diags.errors, [str(d) for d in diags.errors]
    assert (report.facts.year, report.facts.unit) == (truth.year, truth.unit), shown
    got = [(i.levels, i.weight, i.score, i.note) for i in report.indicators]
    assert got == truth.indicators, shown
    for key, title, hint, paragraphs in truth.sections:
        section = report.sections[key]
        assert (section.title, section.hint) == (title, hint)
        # paragraph by paragraph: "二、收支情况" after a line break is a paragraph of its own
        got = [comparable(x) for x in section.body.split("\n\n") if x.strip()]
        assert got == [comparable(x) for x in paragraphs], (key, section.body)
    assert build(target, target / "build").ok


@pytest.mark.parametrize("name", sorted(forms.CORPUS))
def test_a_foreign_document_imports_exactly(tmp_path, name):
    path = forms.CORPUS[name](TRUTH, tmp_path / f"{name}.docx")
    done = perfdoc_import(path, tmp_path / "p")
    assert_exact(tmp_path / "p", done, TRUTH)


def test_what_import_repaired_is_listed(tmp_path):
    path = forms.full_width_numbers(TRUTH, tmp_path / "wide.docx")
    done = perfdoc_import(path, tmp_path / "p")
    count = len(TRUTH.indicators) + (len(TRUTH.indicators) + 1) // 2  # every 得分, half the 分值
    assert f"已把全角数字和“分”字转换为数字：{count} 处" in done.stdout, done.stdout
    path = forms.repeated_header(TRUTH, tmp_path / "again.docx")
    done = perfdoc_import(path, tmp_path / "q")
    assert "重复的表头行（跨页重复）：1 行" in done.stdout, done.stdout


def test_a_report_keeps_its_date_out_of_the_last_section(tmp_path):
    path = forms.report_with_heading_numbering(TRUTH, tmp_path / "report.docx")
    done = perfdoc_import(path, tmp_path / "p")
    assert done.returncode == 0, done.stdout + done.stderr
    report, _ = check_project(tmp_path / "p")
    assert report.facts.date == forms.REPORT_DATE
    assert "已把文末的署名和成文日期（2021-03-15）" in done.stdout
    assert "2021年3月15日" not in report.sections["suggestions"].body


def test_a_form_written_by_libreoffice_from_odt(tmp_path):
    """LibreOffice's own writer: the two-row header form through ODT and back."""
    binary = soffice()
    source = forms.two_row_header(TRUTH, tmp_path / "form.docx")
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    for filter_name, given, folder in (("odt", source, "odt"),
                                       ("docx:MS Word 2007 XML", tmp_path / "odt" / "form.odt",
                                        "lo")):
        subprocess.run([binary, profile, "--headless", "--convert-to", filter_name, "--outdir",
                        str(tmp_path / folder), str(given)], check=True, capture_output=True,
                       timeout=180)
    written = tmp_path / "lo" / "form.docx"
    with zipfile.ZipFile(written) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")
    done = perfdoc_import(written, tmp_path / "p")
    assert_exact(tmp_path / "p", done, TRUTH)


def test_what_import_could_not_find_stops_it_loudly(tmp_path):
    """Not silently wrong: a section that is not there, and no 填报单位, are named
    (PD609) and the import exits 1 (check's errors), the files written to be fixed."""
    import dataclasses

    missing = dataclasses.replace(TRUTH, sections=[s for s in TRUTH.sections
                                                   if s[0] != "problems"])
    path = forms.handwritten(missing, tmp_path / "short.docx")
    xml_unit = f"填报单位：{TRUTH.unit}"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(xml_unit.encode(), b"")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    done = perfdoc_import(path, tmp_path / "p")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "warning[PD609]: 没有找到“四、存在问题”这一部分" in done.stdout
    assert "warning[PD609]: 没有在表格之前（封面、标题、文本框）找到填报单位" in done.stdout
    assert (tmp_path / "p" / "content" / "report.md").is_file()


@pytest.mark.parametrize("n,shown", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"),
                                     (21, "二十一"), (100, "一百"), (105, "一百零五"),
                                     (110, "一百一十")])
def test_chinese_counting_as_word_shows_it(n, shown):
    from perfdoc.ooxml import _chinese_number

    assert _chinese_number(n) == shown


def test_a_split_table_is_one_table_and_a_repeated_first_level_one_group(tmp_path):
    for name in ("split_by_a_page_break", "continued_after_a_paragraph"):
        done = perfdoc_import(forms.CORPUS[name](TRUTH, tmp_path / f"{name}.docx"),
                              tmp_path / name)
        assert "已把分成 2 个表格的指标表（跨页或中间有段落）接成一张" in done.stdout, done.stdout
    path = forms.first_level_in_every_row(TRUTH, tmp_path / "every.docx")
    perfdoc_import(path, tmp_path / "every")
    # the sample's four first-level groups: one CSV each, as the sample keeps them
    assert sorted(p.name for p in (tmp_path / "every" / "indicators").glob("*.csv")) == \
        sorted(p.name for p in (forms.ROOT / "indicators").glob("*.csv"))
