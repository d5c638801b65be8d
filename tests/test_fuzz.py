"""Property: any input gives diagnostics or a build, never an exception or a partial file."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from conftest import ROOT, copy_project
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from perfdoc.build import build

OUTPUTS = ["form.docx", "projects", "projects.xlsx", "report.docx", "scores.xlsx"]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

CSV_ALPHABET = list(",\"\n\r \t0123456789.-一级指标二三分值得说明责任处室部门决策XＸ×…（）３\x00\x01\ufeff")
YAML_TOKENS = ["section", "title", "hint", "overview", "problems", ":", ": ", "\n", "- ", "[",
               "]", "{", "}", "'", '"', "#", "&a", "*a", "!!float", "!!binary", "|", ">", "---",
               "2020-13-45", ".inf", "1:20", "一、部门概况", "无", "  ", "\t", "%YAML 1.1", "? "]
MD_TOKENS = ["无", "正文。", "\n", "\n\n", "**", "*", "~~", "`", "# ", "> ", "- ", "1. ",
             "| a | b |\n|---|---|\n| 1 | 2 |\n", "<b>", "<!--", "-->", "![图](x.png)",
             "![图](../../x.png)", "[链](http://x)", "\\", "  \n", "XX", "……", "{{", "}}",
             "```", "\x0c", "\u2028", "\ud7ff", "😀"]


def run_build(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(ROOT, Path(tmp) / "p")
        for name, data in files.items():
            (project / name).write_bytes(data)
        out = Path(tmp) / "out"
        result = build(project, out)  # must not raise
        event("built" if result.ok else "refused")
        if result.ok:
            assert sorted(p.name for p in out.iterdir()) == OUTPUTS
            for path in out.rglob("*.*x"):  # every .docx and .xlsx, projects' too
                with zipfile.ZipFile(path) as z:
                    assert z.testzip() is None
        else:
            assert result.diagnostics.errors
            assert not out.exists() or not any(out.iterdir())


csv_bytes = st.one_of(
    st.binary(max_size=600),
    st.text(alphabet=CSV_ALPHABET, max_size=400).flatmap(
        lambda t: st.sampled_from([t.encode("utf-8", "surrogatepass"), t.encode("gb18030", "replace")])),
    st.text(alphabet=CSV_ALPHABET, max_size=200).map(
        lambda t: ("一级指标,二级指标,分值,得分,说明\n" + t).encode("utf-8")),
    # a valid file with something after it: often still valid, so the build path runs
    st.text(alphabet=CSV_ALPHABET, max_size=60).map(
        lambda t: ("一级指标,二级指标,分值,得分,说明\n履职效益,公众满意度,8,8," + t).encode("utf-8")),
)


@SETTINGS
@given(data=csv_bytes)
def test_any_csv_bytes(data):
    run_build({"indicators/04-履职效益.csv": data})


@SETTINGS
@given(fm=st.one_of(st.just("section: problems\ntitle: 四、存在问题"),
                    st.text(max_size=200),
                    st.lists(st.sampled_from(YAML_TOKENS), max_size=30).map("".join)),
       body=st.one_of(st.text(max_size=300),
                      st.lists(st.sampled_from(MD_TOKENS), max_size=40).map("".join)))
def test_any_frontmatter_and_body(fm, body):
    text = f"---\n{fm}\n---\n{body}"
    run_build({"content/04-problems.md": text.encode("utf-8", "surrogatepass")})


@SETTINGS
@given(fm=st.lists(st.sampled_from(YAML_TOKENS + ["year", "unit", "finance", "income",
                                                   "budget", "grade", "layout", "2020",
                                                   "-1", "0", "1e400"]), max_size=30).map("".join))
def test_any_report_facts(fm):
    run_build({"content/report.md": f"---\n{fm}\n---\n".encode()})


def test_valid_markdown_body_still_builds():
    # The property above must not pass only because everything fails: a plain body builds.
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(ROOT, Path(tmp) / "p")
        (project / "content" / "04-problems.md").write_text(
            "---\nsection: problems\ntitle: 四、存在问题\n---\n**无**\n", encoding="utf-8")
        assert build(project, Path(tmp) / "out").ok
