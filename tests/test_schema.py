"""Every .docx and .xlsx perfdoc writes is valid ECMA-376 (transitional), as Office reads it.

tests/ooxml_validate.py does the validating (schemas in tests/ooxml-xsd/); the
mutations at the end prove that it bites.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import DEPARTMENT_LAYOUTS, FIXTURES, ROOT, copy_project, tiny_png, write_files
from ooxml_validate import problems

from perfdoc.build import build

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from synthetic import make_project, make_projects  # noqa: E402

# Every Markdown construct the renderer knows, with a picture: the widest XML it writes.
KITCHEN_SINK = """一、部门基本情况

（一）标题。正文**加粗**、*斜体*、~~删除~~、`代码`、[链接](http://example.cn)。

1. 第一项
   - 子项
2. 第二项

> 引用的一段。

| 项目 | 金额 |
|:---|---:|
| 收入 | 1,611,200.00 |

```
代码块
```

---

![组织结构图](images/org.png)

第一行""" + "  " + """
第二行
"""  # two spaces: a hard line break


def built(root: Path, out: Path) -> list[Path]:
    result = build(root, out)
    assert result.ok, [str(d) for d in result.diagnostics.items]
    return sorted(p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx"))


def assert_valid(paths: list[Path]) -> None:
    assert paths
    found = {p.name: problems(p) + audit(p) for p in paths}
    assert not any(found.values()), {k: v[:5] for k, v in found.items() if v}


def audit(path: Path) -> list[str]:
    """openxml-audit's findings of error severity (rules generated from the Open XML SDK),
    strict policy. It exits 0 whatever it finds: its JSON is what counts."""
    done = subprocess.run([str(Path(sys.executable).with_name("openxml-audit")), "--policy",
                           "strict", "-o", "json", "--max-errors", "0", str(path)],
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout)
    return [f"openxml-audit: {e['part_uri']}: {e['description'][:200]}"
            for entry in report for e in entry["errors"] if e["severity"] == "error"]


def test_the_sample(sample_out):
    paths = sorted(p for p in sample_out.rglob("*") if p.suffix in (".docx", ".xlsx"))
    assert len(paths) == 7  # form, report, scores, three project forms, projects.xlsx
    assert_valid(paths)


def test_the_three_level_fixture(tmp_path):
    assert_valid(built(FIXTURES / "three-levels", tmp_path / "out"))


def test_a_synthetic_10x_project(tmp_path):
    project, _ = make_project(10, tmp_path / "x10")
    assert_valid(built(project, tmp_path / "out"))


def test_synthetic_projects_in_both_layouts(tmp_path):
    assert_valid(built(make_projects(5, tmp_path / "p5"), tmp_path / "out"))


def test_every_markdown_construct(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    overview = project / "content" / "01-overview.md"
    head = overview.read_text(encoding="utf-8").split("---\n")[1]
    write_files(project, {"content/01-overview.md": f"---\n{head}---\n{KITCHEN_SINK}",
                          "content/images/org.png": tiny_png(40, 30)})
    part = project / "projects" / "01-电子政务外网运维" / "project.md"
    part.write_text(part.read_text(encoding="utf-8").replace(
        "## 实际完成情况\n", "## 实际完成情况\n\n" + KITCHEN_SINK.replace("images/", "../../content/images/")
        + "\n"), encoding="utf-8")
    assert_valid(built(project, tmp_path / "out"))


# ---------------------------------------------------------------- the validator bites


def mutated(source: Path, dest: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(dest, "w") as out:
        for info in z.infolist():
            data = z.read(info.filename)
            out.writestr(info, change(data.decode()).encode() if info.filename == part else data)
    return dest


def test_jc_before_pstyle_is_invalid(sample_out, tmp_path):
    def swap(xml: str) -> str:
        new, n = re.subn(r'<w:pPr><w:pStyle w:val="(\w+)"/><w:jc w:val="(\w+)"/>',
                         r'<w:pPr><w:jc w:val="\2"/><w:pStyle w:val="\1"/>', xml, count=1)
        assert n == 1
        return new
    bad = mutated(sample_out / "form.docx", tmp_path / "jc.docx", "word/document.xml", swap)
    assert any("jc" in p or "pStyle" in p for p in problems(bad)), problems(bad)


def test_tcpr_after_the_paragraph_is_invalid(sample_out, tmp_path):
    def move(xml: str) -> str:
        new, n = re.subn(r"<w:tc>(<w:tcPr>.*?</w:tcPr>)(<w:p>.*?</w:p>)</w:tc>",
                         r"<w:tc>\2\1</w:tc>", xml, count=1, flags=re.S)
        assert n == 1
        return new
    bad = mutated(sample_out / "form.docx", tmp_path / "tc.docx", "word/document.xml", move)
    assert any("tcPr" in p for p in problems(bad)), problems(bad)


def test_a_cell_style_out_of_range_is_invalid(sample_out, tmp_path):
    def restyle(xml: str) -> str:
        new, n = re.subn(r'(<c r="A2") s="\d+"', r'\1 s="99"', xml, count=1)
        assert n == 1
        return new
    bad = mutated(sample_out / "scores.xlsx", tmp_path / "s.xlsx", "xl/worksheets/sheet1.xml",
                  restyle)
    # (openxml-audit 0.8 finds nothing wrong here: the package rule is ours alone)
    assert problems(bad) == ["xl/worksheets/sheet1.xml: cell A2 uses style 99 of 7"]


def test_rpr_order_and_missing_parts_are_caught(sample_out, tmp_path):
    def reorder(xml: str) -> str:
        new, n = re.subn(r"<w:rPr><w:rFonts ", r"<w:rPr><w:b/><w:rFonts ", xml, count=1)
        assert n == 1
        return new
    bad = mutated(sample_out / "form.docx", tmp_path / "r.docx", "word/document.xml", reorder)
    assert any("out of Word's order" in p for p in problems(bad))
    with zipfile.ZipFile(sample_out / "form.docx") as z, \
            zipfile.ZipFile(tmp_path / "m.docx", "w") as out:
        for info in z.infolist():
            if info.filename != "word/styles.xml":
                out.writestr(info, z.read(info.filename))
    assert any("missing part word/styles.xml" in p for p in problems(tmp_path / "m.docx"))


@pytest.fixture(scope="module", autouse=True)
def _remove_the_schema_copy():
    yield
    from ooxml_validate import cleanup
    cleanup()


@pytest.mark.parametrize("pattern,replacement", [
    (r"<w:tc>(<w:tcPr>.*?</w:tcPr>)(<w:p>.*?</w:p>)</w:tc>", r"<w:tc>\2\1</w:tc>"),
    (r'<w:pPr><w:pStyle w:val="(\w+)"/><w:jc w:val="(\w+)"/>',
     r'<w:pPr><w:jc w:val="\2"/><w:pStyle w:val="\1"/>'),
])
def test_openxml_audit_agrees_on_the_word_mutations(sample_out, tmp_path, pattern, replacement):
    def change(xml: str) -> str:
        return re.sub(pattern, replacement, xml, count=1, flags=re.S)
    bad = mutated(sample_out / "form.docx", tmp_path / "m.docx", "word/document.xml", change)
    assert problems(bad) and audit(bad)


@pytest.mark.parametrize("name", DEPARTMENT_LAYOUTS)
def test_every_department_layout_builds_valid_documents(department_samples, name):
    paths = sorted(p for p in department_samples[name].rglob("*") if p.suffix in (".docx", ".xlsx"))
    assert [p.name for p in paths] == ["form.docx", "report.docx", "scores.xlsx"]
    assert_valid(paths)
