"""perfdoc import of the files people hold besides a plain .docx: Word 97 .doc, WPS's
.wps, .odt and .rtf (converted by LibreOffice, which wrote them here from a corpus
form); templates, macro-enabled and ISO Strict packages, a main part of another name,
a lost picture, a tracked move, a blank section; a finance office's indicator table
as .xlsx (openpyxl), .xls (LibreOffice) and Excel's GBK CSV. Each imports exactly or
is refused for its real cause, within 20 s and 500 MB, never with exit 3."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, digest_tree, run_perfdoc, soffice
from import_corpus import forms, packages
from launcher import Run
from test_import_corpus import TRUTH, assert_exact

from perfdoc.rules.check import check_project

SECONDS, MEGABYTES = 20, 500


def imported(*paths: Path, target: Path) -> Run:
    done = run_perfdoc("import", *map(str, paths), "--into", str(target), timeout=120)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # never 3, a crash
    assert "Traceback" not in done.stderr
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES, (done.seconds, done.peak_mb)
    return done


def libreoffice(source: Path, to: str, folder: Path) -> Path:
    subprocess.run([soffice(), f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--convert-to", to, "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return folder / f"{source.stem}.{to.split(':')[0]}"


@pytest.fixture(scope="module")
def written_by_libreoffice(sample_out, tmp_path_factory) -> dict[str, Path]:
    """The sample's form and report as perfdoc builds them, saved by LibreOffice as .doc,
    .odt and .rtf, and the .doc again named as WPS names its files; with the .docx."""
    folder = tmp_path_factory.mktemp("lo")
    out = {"docx": [sample_out / "form.docx", sample_out / "report.docx"]}
    for ext in ("doc", "odt", "rtf"):
        out[ext] = [libreoffice(path, ext, folder) for path in out["docx"]]
    out["wps"] = [shutil.copyfile(path, path.with_suffix(".wps")) for path in out["doc"]]
    return out


@pytest.mark.parametrize("ext", ["doc", "wps", "odt", "rtf"])
def test_a_file_in_another_format_is_converted_and_imports_as_its_docx(written_by_libreoffice,
                                                                        tmp_path, ext):
    """Form and report together: every file import writes is the same as from the .docx
    they were saved from, and the indicators are the sample's."""
    imported(*written_by_libreoffice["docx"], target=tmp_path / "docx")
    done = imported(*written_by_libreoffice[ext], target=tmp_path / ext)
    label = {"doc": "Word 97–2003 文档（.doc）", "wps": "WPS 文字文档（.wps）",
             "odt": "OpenDocument 文本（.odt）", "rtf": "RTF 文档（.rtf）"}[ext]
    assert done.stdout.count(f"已用 LibreOffice（{soffice()}）把 {label}转换为 .docx 后导入") == 2
    assert digest_tree(tmp_path / ext) == digest_tree(tmp_path / "docx")
    report, diags = check_project(tmp_path / ext)
    assert not diags.errors, [str(d) for d in diags.errors]
    got = [(i.levels, i.weight, i.score, i.note) for i in report.indicators]
    assert got == TRUTH.indicators


REWRITTEN = {"template": packages.template, "macro_enabled": packages.macro_enabled,
             "macro_template": packages.macro_template, "strict": packages.strict,
             "main_part_renamed": packages.main_part_renamed}


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_a_package_word_writes_besides_docx_imports_exactly(tmp_path, name):
    plain = forms.handwritten(TRUTH, tmp_path / "plain.docx")
    path = packages.rewritten(plain, tmp_path / f"{name}.docx", REWRITTEN[name])
    done = imported(path, target=tmp_path / "p")
    assert_exact(tmp_path / "p", done, TRUTH)
    said = {"template": "文件是 Word 模板（.dotx），按普通 Word 文档读取",
            "macro_enabled": "启用宏的 Word 文档（.docm），按普通 Word 文档读取（宏不会运行，也不导入）",
            "macro_template": "启用宏的 Word 模板（.dotm）",
            "strict": "ISO/IEC 29500 Strict 格式", "main_part_renamed": ""}[name]
    assert said in done.stdout


