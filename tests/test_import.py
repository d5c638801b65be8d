"""perfdoc import and the yearly roll-over: round trips, a foreign form, bad input."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, ROOT, copy_project, soffice
from docx_reading import W

from perfdoc.build import build
from perfdoc.rules.check import check_project


def perfdoc(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "perfdoc", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=180)


def all_text(path: Path) -> str:
    return "".join(t.text or "" for t in docx.Document(str(path)).element.body.iter(W + "t"))


def same_report(a: Path, b: Path) -> None:
    ra, da = check_project(a)
    rb, db = check_project(b)
    assert not da.errors and not db.errors, [str(d) for d in db.items]
    assert [(s.key, s.title, s.body.strip()) for s in ra.sections.values()] == \
        [(s.key, s.title, s.body.strip()) for s in rb.sections.values()]
    assert [(i.levels, i.weight, i.score, i.note) for i in ra.indicators] == \
        [(i.levels, i.weight, i.score, i.note) for i in rb.indicators]
    assert (ra.facts.year, ra.facts.unit) == (rb.facts.year, rb.facts.unit)


def test_round_trip_through_the_form(sample_out, tmp_path):
    done = perfdoc("import", str(sample_out / "form.docx"), "--into", str(tmp_path / "again"))
    assert done.returncode == 0, done.stderr
    assert "PD607" in done.stdout  # the form prints no 分值: said, not hidden
    same_report(ROOT, tmp_path / "again")
    assert build(tmp_path / "again", tmp_path / "out").ok
    assert all_text(tmp_path / "out" / "form.docx") == all_text(sample_out / "form.docx")


def test_round_trip_through_the_report(sample_out, tmp_path):
    done = perfdoc("import", str(sample_out / "report.docx"), "--into", str(tmp_path / "again"))
    assert done.returncode == 0, done.stderr
    assert "PD607" not in done.stdout  # the attachment has 分值
    same_report(ROOT, tmp_path / "again")


def test_three_levels_round_trip(tmp_path):
    assert build(FIXTURES / "three-levels", tmp_path / "out").ok
    done = perfdoc("import", str(tmp_path / "out" / "report.docx"), "--into",
                   str(tmp_path / "again"))
    assert done.returncode == 0, done.stderr
    same_report(FIXTURES / "three-levels", tmp_path / "again")


def test_a_form_written_by_libreoffice(tmp_path):
    """Not perfdoc's docx: the seed's table as HTML, converted by LibreOffice."""
    binary = soffice()
    html = tmp_path / "seed-table.html"
    html.write_bytes((FIXTURES / "import" / "seed-table.html").read_bytes())
    subprocess.run([binary, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--infilter=HTML (StarWriter)", "--convert-to", "docx:MS Word 2007 XML",
                    "--outdir", str(tmp_path), str(html)], check=True, capture_output=True,
                   timeout=180)
    done = perfdoc("import", str(tmp_path / "seed-table.docx"), "--into", str(tmp_path / "p"))
    assert done.returncode == 0, done.stderr
    report, diags = check_project(tmp_path / "p")
    assert not diags.errors, [str(d) for d in diags.errors]
    assert (report.facts.year, report.facts.unit) == (2020, "江苏省商务厅信息中心")
    overview = report.sections["overview"].body.strip()
    assert overview.split("\n\n") == ["一、部门基本情况", "中心现有编制数7个，在编在岗人员为6名。",
                                      "二、收支情况",
                                      "2020年度财政拨款收入**1611200.00元**，支出1583388.23元。"]
    assert "- 经办人打分" in report.sections["evaluation"].body  # a list stays a list
    assert [(i.levels, str(i.score)) for i in report.indicators] == [
        (("部门决策", "年度工作计划制定情况"), "50"), (("部门决策", "中长期规划制定情况"), "42"),
        (("履职效益", "公众满意度"), "8")]  # the merged cell became "same as above"


def test_a_total_that_does_not_add_up_is_reported(sample_out, tmp_path):
    source = docx.Document(str(sample_out / "form.docx"))
    total = source.element.body.findall(W + "tbl")[1].findall(W + "tr")[-1]
    total.findall(f".//{W}t")[-1].text = "99"
    source.save(str(tmp_path / "edited.docx"))
    done = perfdoc("import", str(tmp_path / "edited.docx"), "--into", str(tmp_path / "p"))
    assert done.returncode == 0
    assert "warning[PD606]: 原表“合计”为 99，各项得分相加为 100" in done.stdout


def zip_bytes(files: dict[str, bytes]) -> bytes:
    import io
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def no_form_docx(path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("会议通知")
    d.save(str(path))


@pytest.mark.parametrize("name,make,code,words", [
    ("notes.docx", lambda p: p.write_text("只是文字", encoding="utf-8"), "PD601", "不是有效的 Word 文档"),
    ("locked.docx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
     "PD601", "Office 97–2003 格式，但已损坏"),
    ("cut.docx", lambda p: p.write_bytes(zip_bytes({"word/document.xml": b"<x/>" * 100})[:60]),
     "PD601", "已损坏"),
    ("other.docx", lambda p: p.write_bytes(zip_bytes({"a.txt": b"x"})), "PD601",
     "不是 Word 文档或 Excel 工作簿"),
    ("empty-form.docx", no_form_docx, "PD604", "没有找到自评表的结构"),
    ("bomb.docx", lambda p: p.write_bytes(zip_bytes({"word/document.xml": b"\0" * (300 << 20)})),
     "PD603", "压缩炸弹"),
    ("huge.docx", lambda p: p.open("wb").truncate(51 << 20), "PD603", "超过 50 MB"),
])
def test_bad_input_writes_nothing(tmp_path, name, make, code, words):
    path = tmp_path / name
    make(path)
    target = tmp_path / "target"
    done = perfdoc("import", str(path), "--into", str(target))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"error[{code}]" in done.stderr and words in done.stderr
    assert "没有写入任何文件" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists() or not any(target.iterdir())


def test_a_folder_with_sources_is_not_overwritten_without_force(sample_out, tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    (project / "content" / "images").mkdir()
    (project / "content" / "images" / "logo.png").write_bytes(b"png")
    before = (project / "content" / "01-overview.md").read_bytes()
    done = perfdoc("import", str(sample_out / "report.docx"), "--into", str(project))
    assert done.returncode == 2 and "error[PD605]" in done.stderr
    assert (project / "content" / "01-overview.md").read_bytes() == before
    done = perfdoc("import", str(sample_out / "report.docx"), "--into", str(project), "--force")
    assert done.returncode == 0
    assert (project / "content" / "01-overview.md").read_bytes() != before  # the literal text
    assert (project / "content" / "images" / "logo.png").exists()  # not a source: kept


def test_roll_over_to_next_year(tmp_path):
    last = copy_project(ROOT, tmp_path / "2020")
    (last / "content" / "images").mkdir()
    (last / "content" / "images" / "org.png").write_bytes(b"png")
    target = tmp_path / "2021"
    done = perfdoc("init", str(target), "--from", str(last), "--year", "2021")
    assert done.returncode == 0, done.stderr
    report, diags = check_project(target)
    department = [d for d in diags.items if not d.path.startswith("projects/")]
    assert [d.code for d in department] == ["PD316"] * 29
    # projects: names, targets, weights and budgets kept; scores and executed amounts
    # emptied (9 + 7 + 5 rows, 3 + 3 + 4 sources)
    projects = sorted(d.code for d in diags.items if d.path.startswith("projects/"))
    assert projects == ["PD316"] * 21 + ["PD702"] * 10
    row = (target / "projects" / "01-电子政务外网运维" / "indicators.csv").read_text(
        encoding="utf-8").splitlines()[1]
    assert row == "产出指标,数量指标,外网接入单位数,≥120个,,10,,"
    md = (target / "projects" / "01-电子政务外网运维" / "project.md").read_text(encoding="utf-8")
    assert "当年财政拨款: {年初预算数: 90, 全年预算数: 90, 全年执行数: }" in md
    assert (target / "content" / "images" / "org.png").read_bytes() == b"png"
    assert report.facts.year == 2021 and report.form_title.startswith("2021年")
    # weights kept, scores and 说明 emptied
    text = (target / "indicators" / "01-部门决策.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1] == "部门决策,年度工作计划制定情况,5,,"
    # filling in the scores makes it build
    for path in (target / "indicators").glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        filled = [lines[0]] + [",".join(c if i != 3 else c or line.split(",")[2]
                                        for i, c in enumerate(line.split(",")))
                               for line in lines[1:]]
        path.write_text("\n".join(filled) + "\n", encoding="utf-8")
    for folder in (target / "projects").iterdir():  # done as planned, full marks
        path = folder / "indicators.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows[1:]:
            row[4], row[6] = row[3].lstrip("≥≤="), row[5]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        md = folder / "project.md"
        md.write_text(re.sub(r"(全年预算数|调整后预算数): ([0-9.]+), (全年执行数|预算执行数): }",
                             r"\1: \2, \3: \2}", md.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = build(target, tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    assert len(list((tmp_path / "out" / "projects").glob("*.docx"))) == 3


def test_without_pandoc_import_says_how_to_get_it(tmp_path, monkeypatch):
    """pypandoc-binary is the extra perfdoc[import] (no loongarch64 wheel): without it and
    without a system pandoc, import says what to install instead of a traceback."""
    from perfdoc.review import importer

    monkeypatch.setitem(sys.modules, "pypandoc", None)  # import pypandoc raises ImportError
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PERFDOC_PANDOC", raising=False)
    with pytest.raises(importer.ImportFailure) as failure:
        importer.pandoc_binary()
    assert failure.value.code == "PD608" and "perfdoc[import]" in str(failure.value)
    (tmp_path / "pandoc").write_text("#!/bin/sh\n")
    (tmp_path / "pandoc").chmod(0o755)
    assert importer.pandoc_binary() == str(tmp_path / "pandoc")


def test_an_empty_section_body_does_not_crash_the_promotion():
    from perfdoc.sources.headings import promote

    assert promote("") == ""  # a blank section in a real form converts to nothing
    assert promote("①甲") == "（1）甲"
