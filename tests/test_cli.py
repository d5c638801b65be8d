"""The command line as a user runs it: exit codes, messages, and what is left on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, digest_tree


def perfdoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfdoc", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)



def test_build_writes_the_form_and_changes_no_source(sample_copy):
    before = digest_tree(sample_copy)
    done = perfdoc("build", str(sample_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "form.docx" in done.stdout
    assert (sample_copy / "build" / "form.docx").stat().st_size > 10_000
    after = {k: v for k, v in digest_tree(sample_copy).items() if not k.startswith("build/")}
    assert after == before


def test_build_defaults_to_the_current_folder(sample_copy):
    done = perfdoc("build", cwd=sample_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (sample_copy / "build" / "form.docx").is_file()


def test_check_on_the_sample_finds_only_its_document_number():
    done = perfdoc("check", str(ROOT))
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == [
        "content/02-evaluation.md:6:38: warning[PD411]: 发文字号的年份应使用六角括号〔〕："
        "苏财预【2021】11号 → 苏财预〔2021〕11号", "发现 0 个错误，1 个警告。"]


def test_check_is_clean_on_a_corrected_copy(sample_copy):
    done = perfdoc("check", str(sample_copy))
    assert done.returncode == 0, done.stdout
    assert "检查通过" in done.stdout


def test_failed_build_keeps_the_last_good_output(sample_copy):
    assert perfdoc("build", str(sample_copy)).returncode == 0
    form = sample_copy / "build" / "form.docx"
    good = form.read_bytes()
    csv = sample_copy / "indicators" / "01-部门决策.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",5,5,完成", ",5,6,完成", 1),
                   encoding="utf-8")
    done = perfdoc("build", str(sample_copy))
    assert done.returncode == 1
    assert "indicators/01-部门决策.csv:2:得分: error[PD309]: 得分 6 大于分值 5" in done.stdout
    assert "未生成文件" in done.stderr
    assert form.read_bytes() == good
    # the last good outputs, and no temp files
    assert sorted(p.name for p in form.parent.iterdir()) == [
        "form.docx", "projects", "projects.xlsx", "report.docx", "scores.xlsx"]
    assert not [p for p in form.parent.rglob("*.tmp")]


def test_usage_errors_exit_2(tmp_path):
    done = perfdoc("check", str(tmp_path / "missing"))
    assert done.returncode == 2 and "PD001" in done.stderr
    done = perfdoc("build", str(tmp_path))
    assert done.returncode == 2 and "PD002" in done.stderr
    done = perfdoc("frobnicate")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_all_problems_in_one_run_sorted(sample_copy):
    (sample_copy / "content" / "05-suggestions.md").unlink()
    csv = sample_copy / "indicators" / "02-部门管理.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("专款专用率,3,3", "专款专用率,3,三")
                   .replace("档案管理星级,3,3", "档案管理星级,3,4"), encoding="utf-8")
    done = perfdoc("check", str(sample_copy))
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[:-1] == [
        "content: error[PD206]: 缺少“五、有关建议”部分：请新建 content/*.md，"
        "frontmatter 写 section: suggestions",
        "indicators/02-部门管理.csv:2:得分: error[PD308]: 得分“三”不是非负数字，"
        "应写作 3、3.0 或 49.04 这样的半角数字",
        "indicators/02-部门管理.csv:8:得分: error[PD309]: 得分 4 大于分值 3",
    ]
    assert lines[-1] == "发现 3 个错误，0 个警告。"


def test_warnings_alone_exit_0(sample_copy):
    csv = sample_copy / "indicators" / "04-履职效益.csv"
    csv.write_bytes(csv.read_text(encoding="utf-8").replace("\n", "\r\n").encode("gb18030"))
    done = perfdoc("check", str(sample_copy))
    assert done.returncode == 0
    assert "warning[PD302]" in done.stdout and "发现 0 个错误，1 个警告。" in done.stdout
    done = perfdoc("build", str(sample_copy))
    assert done.returncode == 0 and "warning[PD302]" in done.stdout


def test_github_annotations(sample_copy):
    csv = sample_copy / "indicators" / "02-部门管理.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("档案管理星级,3,3", "档案管理星级,3,4"),
                   encoding="utf-8")
    done = perfdoc("check", "--format", "github", "project", cwd=sample_copy.parent)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "::error file=project/indicators/02-部门管理.csv,line=8,title=PD309 得分::得分 4 大于分值 3")


def test_json_output(sample_copy):
    import json
    (sample_copy / "content" / "04-problems.md").write_text(
        "---\nsection: problems\ntitle: 四、存在问题\n---\n（100字以内）\n", encoding="utf-8")
    done = perfdoc("check", "--format", "json", str(sample_copy))
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["errors"] == 1 and data["warnings"] == 0
    assert data["diagnostics"] == [{
        "code": "PD401", "severity": "error", "path": "content/04-problems.md", "line": 5,
        "column": None, "field": None,
        "message": "“（100字以内）”像是模板留下的占位文字，请替换为实际内容或删除"}]


def test_an_internal_error_is_one_line_and_exit_3(sample_copy, monkeypatch, capsys):
    from perfdoc import build as build_module
    from perfdoc import cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(build_module, "build", broken)
    assert cli.main(["build", str(sample_copy)]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "内部错误" in err and "RuntimeError: boom" in err and "Traceback" not in err


def test_check_by_owner(sample_copy):
    csv = sample_copy / "indicators" / "04-履职效益.csv"
    csv.write_text("一级指标,二级指标,分值,得分,说明,责任处室\n"
                   "履职效益,公众满意度,8,6,满意度80%,办公室\n", encoding="utf-8")
    csv = sample_copy / "indicators" / "02-部门管理.csv"
    text = csv.read_text(encoding="utf-8").replace("一级指标,二级指标,分值,得分,说明",
                                                   "一级指标,二级指标,分值,得分,说明,责任处室")
    lines = [line + ("," if i else "") for i, line in enumerate(text.splitlines())]
    lines[7] = ",档案管理星级,3,3分,5级,财务处"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = perfdoc("check", "--by-owner", str(sample_copy))
    assert done.returncode == 1
    out = done.stdout
    office = out.split("== 办公室 ==")[1].split("==")[0]
    finance = out.split("== 财务处 ==")[1].split("==")[0]
    rest = out.split("== （未指定处室） ==")[1]
    assert "扣分：indicators/04-履职效益.csv:2: “履职效益／公众满意度”扣 2 分（说明：满意度80%）" in office
    assert "indicators/02-部门管理.csv:8:得分: error[PD308]" in finance
    assert "PD313" in rest and "content/04-problems.md" in rest