def test_a_lost_picture_is_a_warning_and_the_rest_imports(tmp_path):
    plain = forms.handwritten(TRUTH, tmp_path / "plain.docx")
    path = packages.rewritten(plain, tmp_path / "lost.docx", packages.picture_lost)
    done = imported(path, target=tmp_path / "p")
    assert "warning[PD609]: 文档引用的图片 word/media/image1.png 不在文件中（已跳过）" in done.stdout
    report, _ = check_project(tmp_path / "p")
    assert [(i.levels, i.weight, i.score, i.note) for i in report.indicators] == TRUTH.indicators


def test_text_inside_a_tracked_move_is_read_once(tmp_path):
    done = imported(packages.moved_text(TRUTH, tmp_path / "moved.docx"), target=tmp_path / "p")
    assert "已接受修订中的移动" in done.stdout
    first = TRUTH.sections[0][0]
    report, _ = check_project(tmp_path / "p")
    assert report.sections[first].body.count(packages.MOVED) == 1


def test_a_project_table_before_the_departments_is_not_taken_for_it(tmp_path):
    done = run_perfdoc("import", str(packages.project_table_first(TRUTH, tmp_path / "f.docx")),
                       "--into", str(tmp_path / "p"))
    assert "warning[PD610]: 表格 2 的表头有本版式没有的列（三级指标、年度指标值、实际完成值），" \
           "像是项目支出的指标表，没有导入；导入的是表格 3" in done.stdout
    done.stdout = done.stdout.replace("warning[PD610]", "")  # the one expected warning
    assert_exact(tmp_path / "p", done, TRUTH)


def test_a_blank_section_imports_as_blank(tmp_path):
    done = imported(packages.empty_section(TRUTH, tmp_path / "blank.docx"), target=tmp_path / "p")
    key = TRUTH.sections[1][0]
    report, _ = check_project(tmp_path / "p")
    assert report.sections[key].body.strip() == "无", done.stdout
    assert report.sections[TRUTH.sections[0][0]].body.strip()


def test_a_score_with_its_reason_in_brackets(tmp_path):
    """A form's 得分 cell reading "4.5（扣0.5分）": the score, and the reason as 说明."""
    truth = forms.truth()
    levels, weight, _, _ = truth.indicators[0]
    written = forms.Truth(truth.year, truth.unit, truth.sections,
                          [(levels, weight, weight - 1, "")] + truth.indicators[1:])
    path = forms.form(written, tmp_path / "f.docx", indicators=forms.indicator_table(
        written, cell=lambda r, c, text: forms.tc(forms.p(
            f"{text}（扣1分）" if (r, c) == (0, 3) else text))))
    done = imported(path, target=tmp_path / "p")
    assert "已把写在得分后括号里的扣分说明" in done.stdout
    report, _ = check_project(tmp_path / "p")
    first = report.indicators[0]
    assert (first.score, first.note) == (weight - 1, "扣1分")


# ---------------------------------------------------------------- the finance office's table


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sheets")
    xlsx = packages.finance_workbook(TRUTH, folder / "指标表.xlsx")
    return {"xlsx": xlsx, "xls": libreoffice(xlsx, "xls", folder),
            "csv": packages.excel_csv(TRUTH, folder / "指标表.csv")}


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
def test_an_indicator_table_alone_imports_into_indicators(sheets, tmp_path, kind):
    project = copy_project(ROOT, tmp_path / "p")
    shutil.rmtree(project / "indicators")
    content = digest_tree(project / "content")
    done = imported(sheets[kind], target=project)
    assert "error[" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert "只导入了指标表（indicators/）；content/ 没有改动" in done.stdout
    assert digest_tree(project / "content") == content
    report, diags = check_project(project)
    assert not diags.errors, [str(d) for d in diags.errors]
    assert [(i.levels, i.weight, i.score, i.note) for i in report.indicators] == TRUTH.indicators
    # The 合计 row is not an indicator. Excel's SUM skips the score typed as text with
    # its reason ("5（完成）"), so the workbook's own total is 5 short; the CSV's adds up.
    short = "warning[PD606]: 原表“合计”为 95，各项得分相加为 100" in done.stdout
    assert short == (kind != "csv"), done.stdout
    said = {"xlsx": "已从 Excel 工作簿读取指标表（工作表：“自评表”）",
            "xls": "把 Excel 97–2003 工作簿（.xls）转换为 .xlsx 后导入",
            "csv": "已按 GBK（GB 18030）编码读取 CSV 表格"}[kind]
    assert said in done.stdout
    if kind == "xlsx":
        assert "已按单元格的显示格式（如 0.00）写出小数：1 处" in done.stdout
        assert "已把写在得分后括号里的扣分说明" in done.stdout


def test_a_report_and_the_finance_table_import_together(sheets, tmp_path):
    """The form's sections and facts, the sheet's rows: the table in one file only."""
    form = forms.form(TRUTH, tmp_path / "f.docx", indicators=forms.p("指标表另附"))
    done = imported(form, sheets["xlsx"], target=tmp_path / "p")
    assert_exact(tmp_path / "p", done, TRUTH)


# ---------------------------------------------------------------- refused for the real cause


def encrypted_docx(tmp_path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = forms.handwritten(TRUTH, tmp_path / "plain.docx")
    out = tmp_path / "locked.docx"
    with plain.open("rb") as src, out.open("wb") as dst:
        OOXMLFile(src).encrypt("1234", dst)
    return out


def encrypted_doc(tmp_path: Path) -> Path:
    """A Word 97 file whose FIB says it is encrypted (fEncrypted), as Word's 97-2003
    password writes it."""
    import olefile

    folder = tmp_path / "lo"
    folder.mkdir()
    doc = libreoffice(forms.handwritten(TRUTH, tmp_path / "plain.docx"), "doc", folder)
    with olefile.OleFileIO(str(doc), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[11] |= 0x01  # bit 8 of the flags word at offset 10
        ole.write_stream("WordDocument", bytes(stream))
    return doc


@pytest.mark.parametrize("make,code,words", [
    (encrypted_docx, "PD602", "文件设置了打开密码（已加密）"),
    (encrypted_doc, "PD602", "这份 Word 97–2003 文档设置了打开密码"),
    (lambda t: (t / "x.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n") and t / "x.pdf",
     "PD601", "这是 PDF 文件"),
    (lambda t: packages.rewritten(forms.handwritten(TRUTH, t / "plain.docx"), t / "odd.docx",
                                  packages._content_type("application/xml")),
     "PD601", "不是 Word 文档：正文部分 word/document.xml 的类型是“application/xml”"),
    (lambda t: (t / "renamed.doc").write_text("只是文字", encoding="utf-8") and t / "renamed.doc",
     "PD601", "扩展名是 .doc，内容却是纯文本"),
])
def test_a_refusal_names_the_real_cause(tmp_path, make, code, words):
    path = make(tmp_path)
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "p"))
    shown = done.stdout + done.stderr
    assert done.returncode == 1 and f"error[{code}]" in done.stderr and words in done.stderr, shown
    for library_text in ("<_io", "object at 0x", "Error", "Traceback", "KeyError"):
        assert library_text not in shown
    assert not (tmp_path / "p").exists()


WEB_PAGE = """<html xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8">
</head><body><p>2020年省级部门整体支出绩效自我评价表格</p><p>填报单位：某某厅</p><table border=1>
<tr><td>一级指标</td><td>二级指标</td><td>分值</td><td>得分</td><td>说明</td></tr>
<tr><td rowspan=2>部门决策</td><td>计划</td><td>5</td><td>5</td><td>完成</td></tr>
<tr><td>规划</td><td>5</td><td>4</td><td>扣1分</td></tr></table></body></html>"""


def test_a_web_page_saved_as_doc_is_converted(tmp_path):
    """Office systems export 'Word' files that are HTML named .doc."""
    path = tmp_path / "导出.doc"
    path.write_text(WEB_PAGE, encoding="utf-8")
    done = imported(path, target=tmp_path / "p")
    assert "把网页格式的 Word 文件（扩展名是 .doc，内容是 HTML）转换为 .docx 后导入" in done.stdout
    rows = next((tmp_path / "p" / "indicators").glob("*.csv")).read_text(encoding="utf-8")
    assert rows.splitlines()[1:] == ["部门决策,计划,5,5,完成", ",规划,5,4,扣1分"]


def test_without_libreoffice_a_doc_says_what_to_install(written_by_libreoffice, tmp_path):
    env = dict(os.environ, PERFDOC_SOFFICE=str(tmp_path / "no-soffice"))
    done = subprocess.run([sys.executable, "-m", "perfdoc", "import",
                           str(written_by_libreoffice["doc"][0]), "--into", str(tmp_path / "p")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert "error[PD611]: 文件是 Word 97–2003 文档（.doc），需要用 LibreOffice 转换为 .docx 才能导入" \
        in done.stderr
    assert "没有写入任何文件" in done.stderr and not (tmp_path / "p").exists()
